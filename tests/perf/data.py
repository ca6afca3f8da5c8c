"""A small partnership, `scale` times over (issue 14's query-count equality): every page must
run as many queries for `build(10)` as for `build(1)`. Built with the factories; the page
tests pick their objects from the namespace returned."""

from datetime import timedelta
from types import SimpleNamespace

from django.utils import timezone

from accounts.roles import Role
from bookings.models import BookingStatus
from courses.models import Completion
from evaluations import defaults
from tests.evaluations.test_summaries import respond
from tests.factories import (
    BookingFactory,
    CategoryFactory,
    CourseFactory,
    EventFactory,
    OrganisationFactory,
    UserFactory,
    VenueFactory,
)

OUTCOMES = ["Recognise the signs of neglect", "Share information lawfully"]


def build(scale, *, make_user):
    """Per unit of scale: 3 courses (with a category, a prerequisite chain), each with two
    upcoming dates and one past; 4 delegates booked on the event of the event pages, 4 who
    attended the past event of the facilitator summary (with their evaluations), and the
    delegate of My training with one upcoming, one past, one cancelled booking and a
    completion; two quarterly reports (one issued)."""
    now = timezone.now()
    officer = make_user(Role.OFFICER)
    facilitator = make_user(Role.FACILITATOR)
    venue = VenueFactory()
    organisations = [OrganisationFactory() for _ in range(scale)]
    courses, upcoming, past = [], [], []
    for i in range(3 * scale):
        course = CourseFactory(category=CategoryFactory(name=f"Category {i % (2 * scale)}"),
                               learning_outcomes=OUTCOMES, status="live")
        if courses and i % 3:
            course.prerequisites.add(courses[-1])
        courses.append(course)
        for days in (10 + i, 40 + i):
            upcoming.append(EventFactory(course=course, venue=venue,
                                         start=now + timedelta(days=days),
                                         capacity=20 * scale + 10, officer=officer,
                                         facilitators=[facilitator]))
        past.append(EventFactory(course=course, venue=venue, start=now - timedelta(days=5 + i),
                                 end=now - timedelta(days=5 + i) + timedelta(hours=7),
                                 status="completed", officer=officer,
                                 facilitators=[facilitator]))
    event = upcoming[0]
    for i in range(4 * scale):
        BookingFactory(event=event, delegate=UserFactory(organisation=organisations[i % scale]))
    event.places_taken = 4 * scale
    event.save(update_fields=["places_taken"])

    summary_event = past[0]
    for i in range(4 * scale):
        booking = BookingFactory(event=summary_event, status=BookingStatus.ATTENDED,
                                 delegate=UserFactory(organisation=organisations[i % scale]))
        respond(booking, "pre", {defaults.OUTCOMES: [2, 3]})
        respond(booking, "post", {defaults.OUTCOMES: [4, 4]})
        respond(booking, "stage_1", {defaults.SATISFACTION: 5, defaults.RELEVANCE: 4,
                                     defaults.KNOWLEDGE_IMPROVED: 4,
                                     defaults.DO_DIFFERENTLY: f"Share concerns sooner {i}"})

    delegate = UserFactory(organisation=organisations[0])
    for i in range(scale):
        BookingFactory(event=upcoming[2 * i + 1], delegate=delegate)
        BookingFactory(event=past[i + 1], delegate=delegate, status=BookingStatus.ATTENDED)
        BookingFactory(event=upcoming[2 * i + 2], delegate=delegate,
                       status=BookingStatus.CANCELLED, cancelled_at=now)
        Completion.objects.create(user=delegate, course=courses[i + 1], event=past[i + 1],
                                  completed_on=(now - timedelta(days=5 + i)).date(),
                                  source=Completion.Source.ATTENDANCE)
    from reports.models import Report  # the reports app is the top layer: only here

    for i in range(2 * scale):
        quarter_start = (now - timedelta(days=92 * (i + 1))).date().replace(day=1)
        Report.objects.create(kind="quarterly", period_start=quarter_start,
                              period_end=quarter_start + timedelta(days=89),
                              status="ready" if i % 2 else "failed", requested_by=officer,
                              issued_by=officer if i % 2 else None,
                              issued_at=now if i % 2 else None)
    return SimpleNamespace(officer=officer, facilitator=facilitator, delegate=delegate,
                           course=courses[0], event=event, summary_event=summary_event,
                           booker=UserFactory(organisation=organisations[0]))
