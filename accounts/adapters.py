from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        """After login, a delegate with an incomplete profile goes to finish it first."""
        user = request.user
        if user.is_authenticated and not user.profile_complete:
            return reverse("accounts:profile")
        return super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request):
        return reverse("accounts:profile")

    def is_safe_url(self, url):
        """A "next" address Python cannot parse (http://[::1) is not safe, not a 500."""
        try:
            return super().is_safe_url(url)
        except ValueError:
            return False

    def send_mail(self, template_prefix, email, context):
        """allauth's own emails (address confirmation, password reset, security notices) go
        through the outbox like every other email: queued, delivered, retried, visible.
        Each is a new message (a second reset link is a second email), so the purpose key
        carries a random part."""
        import uuid

        from core.outbox import email_queue_message

        message = self.render_mail(template_prefix, email, context)
        kind = template_prefix.rsplit("/", 1)[-1]
        email_queue_message(message=message, purpose=f"account:{kind}:{uuid.uuid4().hex}",
                            template=template_prefix)
