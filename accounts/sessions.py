"""Staff sessions (issue 15): short, and ended when they should be.

- A staff member (accounts.roles.user_requires_mfa: the same people who must use two-factor
  authentication) is signed out after `Partnership.staff_session_idle_minutes` minutes
  without a request, and their session cookie lasts until the browser closes. Delegates keep
  the longer session (SESSION_COOKIE_AGE, or until the browser closes if they did not tick
  "Remember me").
- Changing a password (or setting or resetting it) or removing an authenticator ends the
  person's other sessions at once; the session that made the change stays signed in.

The time of a staff session's last request is kept in the session itself, to the minute: the
stamp is rewritten only when it is more than a minute old, so most requests neither write the
session nor read the settings, and a delegate's request costs nothing here (the roles it
reads are those the two-factor middleware reads next, cached on the user). Staff are
therefore signed out after between `minutes - 1` and `minutes` of true inactivity.

Django's database sessions cannot be searched by user, so each signed-in session is recorded
(accounts.models.UserSession) when the person signs in and removed when they sign out."""

import time
from importlib import import_module

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db import transaction
from django.urls import reverse
from django.utils.http import urlencode

from .middleware import ASSET_PREFIXES, ENTRANCE_PAGES, _redirect, _url_name
from .roles import user_requires_mfa

# The session keys: when this staff session last made a request (seconds since the epoch,
# rewritten at most once a minute).
LAST_SEEN = "_staff_last_seen"
STAMP_EVERY_SECONDS = 60

# Reasons recorded in the audit entry "Other sessions ended", and their words.
REASONS = {
    "password_changed": "Password changed",
    "password_set": "Password set",
    "password_reset": "Password reset",
    "password_changed_by_officer": "Password changed in the administration",
    "authenticator_removed": "Authenticator app removed",
}


def idle_message(minutes):
    unit = "minute" if minutes == 1 else "minutes"
    return (f"You were signed out because you were inactive for {minutes} {unit}. "
            "Sign in again to continue.")


def staff_session_start(request):
    """A staff member has just signed in: their session ends when the browser closes and its
    idle clock starts now."""
    request.session.set_expiry(0)
    request.session[LAST_SEEN] = int(time.time())


