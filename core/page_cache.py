"""The pages every anonymous visitor sees alike, cached whole (issue 14): the catalogue for a
query, a course's page, an event's page.

Entries carry versions. A page depends on "scopes" ("site" for everything, "catalogue" for
every course and event list, "event:<pk>" for one event); its entry (one per page and query)
holds the version of each scope it was drawn with, and is served only while they are still
the current ones (read in the same round trip as the entry). A change that alters a page
replaces the version of its scopes with a new random token, so the next visitor draws the
page again and stores it over the old one. A token is never reused (not a counter that a
lost or culled key would start again), so an entry drawn before a change can never match
again; entries expire after PAGE_CACHE_SECONDS at most.

The versions change after the transaction commits (transaction.on_commit): a page drawn
while the change was in flight is stored with the old versions, and the new ones are only
seen once the change can be read. Apps say which of their models alter public pages with
`watch(model, scopes)` (courses/page_cache.py, bookings/page_cache.py): saving or deleting
one (or changing one of its many-to-many fields) bumps the scopes returned for it. A
queryset.update() sends no signal: code changing a watched row that way must save a watched
row in the same transaction or call bump() (bookings change Event.places_taken with an
update, always beside a saved booking, which bumps the event).

Time changes pages too (an event starts and leaves the lists; "today" moves on): an entry
ends at the next such moment the view names (page_cache_expires) or at midnight, counted
from the moment before the page was drawn.

Only what is identical for every anonymous visitor is stored: never for a signed-in user,
a request with messages waiting, query parameters the page does not know (they would be
echoed in its links), or a response that used the request's CSRF token or CSP nonce or set
a cookie. A cache outage never fails a page: it is drawn as if nothing were cached."""

import hashlib
import logging
import uuid
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone

log = logging.getLogger(__name__)

SITE = "site"
CATALOGUE = "catalogue"


def event_scope(pk):
    return f"event:{pk}"


def enabled():
    return getattr(settings, "PAGE_CACHE_ENABLED", False)


def _cache():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


def _version_key(scope):
    return f"page-version:{scope}"


# Versions ------------------------------------------------------------------------------------

def versions(scopes, *, also=None):
    """{scope: token} for the scopes, making a token for a scope that has none yet; with
    `also` (a cache key), that key's value too, read in the same round trip."""
    cache = _cache()
    keys = {_version_key(s): s for s in scopes}
    found = cache.get_many(list(keys) + ([also] if also else []))
    for key in keys:
        if key not in found:
            token = uuid.uuid4().hex
            found[key] = token if cache.add(key, token, None) else cache.get(key, token)
    tokens = {scope: found[key] for key, scope in keys.items()}
    return (tokens, found.get(also)) if also else tokens


def _write(scopes):
    try:
        _cache().set_many({_version_key(s): uuid.uuid4().hex for s in scopes}, None)
    except Exception:  # a cache outage must not undo or fail the change itself
        log.exception("page cache: could not bump %s", sorted(scopes))


def bump(*scopes):
    """The pages of these scopes change: new versions once the transaction commits (at once
    outside one)."""
    scopes = frozenset(scopes)
    if scopes and enabled():
        transaction.on_commit(lambda: _write(scopes), robust=True)


def watch(model, scopes):
    """Saving or deleting a `model` row (or changing its many-to-many fields) bumps
    `scopes(instance)`, a list of scope names."""
    uid = f"page_cache:{model._meta.label}"

    def changed(sender, instance, **kwargs):
        if kwargs.get("raw"):
            return  # loading fixtures
        if kwargs.get("action", "post_").startswith("pre_"):
            return
        if kwargs.get("reverse"):
            bump(SITE)  # changed from the other model's side: rare, so everything
            return
        bump(*scopes(instance))

    post_save.connect(changed, sender=model, weak=False, dispatch_uid=uid + ":save")
    post_delete.connect(changed, sender=model, weak=False, dispatch_uid=uid + ":delete")
    for field in model._meta.local_many_to_many:
        m2m_changed.connect(changed, sender=field.remote_field.through, weak=False,
                            dispatch_uid=f"{uid}:{field.name}")


# Pages ---------------------------------------------------------------------------------------

def _visitor_is_anonymous(request):
    user = getattr(request, "user", None)
    return user is not None and not user.is_authenticated


