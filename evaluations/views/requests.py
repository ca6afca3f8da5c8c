"""The evaluation requests: a delegate's "Your evaluations" (what is left to complete), and the
officers' response rates per event and per course, with who has not responded and "send one
more reminder"."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from core.exceptions import DomainError
from core.permissions import PermissionMixin, SignedInMixin
from courses.models import Course

from ..models import EvaluationRequest
from ..selectors import requests as selectors
from ..services.requests import request_remind_by_officer

PAGE_SIZE = 20
RESULTS = "evaluations.view_evaluation_results"


def _page(request, rows, size=PAGE_SIZE):
    return Paginator(rows, size).get_page(request.GET.get("page"))


class RequestListView(SignedInMixin, TemplateView):
    """Your evaluations: the requests still to complete, each with its link to answer."""

    template_name = "evaluations/request_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        page = _page(self.request, selectors.requests_open_for(user=self.request.user, now=now))
        context.update(page_obj=page, object_list=page.object_list,
                       is_paginated=page.has_other_pages(), now=now)
        return context


class CourseFilterForm(forms.Form):
    course = forms.ModelChoiceField(
        queryset=Course.objects.order_by("title"), required=False, empty_label="Every course",
        label="Course")


class ResponseRateListView(PermissionMixin, TemplateView):
    """Response rates at each stage, per event (most recent first) and, with a course
    chosen, for the course as a whole (its events and e-learning)."""

    permission_required = RESULTS
    template_name = "evaluations/request_responserates.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = CourseFilterForm(self.request.GET or None)
        course = form.cleaned_data["course"] if form.is_valid() else None
        page = _page(self.request, selectors.events_with_requests(course=course))
        rates = selectors.response_rates_by_event(events=page.object_list)
        context.update(
            form=form, course=course, page_obj=page, is_paginated=page.has_other_pages(),
            rows=[(event, rates[event.pk]) for event in page.object_list],
            stages=selectors.stage_labels(),
            course_rates=(selectors.response_rates_for_course(course=course)
                          if course is not None else None),
        )
        if course is not None:
            # E-learning passes have no event page: who has not responded is listed here.
            waiting = Paginator(selectors.requests_not_responded_e_learning(course=course),
                                PAGE_SIZE).get_page(self.request.GET.get("waiting_page"))
            context.update(not_responded=waiting.object_list, waiting_page=waiting)
        return context


class RemindForm(forms.Form):
    request = forms.UUIDField(widget=forms.HiddenInput)
    expected_sent = forms.IntegerField(min_value=0, max_value=1000, widget=forms.HiddenInput)


class ResponseRateEventView(PermissionMixin, TemplateView):
    """One event: response rates at each stage and who has not responded (names: officers
    only), each with "send one more reminder"."""

    permission_required = RESULTS
    template_name = "evaluations/request_responserate_event.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        event = selectors.event_for_officer(pk=self.kwargs["pk"])
        page = _page(self.request, selectors.requests_not_responded(event=event,
                                                                   now=timezone.now()))
        context.update(event=event, rates=selectors.response_rates_for_event(event=event),
                       page_obj=page, is_paginated=page.has_other_pages(),
                       not_responded=page.object_list)
        return context


def _back(evaluation):
    """The page the button was on: the event's, or the course's (e-learning)."""
    if evaluation.event_id:
        return redirect("evaluations:responserate-event", pk=evaluation.event_id)
    return redirect(reverse("evaluations:responserate-list") + f"?course={evaluation.course_id}")


class RequestRemindView(PermissionMixin, View):
    """POST: one more reminder to one person who has not responded (audited; sent once even
    if the button is pressed twice: the reminder's number is in its purpose key)."""

    permission_required = RESULTS
    http_method_names = ["post"]

    def post(self, request):
        form = RemindForm(request.POST)
        evaluation = None
        if form.is_valid():
            evaluation = (EvaluationRequest.objects.select_related("user")
                          .filter(uid=form.cleaned_data["request"]).first())
        if evaluation is None:
            messages.error(request, "Choose someone who has not responded to send a reminder to.")
            return redirect("evaluations:responserate-list")
        back = _back(evaluation)
        try:
            request_remind_by_officer(request=evaluation, by=request.user,
                                      expected_sent=form.cleaned_data["expected_sent"],
                                      now=timezone.now())
        except DomainError as error:
            messages.error(request, str(error))
        else:
            who = evaluation.user.get_full_name().strip() or evaluation.user.email
            messages.success(request, f"A reminder is on its way to {who}.")
        return back
