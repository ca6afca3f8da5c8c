from django.views.generic import TemplateView


class AccessibilityStatementView(TemplateView):
    """The accessibility statement in the form the Public Sector Bodies Accessibility
    Regulations 2018 expect."""

    template_name = "core/accessibility.html"
