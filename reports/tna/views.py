"""Pages of training needs analysis rounds: officers open, list and close rounds; officers and
the LOD Group read a round's results (and export them as CSV); a safeguarding lead answers
for their own organisation and sees what it answered."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import TemplateView, View

from core.calendar import london_date
from core.dates import long_date
from core.exceptions import DomainError
from core.exports import export_response
from core.permissions import PermissionMixin
from core.words import plural
from evaluations.forms import AnswerForm

from . import policies, selectors, services, summaries
from .forms import RoundForm

PAGE_SIZE = 20


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _paged(context, page):
    context.update(page_obj=page, paginator=page.paginator,
                   is_paginated=page.paginator.num_pages > 1)
    return context


# Officers and the LOD Group --------------------------------------------------------------

class RoundListView(PermissionMixin, TemplateView):
    """Every round, newest first, with returns received of organisations asked."""

    permission_required = "reports.view_tna_results"
    template_name = "reports/tna/round_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = _page(self.request, selectors.rounds_list())
        rounds = list(page.object_list)
        returned = selectors.rounds_returned_organisations(rounds)
        asked_now = selectors.organisations_asked_ids()
        today = london_date(timezone.now())
        for r in rounds:
            r.asked = len(asked_now | returned[r.pk])
            r.state = policies.round_state(opens_on=r.opens_on, closes_on=r.closes_on,
                                           closed_at=r.closed_at, today=today)
            r.state_label = policies.STATE_LABELS[r.state]
        context.update(rounds=rounds, may_open=self.request.user.has_perm(
            "reports.add_tnaround"), may_close=self.request.user.has_perm(
            "reports.change_tnaround"))
        return _paged(context, page)


class RoundCreateView(PermissionMixin, TemplateView):
    permission_required = "reports.add_tnaround"
    template_name = "reports/tna/round_form.html"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=RoundForm()))

    def post(self, request, *args, **kwargs):
        form = RoundForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                tna_round, told = services.tna_round_open(
                    title=data["title"], opens_on=data["opens_on"],
                    closes_on=data["closes_on"], by=request.user, now=timezone.now())
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None,
                               error.message)
            else:
                if told:
                    text = (f"“{tna_round.title}” is open. "
                            f"{plural(told, 'safeguarding lead')} "
                            f"{'is' if told == 1 else 'are'} being emailed.")
                elif tna_round.opens_on > london_date(timezone.now()):
                    text = (f"“{tna_round.title}” will open on {long_date(tna_round.opens_on)}"
                            ": safeguarding leads are emailed that day.")
                else:
                    text = f"“{tna_round.title}” is open. No safeguarding lead to email yet."
                messages.success(request, text)
                return redirect("reports:tna-round-list")
        return self.render_to_response(self.get_context_data(form=form))


class RoundCloseView(PermissionMixin, TemplateView):
    """Close a round before its closing date (a confirmation page, then the POST)."""

    permission_required = "reports.change_tnaround"
    template_name = "reports/tna/round_close.html"

    def dispatch(self, request, *args, **kwargs):
        self.tna_round = None
        if request.user.is_authenticated:
            self.tna_round = selectors.round_for_change(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def _round(self):
        if self.tna_round is None:
            raise Http404("No training needs analysis round here.")
        return self.tna_round

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(tna_round=self._round()))

    def post(self, request, *args, **kwargs):
        tna_round = self._round()
        try:
            services.tna_round_close(tna_round=tna_round, by=request.user, now=timezone.now())
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"“{tna_round.title}” is closed: no more answers are "
                                      "taken.")
        return redirect("reports:tna-round-list")


class ResultsMixin(PermissionMixin):
    permission_required = "reports.view_tna_results"

    def dispatch(self, request, *args, **kwargs):
        self.tna_round = None
        if request.user.is_authenticated:
            self.tna_round = selectors.round_for_results(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def summary(self):
        if self.tna_round is None:
            raise Http404("No training needs analysis round here.")
        return summaries.round_summary(self.tna_round, now=timezone.now())


class RoundResultsView(ResultsMixin, TemplateView):
    template_name = "reports/tna/round_results.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        summary = self.summary()
        today = london_date(timezone.now())
        r = self.tna_round
        context.update(summary=summary, tna_round=r, state_label=policies.STATE_LABELS[
            policies.round_state(opens_on=r.opens_on, closes_on=r.closes_on,
                                 closed_at=r.closed_at, today=today)])
        return context


class RoundResultsExportView(ResultsMixin, View):
    """The summary as CSV (core.exports: formula-safe cells)."""

    def get(self, request, *args, **kwargs):
        summary = self.summary()
        return export_response(kind="csv",
                               filename=f"training-needs-analysis-{self.tna_round.pk}",
                               columns=summaries.SUMMARY_COLUMNS,
                               rows=summaries.summary_rows(summary),
                               title="Training needs analysis")


# A safeguarding lead ---------------------------------------------------------------------

class LeadRoundListView(PermissionMixin, TemplateView):
    """The rounds that have opened: the open ones to answer, and what was answered."""

    permission_required = "reports.answer_tna"
    template_name = "reports/tna/lead_rounds.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = london_date(timezone.now())
        page = _page(self.request, selectors.rounds_for_lead(user=self.request.user,
                                                             today=today))
        rounds = list(page.object_list)
        for r in rounds:
            r.state = policies.round_state(opens_on=r.opens_on, closes_on=r.closes_on,
                                           closed_at=r.closed_at, today=today)
            r.state_label = policies.STATE_LABELS[r.state]
        context.update(rounds=rounds, organisation=self.request.user.organisation,
                       no_organisation=(policies.NO_ORGANISATION
                                        if not self.request.user.organisation_id else None))
        return _paged(context, page)


class LeadRoundMixin(PermissionMixin):
    permission_required = "reports.answer_tna"

    def dispatch(self, request, *args, **kwargs):
        self.tna_round = None
        self.today = london_date(timezone.now())
        if request.user.is_authenticated:
            self.tna_round = selectors.round_for_lead(user=request.user, pk=kwargs["pk"],
                                                      today=self.today)
        return super().dispatch(request, *args, **kwargs)

    def _round(self):
        if self.tna_round is None:
            raise Http404("No training needs analysis for your organisation here.")
        return self.tna_round


class LeadAnswerView(LeadRoundMixin, TemplateView):
    """The questions of the round's version, answered once for the lead's organisation."""

    template_name = "reports/tna/answer_form.html"

    def _problem(self):
        r = self._round()
        returned = selectors.return_of_lead(user=self.request.user, tna_round=r)
        return returned, policies.answer_problem(
            opens_on=r.opens_on, closes_on=r.closes_on, closed_at=r.closed_at, today=self.today,
            has_organisation=self.request.user.organisation_id is not None,
            returned=returned is not None)

    def _form(self, data=None):
        return AnswerForm(data, version=self.tna_round.version, course=None)

    def get(self, request, *args, **kwargs):
        returned, problem = self._problem()
        if returned is not None:
            return redirect("reports:tna-return", pk=self.tna_round.pk)
        if problem:
            return self._closed(problem)
        return self.render_to_response(self.get_context_data(form=self._form()))

    def post(self, request, *args, **kwargs):
        returned, problem = self._problem()
        if problem:
            messages.error(request, problem)
            if returned is not None:
                return redirect("reports:tna-return", pk=self.tna_round.pk)
            return self._closed(problem)
        form = self._form(request.POST)
        if form.is_valid():
            try:
                services.tna_return_submit(tna_round=self.tna_round, user=request.user,
                                           data=request.POST, now=timezone.now())
            except DomainError as error:
                if error.code == "closed":
                    messages.error(request, error.message)
                    return redirect("reports:tna-mine")
                name = (error.field or "").removeprefix(f"{form.prefix}-")
                form.add_error(name if name in form.fields else None, error.message)
            else:
                messages.success(request, "Thank you: your organisation's answers are saved.")
                return redirect("reports:tna-return", pk=self.tna_round.pk)
        return self.render_to_response(self.get_context_data(form=form))

    def _closed(self, problem):
        self.template_name = "reports/tna/answer_closed.html"
        return self.render_to_response(self.get_context_data(problem=problem))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context.get("form")
        context.update(tna_round=self.tna_round, organisation=self.request.user.organisation,
                       forms=[form] if form else [],
                       has_errors=bool(form and form.errors))
        return context


class LeadReturnView(LeadRoundMixin, TemplateView):
    """What the lead's organisation answered to a round (its own return only)."""

    template_name = "reports/tna/return_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tna_round = self._round()
        tna_return = selectors.return_of_lead(user=self.request.user, tna_round=tna_round)
        if tna_return is None:
            raise Http404("Your organisation has not answered this round.")
        context.update(tna_round=tna_round, tna_return=tna_return,
                       answers=selectors.return_answers(tna_return))
        return context
