from dataclasses import dataclass
from datetime import date

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce

from .models import Course, CourseStatus, Event, EventStatus, TrainingPoolMembership

# Catalogue -----------------------------------------------------------------------------------

# Words of a search beyond this many are ignored: each word is one more condition.
CATALOGUE_SEARCH_MAX_WORDS = 8
# Dates shown under each course in the catalogue list (the course page shows them all).
CATALOGUE_NEXT_DATES = 3


def catalogue_events(*, now):
    """Events a visitor may book or wait for: scheduled, starting after `now`, soonest first.
    Cancelled and past events are not listed (a cancelled event's own page says so)."""
    return (
        Event.objects.filter(status=EventStatus.SCHEDULED, start__gt=now, course__active=True)
        .select_related("venue")
        .order_by("start", "id")
    )


def courses_in_catalogue(*, q="", level="", audience="", category="", format="",
                         with_places=False, now):
    """The public catalogue: active courses, live ones first and then those coming soon, by
    title. `q` matches every word in the title, summary, description or learning outcomes;
    the other filters are exact (`category` is a category's slug); `with_places` keeps the
    courses with an upcoming scheduled event that has a place left.

    Each course carries `next_event_start`, `dates_with_places` (upcoming events with a place
    left) and `next_events` (its next few upcoming events, with their venues), all fetched in
    two queries whatever the number of courses or events."""
    upcoming = Event.objects.filter(
        course=OuterRef("pk"), status=EventStatus.SCHEDULED, start__gt=now
    )
    upcoming_with_places = upcoming.filter(places_taken__lt=F("capacity"))
    courses = Course.objects.filter(active=True).select_related("category").annotate(
        next_event_start=Subquery(upcoming.order_by("start").values("start")[:1]),
        dates_with_places=Coalesce(
            Subquery(
                upcoming_with_places.order_by().values("course")
                .annotate(n=Count("pk")).values("n")
            ),
            0,
        ),
        # "coming_soon" sorts before "live" as text: order by meaning instead.
        status_order=Case(When(status=CourseStatus.LIVE, then=Value(0)), default=Value(1)),
    )
    words = q.split()[:CATALOGUE_SEARCH_MAX_WORDS]
    if words:
        courses = courses.annotate(outcomes_text=Cast("learning_outcomes", TextField()))
        for word in words:
            courses = courses.filter(
                Q(title__icontains=word) | Q(summary__icontains=word)
                | Q(description__icontains=word) | Q(outcomes_text__icontains=word)
            )
    if level:
        courses = courses.filter(level=level)
    if audience:
        courses = courses.filter(audience=audience)
    if category:
        courses = courses.filter(category__slug=category)
    if format:
        courses = courses.filter(format=format)
    if with_places:
        courses = courses.filter(Exists(upcoming_with_places))
    next_events = catalogue_events(now=now)[:CATALOGUE_NEXT_DATES]
    return courses.prefetch_related(
        Prefetch("events", queryset=next_events, to_attr="next_events")
    ).order_by("status_order", "title", "pk")


def course_in_catalogue(*, slug):
    """One course of the catalogue (active), for its public page; None if there is none."""
    return (
        Course.objects.filter(active=True, slug=slug).select_related("category")
        .prefetch_related(
            Prefetch("prerequisites", queryset=Course.objects.order_by("title"))
        )
        .first()
    )


def course_upcoming_events(*, course, now):
    """A course's upcoming dates for its public page: scheduled, starting after `now`."""
    return catalogue_events(now=now).filter(course=course).select_related("course")


def event_in_catalogue(*, pk):
    """One event of an active course, whatever its status (a cancelled event's page says it
    is cancelled); None if there is none."""
    return (
        Event.objects.filter(pk=pk, course__active=True)
        .select_related("course", "course__category", "venue")
        .first()
    )


def events_in_calendar_feed(*, now):
    """The partnership's upcoming scheduled events, for the subscribable calendar."""
    return catalogue_events(now=now).select_related("course")


def training_pool_of(*, facilitator):
    return (
        TrainingPoolMembership.objects.filter(facilitator=facilitator)
        .select_related("course", "course__category")
        .order_by("course__title")
    )


