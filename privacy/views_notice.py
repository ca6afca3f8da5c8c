from django.views.generic import TemplateView


class PrivacyNoticeView(TemplateView):
    """The privacy notice, written for delegates; its periods are the partnership settings."""

    template_name = "privacy/notice.html"
