"""The facilitator summary report: the page and the PDF (the same data), for the event's own
facilitators and L&D officer, and for officers; the officers' list of summaries with learning
gain per course."""


from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.generic import ListView, TemplateView

from core.models import Partnership
from core.permissions import AnyPermissionMixin, PermissionMixin
from courses.models import Course
from evaluations.selectors import summaries as selectors
from evaluations.services import summaries as services
from evaluations.views import QUERY_ID

SUMMARY_PERMISSIONS = (selectors.FACILITATE_PERMISSION, selectors.RESULTS_PERMISSION)


class SummaryEventMixin(AnyPermissionMixin):
    permission_required = SUMMARY_PERMISSIONS

    def get_summary(self):
        # A facilitator sees an event's summary only once it has ended; officers any time.
        event = selectors.summary_event(user=self.request.user, pk=self.kwargs["event_pk"],
                                        now=timezone.now())
        if event is None:
            raise Http404("Not one of your events, or it has not ended yet.")
        return selectors.event_summary(event=event)


class SummaryDetailView(SummaryEventMixin, TemplateView):
    """One event's summary: attendance, learning gain, Stage 1 distributions and comments (when
    enough delegates answered), the facilitators' feedback. No names."""

    template_name = "evaluations/summary_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        now = timezone.now()
        summary = self.get_summary()
        ctx.update(services.summary_context(summary=summary, now=now))
        ctx["due_on"] = services.summary_due_on(
            event_end=summary.event.end,
            days=summary.partnership.summary_report_days_after_event)
        ctx["report"] = getattr(summary.event, "summary_report", None)
        return ctx


class SummaryPdfView(SummaryEventMixin, TemplateView):
    """The same summary as a PDF (WeasyPrint)."""

    def get(self, request, *args, **kwargs):
        summary = self.get_summary()
        pdf = services.summary_pdf(summary=summary, now=timezone.now())
        response = HttpResponse(pdf, content_type="application/pdf")
        filename = services.summary_pdf_filename(summary.event)
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        return response


class SummaryListView(PermissionMixin, ListView):
    """Officers: the summaries of events that have ended, with when each is (or was) emailed,
    and, for one course, its learning gain over every event."""

    permission_required = selectors.RESULTS_PERMISSION
    template_name = "evaluations/summary_list.html"
    paginate_by = 25

    def get_queryset(self):
        self.now = timezone.now()
        self.courses = list(Course.objects.filter(events__isnull=False).distinct()
                            .order_by("title").only("pk", "title"))
        self.course = None
        raw = self.request.GET.get("course", "")
        if raw:
            if not QUERY_ID.match(raw):
                self.course_error = "Choose a course from the list."
            else:
                self.course = next((c for c in self.courses if c.pk == int(raw)), None)
                if self.course is None:
                    self.course_error = "Choose a course from the list."
        return selectors.summary_events_list(user=self.request.user, now=self.now,
                                             course=self.course)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(now=self.now, courses=self.courses, course=self.course,
                   course_error=getattr(self, "course_error", ""),
                   partnership=Partnership.load())
        if self.course is not None:
            gain, by_outcome, events = selectors.course_learning_gain(course=self.course)
            ctx.update(course_gain=gain, course_gain_by_outcome=by_outcome,
                       course_gain_events=events)
        return ctx