def completed_course_ids(*, user):
    """Ids of the courses in the user's training record."""
    from .models import Completion

    if not user.is_authenticated:
        return set()
    return set(Completion.objects.filter(user=user).values_list("course_id", flat=True))


def prerequisites_check_for(*, user, course):
    """Has the user completed what this course requires first (e.g. the child exploitation
    e-learning before a level 3 course)? Returns policies.PrerequisiteCheck."""
    from .policies import prerequisites_check

    # .all(), not values_list(): the booking panel prefetches them once for its list too.
    required = [(each.pk, each.title) for each in course.prerequisites.all()]
    if not required:
        return prerequisites_check(required=[], completed_course_ids=set())
    return prerequisites_check(required=required,
                               completed_course_ids=completed_course_ids(user=user))


# Programme management -------------------------------------------------------------------------

def _people():
    from accounts.models import User

    return User.objects.filter(is_active=True).order_by("first_name", "last_name", "email")


def people_for_choice():
    """Anyone who might be posted as a facilitator: the event form offers only the course's
    Training Pool, and the service names anyone else and why they cannot be chosen."""
    return _people()


def facilitators_for_choice():
    """People holding the facilitator role (the Training Pool is made of them)."""
    from accounts.roles import Role, group_name

    return _people().filter(groups__name=group_name(Role.FACILITATOR)).distinct()


def officers_for_choice():
    from accounts.roles import Role, group_name

    return _people().filter(groups__name=group_name(Role.OFFICER)).distinct()


def training_pool_members(*, course):
    """The people in a course's Training Pool."""
    return _people().filter(training_pool__course=course)


def training_pool_memberships(*, course):
    return (TrainingPoolMembership.objects.filter(course=course)
            .select_related("facilitator").order_by("facilitator__first_name",
                                                    "facilitator__last_name", "pk"))


def facilitators_not_in_pool(*, course):
    return facilitators_for_choice().exclude(training_pool__course=course)


def courses_that_can_have_events(*, active_only=True):
    """Courses an event can deliver: every format but e-learning (taken online)."""
    from .models import Format

    courses = Course.objects.exclude(format=Format.E_LEARNING)
    if active_only:
        courses = courses.filter(active=True)
    return courses.order_by("title", "pk")


def courses_for_prerequisites(*, exclude=None):
    courses = Course.objects.filter(active=True).order_by("title", "pk")
    if exclude is not None and exclude.pk:
        courses = courses.exclude(pk=exclude.pk)
    return courses


def venues_for_choice(*, keep=None):
    """Active venues, and the venue an event already uses even if it is no longer offered."""
    from .models import Venue

    venues = Venue.objects.filter(active=True)
    if keep is not None:
        venues = Venue.objects.filter(Q(active=True) | Q(pk=keep.pk))
    return venues.order_by("name", "pk")


def venues_for_programme():
    from .models import Venue

    upcoming = Event.objects.filter(venue=OuterRef("pk"), status=EventStatus.SCHEDULED)
    return Venue.objects.annotate(
        scheduled_events=Coalesce(
            Subquery(upcoming.order_by().values("venue").annotate(n=Count("pk")).values("n")), 0)
    ).order_by("-active", "name", "pk")


def event_default_capacity(*, course, venue=None):
    """Places when the officer leaves them empty: virtual 30, conference 250 (partnership
    settings), a classroom its room's capacity (None: no default without a venue)."""
    from core.models import Partnership

    from .policies import event_capacity_rule

    return event_capacity_rule(course_format=course.format, partnership=Partnership.load(),
                               venue=venue).default


def courses_for_programme(*, user, q=""):
    """Every course, active or not, for officers; each with its number of scheduled events
    and the size of its Training Pool (subqueries: the same cost for 1 row or 100)."""
    if not user.has_perm("courses.view_course"):
        return Course.objects.none()
    events = Event.objects.filter(course=OuterRef("pk"), status=EventStatus.SCHEDULED)
    pool = TrainingPoolMembership.objects.filter(course=OuterRef("pk"))

    def count(queryset):
        return Coalesce(Subquery(queryset.order_by().values("course")
                                 .annotate(n=Count("pk")).values("n")), 0)

    courses = Course.objects.select_related("category").annotate(
        scheduled_events=count(events), pool_size=count(pool))
    for word in q.split()[:8]:
        courses = courses.filter(title__icontains=word)
    return courses.order_by("-active", "title", "pk")


