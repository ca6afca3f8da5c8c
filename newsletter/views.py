"""The training newsletter (DDSCP: "The Business Support Officer sends out regular emails
promoting all new events and courses"): business support composes it from upcoming events,
previews the email, and sends it; every email carries an opt-out link."""

import base64
import hashlib
from datetime import timedelta
from html.parser import HTMLParser

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.decorators import method_decorator
from django.utils.html import escape
from django.views import View
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import FormView, ListView, TemplateView

from core.exceptions import DomainError
from core.permissions import PermissionMixin

from . import policies, selectors, services
from .forms import NewsletterForm
from .models import Newsletter

ALREADY_SENDING = ("newsletter_sent", "newsletter_sending")


def newsletter_of(*, user, pk):
    """A newsletter the user may see (business support), or 404."""
    return get_object_or_404(selectors.newsletters_visible_to(user=user), pk=pk)


class NewsletterListView(PermissionMixin, ListView):
    """Business support: the newsletters, drafts and sent, newest first."""

    permission_required = "newsletter.view_newsletter"
    template_name = "newsletter/newsletter_list.html"
    paginate_by = 20

    def get_queryset(self):
        return selectors.newsletters_visible_to(user=self.request.user)


class NewsletterFormMixin:
    """Compose or change a newsletter: the event checkboxes list upcoming events, with those
    created since the last newsletter marked as new."""

    form_class = NewsletterForm
    template_name = "newsletter/newsletter_form.html"

    def get_form_kwargs(self):
        self.now = timezone.now()
        return {**super().get_form_kwargs(), "now": self.now}

    def new_event_ids(self):
        if not hasattr(self, "_new_event_ids"):
            self._new_event_ids = selectors.newsletter_new_event_ids(now=self.now)
        return self._new_event_ids

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["new_event_ids"] = set(self.new_event_ids())
        return ctx


class NewsletterCreateView(PermissionMixin, NewsletterFormMixin, FormView):
    permission_required = "newsletter.add_newsletter"

    def get_initial(self):
        return {"events": selectors.newsletter_default_event_ids(now=self.now)}

    def form_valid(self, form):
        newsletter = services.newsletter_create(
            by=self.request.user, now=self.now, **form.cleaned_data)
        messages.success(self.request, f"“{newsletter.subject}” is saved as a draft. Check how "
                                       "the email looks, then send it.")
        return redirect("courses:newsletter-preview", pk=newsletter.pk)


class NewsletterUpdateView(PermissionMixin, NewsletterFormMixin, FormView):
    permission_required = "newsletter.change_newsletter"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.has_perm(self.permission_required):
            self.newsletter = newsletter_of(user=request.user, pk=kwargs["pk"])
            if self.newsletter.status != Newsletter.Status.DRAFT:
                messages.info(request, f"“{self.newsletter.subject}” has been sent, so it can no "
                                       "longer be changed.")
                return redirect("courses:newsletter-preview", pk=self.newsletter.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"subject": self.newsletter.subject,
                "introduction": self.newsletter.introduction,
                "events": list(self.newsletter.events.values_list("pk", flat=True))}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "newsletter": self.newsletter}

    def form_valid(self, form):
        try:
            newsletter = services.newsletter_update(
                newsletter=self.newsletter, by=self.request.user, **form.cleaned_data)
        except DomainError as exc:
            if exc.code in ALREADY_SENDING:
                messages.warning(self.request, exc.message)
                return redirect("courses:newsletter-preview", pk=self.newsletter.pk)
            form.add_error(exc.field, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, f"“{newsletter.subject}” is saved.")
        return redirect("courses:newsletter-preview", pk=newsletter.pk)


class NewsletterPreviewView(PermissionMixin, TemplateView):
    """The email exactly as it will arrive (its HTML and its plain-text part, rendered by the
    same code that sends it), and where the newsletter stands."""

    permission_required = "newsletter.view_newsletter"
    template_name = "newsletter/newsletter_preview.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        newsletter = newsletter_of(user=self.request.user, pk=kwargs["pk"])
        subject, text, html = services.newsletter_preview(
            newsletter=newsletter, user=self.request.user)
        # The plain-text part comes from a .txt template rendered with autoescape off, and
        # render_to_string marks it safe: it holds the subject, introduction, course titles
        # and venue names as typed, so it is escaped here, where it becomes part of a page.
        # The HTML part is shown by NewsletterEmailView, in the frame.
        ctx.update(newsletter=newsletter, email_subject=subject, email_text=escape(text),
                   email_html=html)
        if newsletter.status == Newsletter.Status.DRAFT:
            ctx["recipient_count"] = selectors.newsletter_recipients().count()
        return ctx


class NewsletterTestView(PermissionMixin, View):
    """"Send a test to me": the newsletter goes to the person asking, subject "Test: ...", and
    nothing else changes (a draft stays a draft). POST only, from the preview page."""

    permission_required = "newsletter.send_newsletter"
    http_method_names = ["post"]

    def post(self, request, pk):
        newsletter = newsletter_of(user=request.user, pk=pk)
        services.newsletter_test_send(newsletter=newsletter, by=request.user, now=timezone.now())
        messages.success(request, f"A test of “{newsletter.subject}” is on its way to "
                                  f"{request.user.email}. Nobody else gets it.")
        return redirect("courses:newsletter-preview", pk=newsletter.pk)