def _no_messages(request):
    return len(messages.get_messages(request)) == 0


MAX_VALUE_LENGTH = 100


def _params(request, allowed):
    """The query as (name, value) pairs, sorted; None if it has a parameter the page does not
    know, one given twice, a long value or a page that is not a plain number: those pages
    are drawn each time, so a flood of made-up queries cannot fill the cache."""
    pairs = []
    for name in request.GET:
        values = request.GET.getlist(name)
        if name not in allowed or len(values) != 1 or len(values[0]) > MAX_VALUE_LENGTH:
            return None
        if name == "page" and not (values[0].isdigit() and len(values[0]) <= 4):
            return None
        pairs.append((name, values[0]))
    return sorted(pairs)


def _expires_in(expires_at, now):
    limit = getattr(settings, "PAGE_CACHE_SECONDS", 300)
    seconds = limit if expires_at is None else min(limit, (expires_at - now).total_seconds())
    return int(seconds)


def next_midnight(now):
    """Pages say "today", working days and dates that passed: drawn again each day."""
    today = timezone.localdate(now)
    return timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))


class AnonymousPageCacheMixin:
    """A view whose page is the same for every anonymous visitor with the same query.

    page_cache_name: a name for the page's keys. page_cache_params: the query parameters it
    understands. page_cache_scopes(): the scopes its content depends on. page_cache_expires(
    now): when the page would change by itself (an event starts), or None; called after the
    page is drawn (self.object etc. are set)."""

    page_cache_name = ""
    page_cache_params = ()

    def page_cache_scopes(self):
        return [SITE, CATALOGUE]

    def page_cache_expires(self, now):
        return None

    def _page_cache_key(self, request):
        if not enabled() or request.method not in ("GET", "HEAD"):
            return None
        params = _params(request, self.page_cache_params)
        if params is None or not _visitor_is_anonymous(request) or not _no_messages(request):
            return None
        htmx = (request.headers.get("HX-Request", ""),
                request.headers.get("HX-History-Restore-Request", ""))
        raw = repr((self.page_cache_name, sorted(self.kwargs.items()), params, htmx))
        return f"page:{self.page_cache_name}:{hashlib.sha256(raw.encode()).hexdigest()}"

    def _page_cache_lookup(self, request):
        """(key, the versions now, the stored entry if it was drawn with these versions).
        The entry carries the versions it was drawn with: one round trip reads both, and a
        page drawn before a change no longer matches once the change is committed."""
        key = self._page_cache_key(request)
        if key is None:
            return None, None, None
        tokens, entry = versions(self.page_cache_scopes(), also=key)
        if entry is not None and entry.get("versions") != tokens:
            entry = None
        return key, tokens, entry

    def dispatch(self, request, *args, **kwargs):
        try:
            key, tokens, entry = self._page_cache_lookup(request)
        except Exception:
            log.exception("page cache: could not read")
            key = entry = None
        if entry is not None:
            response = HttpResponse(entry["content"], content_type=entry["content_type"])
            if entry["vary"]:
                response["Vary"] = entry["vary"]
            return response
        drawn_at = timezone.now()
        response = super().dispatch(request, *args, **kwargs)
        if key is not None and self._page_cache_storable(request, response):
            self._page_cache_store(key, tokens, response, drawn_at=drawn_at)
        return response

    def _page_cache_storable(self, request, response):
        return response.status_code == 200 and not response.streaming

    def _page_cache_store(self, key, tokens, response, *, drawn_at):
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        nonce = getattr(self.request, "_csp_nonce", None)
        if (response.cookies or self.request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
                or (nonce is not None and bool(nonce))):
            return  # the page holds this visitor's CSRF token or CSP nonce, or sets a cookie
        # The page's own clock is the moment before it was drawn: an event that started while
        # it was drawing may show as not started, so the entry must end at that start (already
        # past: not stored), not at the next moment after it.
        expires = [e for e in (self.page_cache_expires(drawn_at), next_midnight(drawn_at)) if e]
        timeout = _expires_in(min(expires), timezone.now())
        if timeout < 1:
            return
        entry = {"versions": tokens, "content": response.content,
                 "content_type": response["Content-Type"], "vary": response.get("Vary", "")}
        try:
            _cache().set(key, entry, timeout)
        except Exception:
            log.exception("page cache: could not store")
