"""Charge pages (issue 10): the decision queue and one charge's decision (L&D officers decide;
business support reads), and the public charging policy. Thin views: a selector scoped to
the user fetches, a form parses, one service writes, a DomainError becomes a message."""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, ListView, TemplateView

from accounts.models import Sector
from core.calendar import add_working_days, working_days_between
from core.exceptions import DomainError
from core.models import Partnership
from core.permissions import PermissionMixin
from core.words import notice

from .. import policies
from ..forms import ChargeDecisionForm, ChargeSearchForm
from ..models import ChargeStatus
from ..selectors import charges as selectors
from ..services.charges import charge_decide, charge_settings

TAB_LABELS = [("pending", "Waiting for a decision"), ("applied", "Applied"),
              ("waived", "Waived")]

# The policy page's worked example: DOMAIN.md's event over Christmas 2026 (25 and 28 December
# are bank holidays).
EXAMPLE_EVENT_DAY = date(2026, 12, 29)


def notice_example(required, event_day=EXAMPLE_EVENT_DAY):
    """(last day cancelling is in time, first working day it is late) for an event on
    `event_day` with `required` working days' notice, by the same calendar that decides."""
    in_time = event_day - timedelta(days=1)
    while working_days_between(in_time, event_day) < required:
        in_time -= timedelta(days=1)
    return in_time, add_working_days(in_time, 1)


class ChargeListView(PermissionMixin, ListView):
    """The charges, by tab: waiting for a decision (late cancellations, no-shows who
    contacted the team), applied, waived. Decided cases stay findable: search by delegate or
    organisation, filter by kind."""

    permission_required = "charging.view_charge"
    template_name = "charging/charge_list.html"
    paginate_by = 25

    def get_queryset(self):
        self.tab = self.request.GET.get("tab", "pending")
        if self.tab not in selectors.TABS:
            self.tab = "pending"
        self.search_form = ChargeSearchForm(self.request.GET or None)
        search = kind = ""
        if self.search_form.is_bound and self.search_form.is_valid():
            search = self.search_form.cleaned_data["q"].strip()
            kind = self.search_form.cleaned_data["kind"]
        self.filtered = bool(search or kind)
        return selectors.charges_queue(user=self.request.user, tab=self.tab, search=search,
                                       kind=kind)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = selectors.charge_counts(user=self.request.user)
        query = self.request.GET.copy()
        query.pop("page", None)
        tabs = []
        for key, label in TAB_LABELS:
            query["tab"] = key
            tabs.append({"key": key, "label": label, "count": counts[key],
                         "url": f"?{query.urlencode()}", "current": key == self.tab})
        context.update(tab=self.tab, tabs=tabs, search_form=self.search_form,
                       filtered=self.filtered, tab_label=dict(TAB_LABELS)[self.tab],
                       can_decide=self.request.user.has_perm("charging.decide_charge"))
        return context


class ChargeDecideView(PermissionMixin, FormView):
    """One charge: the booking and what happened, the reason in words, and the decision
    (apply, or waive with a reason). Business support reads it; officers decide, and may
    change their decision until the charge is invoiced."""

    permission_required = "charging.view_charge"
    template_name = "charging/charge_decide.html"
    form_class = ChargeDecisionForm

    def dispatch(self, request, *args, **kwargs):
        self.charge = None
        if request.user.is_authenticated:
            self.charge = selectors.charge_for_decision(user=request.user, uid=kwargs["uid"])
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        if self.charge is None:
            raise Http404("No charge here.")
        return super().get_form(form_class)

    def get_initial(self):
        charge = self.charge
        if charge is None or charge.decided_by_id is None:
            return {}
        return {"decision": "apply" if charge.status == ChargeStatus.APPLIED else "waive",
                "waiver_reason": charge.waiver_reason, "note": charge.decision_note}

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("charging.decide_charge"):
            raise PermissionDenied("Only the training team decides charges.")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            charge = charge_decide(
                charge=self.charge, by=self.request.user, apply=form.apply,
                waiver_reason=form.cleaned_data.get("waiver_reason", ""),
                note=form.cleaned_data.get("note", ""), now=timezone.now())
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)
        delegate = charge.booking.delegate
        name = delegate.get_full_name() or delegate.email
        if charge.status == ChargeStatus.APPLIED:
            words = f"the {policies.money(charge.amount)} charge applies"
        else:
            words = (f"the charge is waived ({charge.get_waiver_reason_display().lower()})")
        messages.success(self.request, f"Decision saved for {name}: {words}. We have emailed "
                                       "them.")
        return redirect(f"{reverse('charging:charge-list')}?tab=pending")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        charge = self.charge
        line = getattr(charge, "invoice_line", None) if charge else None
        context.update(
            charge=charge, booking=charge.booking, event=charge.booking.event,
            course=charge.booking.event.course, invoice_line=line,
            can_decide=self.request.user.has_perm("charging.decide_charge") and line is None,
            history=selectors.charge_history(charge=charge),
            amount=policies.money(charge.amount),
            sector_label=dict(Sector.choices).get(charge.sector, charge.sector),
        )
        return context


class ChargingPolicyView(TemplateView):
    """The charging policy, public, written from the partnership's current settings: the same
    numbers charging.policies charges with, so the page can never disagree with a charge."""

    template_name = "charging/policy_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        partnership = Partnership.load()
        settings = charge_settings(partnership)
        money = policies.money
        rows = [
            {"what": "Attending a course", "full": money(settings.fee_attendance_full_day),
             "half": money(settings.fee_attendance_half_day),
             "who": "Private or profit-making organisations only, invoiced after the event."},
            {"what": f"Cancelling with less than {notice(settings.notice_working_days)} "
                     "(a late cancellation)",
             "full": money(settings.fee_late_cancellation_full_day),
             "half": money(settings.fee_late_cancellation_half_day),
             "who": "Any organisation, if the training team decides the charge applies."},
            {"what": "Not attending (a no-show)",
             "full": money(settings.fee_no_show_full_day),
             "half": money(settings.fee_no_show_half_day),
             "who": "Any organisation. Without contacting the training team before the "
                    "session the charge applies unless the team waives it; having contacted "
                    "the team, the team decides."},
            {"what": f"Not admitted: arriving more than {settings.late_minutes_full_day} "
                     f"minutes late for a full day ({settings.late_minutes_half_day} for half "
                     "a day or less) without contacting the training team",
             "full": money(settings.fee_not_admitted_full_day),
             "half": money(settings.fee_not_admitted_half_day),
             "who": "Any organisation, unless the training team waives it."},
            {"what": "Giving your place to a colleague from the same organisation",
             "full": "Free", "half": "Free", "who": "Nobody."},
        ]
        in_time, late = notice_example(settings.notice_working_days)
        context.update(rows=rows, settings=settings, partnership=partnership,
                       example_event=EXAMPLE_EVENT_DAY, example_in_time=in_time,
                       example_late=late)
        return context