# The HTML email as its own document, for the preview's frame. It keeps the inline styles
# that mail programs need, which the site's policy refuses (a srcdoc frame would inherit that
# policy), so it has a policy of its own: no script from anywhere, exactly the inline styles
# this email has (each allowed by its hash, never 'unsafe-inline'), images, and a sandbox;
# only this site may frame it.
EMAIL_DOCUMENT_CSP = {
    "default-src": [CSP.NONE],
    "img-src": [CSP.SELF, "data:", "https:"],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.NONE],
    "frame-ancestors": [CSP.SELF],
    "sandbox": "allow-same-origin allow-popups allow-popups-to-escape-sandbox",
}


class _InlineStyles(HTMLParser):
    """The style="" values and <style> blocks of an HTML document, as the browser reads them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found, self._in_style = [], False

    def handle_starttag(self, tag, attrs):
        self.found += [value for name, value in attrs if name == "style" and value]
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.found.append(data)


def inline_style_hashes(html):
    parser = _InlineStyles()
    parser.feed(html)
    parser.close()
    return sorted({"'sha256-%s'" % base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()
                   for s in parser.found})


@method_decorator(xframe_options_sameorigin, name="dispatch")
class NewsletterEmailView(PermissionMixin, View):
    """The newsletter's HTML part as `user` would receive it, framed by the preview page."""

    permission_required = "newsletter.view_newsletter"

    def get(self, request, pk):
        newsletter = newsletter_of(user=request.user, pk=pk)
        _subject, _text, html = services.newsletter_preview(newsletter=newsletter,
                                                            user=request.user)
        response = HttpResponse(html, content_type="text/html; charset=utf-8")
        response["Cache-Control"] = "private, no-store"
        hashes = inline_style_hashes(html)
        response._csp_config = {
            **EMAIL_DOCUMENT_CSP,
            "style-src": ["'unsafe-hashes'", *hashes] if hashes else [CSP.NONE],
        }
        return response


class NewsletterSendView(PermissionMixin, TemplateView):
    """Confirm, then send: the POST is refused (with a message) if the newsletter is already
    being sent or was sent, so a second click or a double POST sends nothing twice."""

    permission_required = "newsletter.send_newsletter"
    template_name = "newsletter/newsletter_send.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.has_perm(self.permission_required):
            self.newsletter = newsletter_of(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if self.newsletter.status != Newsletter.Status.DRAFT:
            messages.info(request, f"“{self.newsletter.subject}” has already been sent.")
            return redirect("courses:newsletter-preview", pk=self.newsletter.pk)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(newsletter=self.newsletter,
                   recipient_count=selectors.newsletter_recipients().count(),
                   events=list(selectors.newsletter_events(newsletter=self.newsletter)))
        ctx.setdefault("form", forms.Form())
        return ctx

    def post(self, request, *args, **kwargs):
        try:
            newsletter = services.newsletter_send(
                newsletter=self.newsletter, by=request.user, now=timezone.now())
        except DomainError as exc:
            if exc.code in ALREADY_SENDING:
                messages.warning(request, exc.message)
                return redirect("courses:newsletter-preview", pk=self.newsletter.pk)
            form = forms.Form(data={})
            form.add_error(None, exc.message)
            return self.render_to_response(self.get_context_data(form=form))
        count = newsletter.deliveries.count()
        people = "1 person" if count == 1 else f"{count} people"
        messages.success(request, f"“{newsletter.subject}” is on its way to {people}.")
        return redirect("courses:newsletter-preview", pk=newsletter.pk)


@method_decorator(csrf_exempt, name="dispatch")
class NewsletterUnsubscribeView(View):
    """Anyone holding an opt-out link, signed in or not: the signed token in the link says
    whose it is. GET only asks (link scanners in mail systems open every link, and must not
    unsubscribe anyone); the POST stops the newsletter.

    CSRF is exempt because the token is the credential, and mail programs' own "unsubscribe"
    button (List-Unsubscribe-Post, RFC 8058) POSTs here without a cookie or a form."""

    template_name = "newsletter/newsletter_unsubscribe.html"

    def _check(self, request):
        token = request.GET.get("token") or request.POST.get("token", "")
        if not token:
            return token, None, "missing"
        check = policies.newsletter_unsubscribe_check(
            token=token, max_age=timedelta(days=settings.NEWSLETTER_UNSUBSCRIBE_MAX_AGE_DAYS))
        if check.problem:
            return token, None, check.problem
        person = selectors.newsletter_subscriber(user_id=check.user_id)
        return token, person, "" if person else "invalid"

    def _render(self, request, state, *, token="", person=None):
        status = 400 if state in ("invalid", "expired") else 200
        return render(request, self.template_name,
                      {"state": state, "token": token, "person": person}, status=status)

    def get(self, request):
        token, person, problem = self._check(request)
        if problem:
            return self._render(request, problem)
        state = "confirm" if person.newsletter_opt_in else "already"
        return self._render(request, state, token=token, person=person)

    def post(self, request):
        token, person, problem = self._check(request)
        if problem:
            return self._render(request, problem)
        services.newsletter_unsubscribe(user=person, now=timezone.now())
        return self._render(request, "done", person=person)