def course_for_programme(*, user, pk):
    """One course an officer manages; None if there is none or they may not."""
    if not user.has_perm("courses.view_course"):
        return None
    return Course.objects.select_related("category").filter(pk=pk).first()


def events_for_programme(*, user, start_from=None, course=None, format=None, status=None):
    """The programme as officers (and business support) see it: every event, soonest first,
    with course, venue, officer and facilitators fetched in a fixed number of queries."""
    from accounts.models import User

    if not user.has_perm("courses.view_event"):
        return Event.objects.none()
    events = Event.objects.select_related("course", "venue", "officer").prefetch_related(
        Prefetch("facilitators", queryset=User.objects.order_by("first_name", "last_name")))
    if start_from:
        from datetime import datetime, time

        from core.calendar import LONDON

        events = events.filter(end__gte=datetime.combine(start_from, time(0), tzinfo=LONDON))
    if course:
        events = events.filter(course=course)
    if format:
        events = events.filter(course__format=format)
    if status:
        events = events.filter(status=status)
    return events.order_by("start", "pk")


def events_in_month(*, user, first_day):
    """Events starting in the (Europe/London) month of `first_day`, for the calendar."""
    from datetime import datetime, time

    from dateutil.relativedelta import relativedelta

    from core.calendar import LONDON

    if not user.has_perm("courses.view_event"):
        return Event.objects.none()
    start = datetime.combine(first_day, time(0), tzinfo=LONDON)
    end = datetime.combine(first_day + relativedelta(months=1), time(0), tzinfo=LONDON)
    return (Event.objects.filter(start__gte=start, start__lt=end)
            .select_related("course", "venue").order_by("start", "pk"))


def event_for_programme(*, user, pk):
    """One event an officer manages (any event); None if there is none or they may not."""
    if not user.has_perm("courses.view_event"):
        return None
    return (Event.objects.select_related("course", "venue", "officer")
            .prefetch_related("facilitators").filter(pk=pk).first())


def event_active_bookings_count(*, event):
    """How many delegates a cancellation would tell (bookings in an active state). Read
    through the app registry: courses does not import bookings."""
    from django.apps import apps

    Booking = apps.get_model("bookings", "Booking")
    active = ("booked", "pending_approval", "offered", "waitlisted")
    return Booking.objects.filter(event=event, status__in=active).count()


def venue_for_programme(*, user, pk):
    """One venue an officer manages; None if there is none or they may not."""
    from .models import Venue

    if not user.has_perm("courses.view_venue"):
        return None
    return Venue.objects.filter(pk=pk).first()


# E-learning, training record and content review ----------------------------------------------

class _Lines:
    """A queryset whose rows come out as lines built by `make` (a dataclass with what a page
    shows, e.g. a refresher due date from courses.policies), still counted and sliced in the
    database so that a paginator fetches one page only."""

    def __init__(self, queryset, make):
        self.queryset, self.make = queryset, make

    def count(self):
        return self.queryset.count()

    def __len__(self):
        return self.count()

    def __iter__(self):
        return (self.make(row) for row in self.queryset)

    def __getitem__(self, key):
        if isinstance(key, slice):
            return [self.make(row) for row in self.queryset[key]]
        return self.make(self.queryset[key])


def elearning_modules_listed():
    """E-learning modules in the catalogue (active), live or coming soon."""
    from .models import Format

    return Course.objects.filter(active=True, format=Format.E_LEARNING)


def elearning_modules_open():
    """E-learning modules a signed-in delegate may take: live and active."""
    from .models import CourseStatus

    return elearning_modules_listed().filter(status=CourseStatus.LIVE)


def knowledge_check_questions(*, course):
    """The questions of a module's knowledge check that an officer has finished (at least two
    choices, exactly one of them correct), with their choices. A question still being
    written is left out rather than making the check impossible to pass."""
    from django.db.models import Count, Q

    return (
        course.questions.annotate(
            n_choices=Count("choices"),
            n_correct=Count("choices", filter=Q(choices__correct=True)),
        )
        .filter(n_choices__gte=2, n_correct=1)
        .prefetch_related("choices")
        .order_by("position", "id")
    )