class StaffSessionMiddleware:
    """Signs out a staff session idle for longer than the partnership's setting (then sends the
    person to sign in, and back to the page they asked for) and keeps staff cookies to the
    browser session. Placed right after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        key_before = session.session_key if session is not None else None
        if session is not None and not request.path.startswith(ASSET_PREFIXES):
            self._staff_idle_check(request)
        response = self.get_response(request)
        if session is not None:
            self._after(request, response, key_before)
        return response

    @staticmethod
    def _staff_idle_check(request):
        user = request.user
        if not user.is_authenticated or not user_requires_mfa(user):
            return
        session = request.session
        now = int(time.time())
        seen = session.get(LAST_SEEN)
        if seen is not None and now - seen <= STAMP_EVERY_SECONDS:
            # Seen within the last minute: not idle (the setting is at least a minute).
            if not session.get_expire_at_browser_close():
                session.set_expiry(0)
            return
        if seen is not None:
            from core.models import Partnership

            minutes = Partnership.load().staff_session_idle_minutes
            if now - seen > minutes * 60:
                logout(request)
                request.staff_session_idle_minutes = minutes
                return
        session[LAST_SEEN] = now
        if not session.get_expire_at_browser_close():
            session.set_expiry(0)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """After an idle sign-out (here, once the messages middleware has run): say why, and
        send the person to sign in, then back to where they were going."""
        minutes = getattr(request, "staff_session_idle_minutes", None)
        if minutes is None:
            return None
        messages.info(request, idle_message(minutes))
        if _url_name(request) in ENTRANCE_PAGES:
            return None
        if getattr(request, "htmx", False) and request.htmx.current_url_abs_path:
            next_url = request.htmx.current_url_abs_path
        else:
            next_url = request.get_full_path()
        return _redirect(request, f"{reverse('account_login')}?{urlencode({'next': next_url})}")

    @staticmethod
    def _after(request, response, key_before):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return
        session = request.session
        if getattr(request, "staff_session_started", False):
            # allauth's "Remember me" sets the expiry after signing in: a staff cookie still
            # ends with the browser.
            if not session.get_expire_at_browser_close():
                session.set_expiry(0)
        # The administration's password pages (no signal of their own).
        match = getattr(request, "resolver_match", None)
        if (match is not None and request.method == "POST" and response.status_code == 302
                and match.view_name in ("admin:auth_user_password_change",
                                        "admin:password_change")):
            if match.view_name == "admin:password_change":
                changed = user
            else:
                from .models import User

                changed = User.objects.filter(pk=match.kwargs.get("id")).first()
            if changed is not None:
                user_sessions_end(
                    user=changed,
                    keep_session_key=session.session_key if changed.pk == user.pk else None,
                    reason=("password_changed" if changed.pk == user.pk
                            else "password_changed_by_officer"),
                    actor=user,
                )
            return
        # The session's key changed without a sign-in (Django's update_session_auth_hash):
        # follow it, so that a later change still finds this session.
        key_after = session.session_key
        if (key_before and key_after and key_after != key_before
                and not getattr(request, "user_session_recorded", False)):
            from .models import UserSession

            UserSession.objects.filter(user=user, session_key=key_before).update(
                session_key=key_after)


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def user_sessions_end(*, user, reason, keep_session_key=None, actor=None):
    """End every session of `user` but `keep_session_key` (the one making the change, when it
    is theirs), at once, and record it. Returns how many were ended."""
    from core.audit import audit_record

    from .models import UserSession

    with transaction.atomic():
        others = UserSession.objects.select_for_update().filter(user=user)
        if keep_session_key:
            others = others.exclude(session_key=keep_session_key)
        keys = list(others.values_list("session_key", flat=True))
        store = _session_store()
        ended = 0
        for key in keys:
            # (The key of the session making the change may have been cycled away already.)
            if store().exists(key):
                store().delete(key)
                ended += 1
        UserSession.objects.filter(session_key__in=keys).delete()
        if keep_session_key:
            UserSession.objects.update_or_create(session_key=keep_session_key,
                                                 defaults={"user": user})
        if ended:
            audit_record(actor=actor or user, action="user.other_sessions_ended", target=user,
                         details={"reason": reason, "sessions_ended": ended})
    return ended


# Signal receivers (connected in accounts.apps).

def on_user_logged_in(sender, request, user, **kwargs):
    from .models import UserSession

    session = getattr(request, "session", None)
    if session is None:
        return
    if session.session_key is None:
        session.save()
    _prune(user)
    UserSession.objects.update_or_create(session_key=session.session_key,
                                         defaults={"user": user})
    request.user_session_recorded = True
    if user_requires_mfa(user):
        staff_session_start(request)
        request.staff_session_started = True


def _prune(user):
    """Forget the person's sessions that have expired (database sessions only)."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from .models import UserSession

    if settings.SESSION_ENGINE not in ("django.contrib.sessions.backends.db",
                                       "django.contrib.sessions.backends.cached_db"):
        return
    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    UserSession.objects.filter(user=user).exclude(session_key__in=live).delete()


def on_user_logged_out(sender, request, user, **kwargs):
    from .models import UserSession

    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        UserSession.objects.filter(session_key=session.session_key).delete()


def _current_key_if_theirs(request, user):
    session = getattr(request, "session", None)
    request_user = getattr(request, "user", None)
    if (session is not None and request_user is not None and request_user.is_authenticated
            and request_user.pk == user.pk):
        return session.session_key
    return None


def _on_password(reason):
    def receiver(sender, request, user, **kwargs):
        _end_others(request, user, reason)
    return receiver


on_password_changed = _on_password("password_changed")
on_password_set = _on_password("password_set")
on_password_reset = _on_password("password_reset")


def on_authenticator_removed(sender, request, user, authenticator, **kwargs):
    _end_others(request, user, "authenticator_removed")


def _end_others(request, user, reason):
    keep = _current_key_if_theirs(request, user)
    user_sessions_end(user=user, reason=reason, keep_session_key=keep)
    if keep:
        request.user_session_recorded = True


def connect_receivers():
    from allauth.account import signals as account_signals
    from allauth.mfa import signals as mfa_signals
    from django.contrib.auth import signals as auth_signals

    from core.audit_words import (
        register_action_words,
        register_detail_words,
        register_value_words,
    )

    auth_signals.user_logged_in.connect(on_user_logged_in, dispatch_uid="accounts.sessions.in")
    auth_signals.user_logged_out.connect(on_user_logged_out,
                                         dispatch_uid="accounts.sessions.out")
    account_signals.password_changed.connect(on_password_changed,
                                             dispatch_uid="accounts.sessions.password_changed")
    account_signals.password_set.connect(on_password_set,
                                         dispatch_uid="accounts.sessions.password_set")
    account_signals.password_reset.connect(on_password_reset,
                                           dispatch_uid="accounts.sessions.password_reset")
    mfa_signals.authenticator_removed.connect(
        on_authenticator_removed, dispatch_uid="accounts.sessions.authenticator_removed")
    register_action_words({"user.other_sessions_ended": "Other sessions ended"})
    register_detail_words({"sessions_ended": "Sessions ended"})
    register_value_words(REASONS)
