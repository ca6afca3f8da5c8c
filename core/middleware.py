from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from accounts.roles import user_requires_mfa

ALLOWED_PREFIXES = ("/accounts/", "/static/", "/media/", "/__debug__/")


class StaffMFARequiredMiddleware:
    """Staff roles must use two-factor authentication: until a staff user has set up an
    authenticator app, every page but the account pages sends them to set it up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(ALLOWED_PREFIXES)
            and request.path != "/"
            and user_requires_mfa(user)
        ):
            from allauth.mfa.models import Authenticator

            if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                messages.warning(
                    request,
                    "Your role gives you access to other people's information, so you must set "
                    "up two-factor authentication before you continue.",
                )
                return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
