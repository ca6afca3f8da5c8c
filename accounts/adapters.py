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
