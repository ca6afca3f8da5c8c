"""Staff roles must use two-factor authentication, in every session they use.

Having an authenticator app is not enough: the session itself must have passed the code,
however it was signed in (the site's sign-in, the admin's login, a password reset, a
remembered session, one signed in before the authenticator was set up). allauth keeps a log
of the authentication steps each session has passed (allauth.account.authentication); a
session has passed two-factor authentication when that log holds an "mfa" step for the
signed-in user: the code at sign-in, the code at allauth's "confirm it is you" page, or the
code that set the authenticator up in this session (recorded below)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect

from .roles import user_requires_mfa

ASSET_PREFIXES = ("/static/", "/media/", "/__debug__/")
# Pages any session may open whatever it still owes: signing in and out, the health check.
ENTRANCE_PAGES = {"account_login", "mfa_authenticate", "account_logout", "healthz"}
# A staff user without an authenticator: confirm the password, then set one up.
SETUP_PAGES = ENTRANCE_PAGES | {"account_reauthenticate", "mfa_activate_totp"}
# A staff user with an authenticator whose session has not passed the code: enter it.
CODE_PAGES = ENTRANCE_PAGES | {"mfa_reauthenticate"}


def session_passed_mfa(request, user):
    """Whether this session has passed two-factor authentication as `user`."""
    from allauth.account.authentication import get_authentication_records

    return any(r.get("method") == "mfa" for r in get_authentication_records(request, user))


def _totp_authenticator(user):
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()


def _url_name(request):
    try:
        return resolve(request.path_info).url_name
    except Resolver404:
        return None


def _redirect(request, url):
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


class StaffMFARequiredMiddleware:
    """A staff user (accounts.roles.user_requires_mfa) reaches no page but signing in and out
    until this session has passed two-factor authentication: one without an authenticator is
    sent to set it up, one with an authenticator to enter its code (allauth's reauthentication
    by code, which then returns them to the page they asked for)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is None
            or not user.is_authenticated
            or request.path.startswith(ASSET_PREFIXES)
            or not user_requires_mfa(user)
        ):
            return self.get_response(request)

        url_name = _url_name(request)
        authenticator = _totp_authenticator(user)
        if authenticator is None:
            if url_name not in SETUP_PAGES:
                messages.warning(
                    request,
                    "Your role gives you access to other people's information, so you must set "
                    "up two-factor authentication before you continue.",
                )
                return _redirect(request, reverse("mfa_activate_totp"))
            response = self.get_response(request)
            if (url_name == "mfa_activate_totp" and request.method == "POST"
                    and response.status_code == 302):
                self._record_setup(request, user)
            return response

        if session_passed_mfa(request, user) or url_name in CODE_PAGES:
            return self.get_response(request)
        url = f"{reverse('mfa_reauthenticate')}?{urlencode({'next': request.get_full_path()})}"
        return _redirect(request, url)

    @staticmethod
    def _record_setup(request, user):
        """Setting the authenticator up means typing a code it made (allauth checks it before
        saving it), so a session that has just done so has passed two-factor authentication:
        log that step as allauth logs the code at sign-in."""
        from allauth.account.internal.flows.login import record_authentication

        authenticator = _totp_authenticator(user)
        if authenticator is not None and not session_passed_mfa(request, user):
            record_authentication(
                request, user, "mfa", id=authenticator.pk, type=authenticator.type,
                activated=True,
            )