def knowledge_check_latest_attempt(*, user, course):
    """The user's own latest attempt at a module's knowledge check, or None."""
    from .models import KnowledgeCheckAttempt

    return (KnowledgeCheckAttempt.objects.filter(user=user, course=course)
            .order_by("-at", "-id").first())


def completion_latest(*, user, course):
    from .models import Completion

    return (Completion.objects.filter(user=user, course=course)
            .order_by("-completed_on", "-id").first())


def refresher_years_for(*, course, partnership):
    """A course's own refresher period, else the partnership's (DSPP: three years)."""
    return course.refresher_years or partnership.refresher_years


@dataclass(frozen=True)
class TrainingRecordLine:
    completion: object
    course: object
    refresher_due_on: date
    refreshed: bool  # a later completion of the same course has taken its place


def training_record_of(*, user):
    """The user's training record, newest first: each completion with its course and the date
    it falls due again (courses.policies.refresher_due_on; DSPP: every three years unless the
    course says otherwise). Paginate it like a queryset."""
    from django.db.models import Exists, OuterRef

    from core.models import Partnership

    from .models import Completion
    from .policies import refresher_due_on

    partnership = Partnership.load()
    later = Completion.objects.filter(user=OuterRef("user"), course=OuterRef("course"),
                                      completed_on__gt=OuterRef("completed_on"))
    queryset = (
        Completion.objects.filter(user=user)
        .select_related("course", "event")
        .annotate(refreshed=Exists(later))
        .order_by("-completed_on", "-id")
    )

    def line(completion):
        years = refresher_years_for(course=completion.course, partnership=partnership)
        return TrainingRecordLine(
            completion=completion, course=completion.course,
            refresher_due_on=refresher_due_on(completed_on=completion.completed_on, years=years),
            refreshed=completion.refreshed,
        )

    return _Lines(queryset, line)


@dataclass(frozen=True)
class ReviewLine:
    course: object
    due_on: date
    overdue: bool


def _review_base():
    """The date a course's next review counts from: its last review, else its creation."""
    from django.db.models import F
    from django.db.models.functions import Coalesce, TruncDate
    from django.utils import timezone

    return Coalesce(F("last_reviewed"),
                    TruncDate("created_at", tzinfo=timezone.get_current_timezone()))


def courses_for_review(*, today):
    """Every active course with the date its content is due for review (DSPP: reviewed at least
    annually; Partnership.content_review_months), the most overdue first."""
    from core.models import Partnership

    from .policies import review_due_on

    months = Partnership.load().content_review_months
    queryset = (
        Course.objects.filter(active=True)
        .select_related("category")
        .annotate(review_base=_review_base())
        .order_by("review_base", "title", "id")
    )

    def line(course):
        due = review_due_on(last_reviewed=course.last_reviewed, months=months,
                            created=course.review_base)
        return ReviewLine(course=course, due_on=due, overdue=due < today)

    return _Lines(queryset, line)


def courses_overdue_for_review_count(*, today):
    from dateutil.relativedelta import relativedelta

    from core.models import Partnership

    months = Partnership.load().content_review_months
    return (
        Course.objects.filter(active=True)
        .annotate(review_base=_review_base())
        .filter(review_base__lt=today - relativedelta(months=months))
        .count()
    )


def courses_active():
    return Course.objects.filter(active=True)


def courses_requiring(*, course):
    """The active courses that have this one (e.g. an e-learning module) as a prerequisite."""
    return course.required_for.filter(active=True).order_by("title")


@dataclass(frozen=True)
class WrongAnswer:
    number: int
    question: str
    your_answer: str


def knowledge_check_wrong_answers(*, attempt):
    """The questions an attempt got wrong, numbered as in the check, with the answer given:
    never the right answer (the delegate goes back to the module to find it)."""
    from .models import Choice, Question

    given = {int(qid): answer for qid, answer in attempt.answers.items()}
    wrong = {qid: a.get("choice") for qid, a in given.items() if not a.get("correct")}
    if not wrong:
        return []
    questions = Question.objects.filter(pk__in=given).order_by("position", "id")
    texts = dict(Choice.objects.filter(pk__in=wrong.values()).values_list("pk", "text"))
    return [
        WrongAnswer(number=number, question=question.text,
                    your_answer=texts.get(wrong[question.pk], ""))
        for number, question in enumerate(questions, start=1) if question.pk in wrong
    ]
