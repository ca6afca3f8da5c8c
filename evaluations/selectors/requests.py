"""Reads of the evaluation timeline, scoped to who asks: a delegate reaches their own
requests only (someone else's uid is not found), officers read response rates and the names
of those who have not responded (facilitators never do)."""

from dataclasses import dataclass

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q
from django.http import Http404

from courses.models import Event

from .. import policies
from ..models import EvaluationRequest, RequestKind

STAGES = (RequestKind.PRE, RequestKind.STAGE_1, RequestKind.STAGE_2, RequestKind.FACILITATOR)
# Asked: sent (or answered from the list before the sweep sent it), and not withdrawn; a
# pre-course questionnaire closed by the event itself (withdrawn when the register is marked
# or the event starts) was asked and not answered, so it still counts: only one withdrawn
# before the event (the place or the event cancelled) is left out.
ASKED = (Q(requested_at__isnull=False) | Q(completed_at__isnull=False)) & (
    Q(withdrawn_at__isnull=True)
    | Q(kind=RequestKind.PRE, withdrawn_at__gte=F("event__start")))
ANSWERED = Q(completed_at__isnull=False)


def requests_open_for(*, user, now):
    """A delegate's (or facilitator's) evaluations to complete: due, unanswered, not
    withdrawn; a pre-course questionnaire only until its event starts (policies)."""
    return (EvaluationRequest.objects
            .filter(user=user, completed_at__isnull=True, withdrawn_at__isnull=True,
                    due_at__lte=now)
            .exclude(kind=RequestKind.PRE, event__start__lte=now)
            .select_related("course", "event", "event__venue").order_by("due_at", "pk"))


def requests_open_count(*, user, now):
    return requests_open_for(user=user, now=now).count()


def request_of(*, user, uid):
    """One request of `user` by its uid: anyone else's (or a made-up uid) is not found."""
    request = (EvaluationRequest.objects.select_related("course", "event", "booking",
                                                         "completion")
               .filter(uid=uid, user=user).first())
    if request is None:
        raise Http404("No such evaluation.")
    return request


@dataclass(frozen=True)
class Rate:
    kind: str
    label: str
    asked: int
    answered: int

    @property
    def percent(self):
        return policies.response_rate(asked=self.asked, answered=self.answered)

    @property
    def not_answered(self):
        return self.asked - self.answered


def _rates(rows):
    """{kind: Rate} for each stage, from rows of kind, asked, answered."""
    found = {row["kind"]: row for row in rows}
    return [Rate(kind=kind, label=RequestKind(kind).label,
                 asked=found.get(kind, {}).get("asked", 0),
                 answered=found.get(kind, {}).get("answered", 0)) for kind in STAGES]


def stage_labels():
    return [RequestKind(kind).label for kind in STAGES]


def _counted(requests):
    return requests.values("kind").order_by("kind").annotate(
        asked=Count("pk", filter=ASKED), answered=Count("pk", filter=ANSWERED))


def response_rates_for_event(*, event):
    return _rates(_counted(EvaluationRequest.objects.filter(event=event)))


def response_rates_for_course(*, course):
    """Every event of the course, and its e-learning passes."""
    return _rates(_counted(EvaluationRequest.objects.filter(course=course)))


def events_with_requests(*, course=None):
    """Events someone has been asked to evaluate, most recent first (officers)."""
    events = (Event.objects.filter(evaluation_requests__isnull=False).distinct()
              .select_related("course", "venue").order_by("-start", "-pk"))
    if course is not None:
        events = events.filter(course=course)
    return events


def response_rates_by_event(*, events):
    """{event pk: [Rate per stage]} for one page of events, in one query."""
    rows = (EvaluationRequest.objects.filter(event__in=[e.pk for e in events])
            .values("event_id", "kind").order_by("event_id", "kind")
            .annotate(asked=Count("pk", filter=ASKED), answered=Count("pk", filter=ANSWERED)))
    by_event = {}
    for row in rows:
        by_event.setdefault(row["event_id"], []).append(row)
    return {event.pk: _rates(by_event.get(event.pk, [])) for event in events}


def requests_not_responded(*, event, now):
    """Who was asked about `event` and has not answered (officers only: names), including the
    pre-course questionnaires the event closed (counted in the rates as not answered); each
    row's `closed` says it can no longer be reminded."""
    return (EvaluationRequest.objects
            .filter(event=event, requested_at__isnull=False, completed_at__isnull=True)
            .filter(Q(withdrawn_at__isnull=True)
                    | Q(kind=RequestKind.PRE, withdrawn_at__gte=F("event__start")))
            .annotate(closed=ExpressionWrapper(Q(kind=RequestKind.PRE, event__start__lte=now),
                                               output_field=BooleanField()))
            .select_related("user").order_by("kind", "user__last_name", "user__first_name",
                                             "user__email", "pk"))


def requests_not_responded_e_learning(*, course):
    """Who was asked about passing `course`'s e-learning (no event) and has not answered."""
    return (EvaluationRequest.objects
            .filter(course=course, event__isnull=True, requested_at__isnull=False,
                    completed_at__isnull=True, withdrawn_at__isnull=True)
            .select_related("user").order_by("kind", "user__last_name", "user__first_name",
                                             "user__email", "pk"))


def event_for_officer(*, pk):
    event = Event.objects.select_related("course", "venue").filter(pk=pk).first()
    if event is None:
        raise Http404("No such event.")
    return event
