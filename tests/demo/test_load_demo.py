import io
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.management import call_command

from accounts.models import Organisation, OrganisationRequest, Sector, User
from accounts.roles import Role, group_name
from core.models import AuditEntry, Partnership
from courses.models import (
    Audience,
    Category,
    Course,
    CourseStatus,
    Event,
    EventStatus,
    Format,
    Length,
    Level,
    TrainingPoolMembership,
    Venue,
)
from demo.data import DEMO_PASSWORD, DEMO_TOTP_SECRET
from tests.helpers import totp_activate, totp_code

pytestmark = pytest.mark.django_db

LOGINS = {
    "delegate@demo.example": [Role.DELEGATE],
    "facilitator@demo.example": [Role.FACILITATOR, Role.DELEGATE],
    "officer@demo.example": [Role.OFFICER, Role.DELEGATE],
    "business@demo.example": [Role.BUSINESS_SUPPORT],
    "lod@demo.example": [Role.LOD_MEMBER],
    "lead@demo.example": [Role.SAFEGUARDING_LEAD, Role.DELEGATE],
    "finance@demo.example": [Role.FINANCE_CONTACT],
    "admin@demo.example": [],
}

J, A, C = Audience.JOINT, Audience.ADULTS, Audience.CHILDREN
L1, L2, ALL = Level.LEVEL_1, Level.LEVEL_2, Level.ALL
LIVE, SOON = CourseStatus.LIVE, CourseStatus.COMING_SOON
# The DSPP training strategy's two tables, as the seed prints them:
# title: (level, type, format, status, expected).
DSPP_COURSES = {
    "Introduction to Domestic Abuse": (L1, J, Format.E_LEARNING, LIVE, ""),
    "Introduction to Mental Capacity Act": (L1, A, Format.E_LEARNING, LIVE, ""),
    "Introduction to Modern Slavery": (L1, J, Format.E_LEARNING, LIVE, ""),
    "Introduction to Safeguarding Adults Awareness": (L1, A, Format.E_LEARNING, LIVE, ""),
    "Introduction to Safeguarding Children and Adults in Dudley":
        (L1, J, Format.E_LEARNING, SOON, "26/06/2020"),
    "Dealing with Domestic Abuse": (L2, J, Format.E_LEARNING, SOON, "03/07/2020"),
    "Working Together for Dudley": (L2, C, Format.E_LEARNING, SOON, "24/07/2020"),
    "Understanding Equality and Diversity within Safeguarding":
        (L1, J, Format.E_LEARNING, SOON, "24/07/2020"),
    "Understanding Child Criminal Exploitation": (L1, C, Format.E_LEARNING, SOON, "August 2020"),
    "Understanding Thresholds": (L1, C, Format.E_LEARNING, SOON, "August 2020"),
    "Understanding Early Help interventions in Dudley":
        (L1, C, Format.E_LEARNING, SOON, "August 2020"),
    "Self-Neglect and Hoarding": (L1, J, Format.E_LEARNING, SOON, "September 2020"),
    "Understanding Child Sexual Exploitation":
        (L2, C, Format.E_LEARNING, SOON, "September 2020"),
    "Liberty Protection Safeguards and safeguarding":
        (L1, J, Format.E_LEARNING, SOON, "April 2021"),
    "Introduction to Hate Crime": (L1, J, Format.E_LEARNING, SOON, "December 2020"),
    "Understanding Fabricated and Induced Illness":
        (L1, J, Format.E_LEARNING, SOON, "December 2020"),
    "Understanding Far Right Extremism": (L2, J, Format.E_LEARNING, SOON, "Jan 2021"),
    "Working with Hostile Families": (L1, J, Format.E_LEARNING, SOON, "Feb 2021"),
    "Safer Recruitment": (L2, J, Format.VIRTUAL, SOON, "Imminent"),
    "Graded Care Profile 2": (L2, J, Format.VIRTUAL, SOON, "September 2020"),
    "Graded Care Profile 2 - Refresher": (L2, J, Format.VIRTUAL, SOON, "TBC"),
    "Adult/Child Case Review Event(s)": (ALL, J, Format.CONFERENCE, LIVE, ""),
    "Domestic Homicide Reviews": (ALL, J, Format.CONFERENCE, LIVE, ""),
}


def load_demo(*, history=False):
    """The demo without its eighteen months of history unless asked (a seventh of the time;
    the history has its own tests in test_demo_reports.py)."""
    out = io.StringIO()
    call_command("load_demo", *([] if history else ["--without-history"]), stdout=out)
    return out.getvalue()


def snapshot():
    """Every row load_demo writes, with what could change without adding a row."""
    return {
        "partnership": list(Partnership.objects.values()),
        "organisations": list(Organisation.objects.order_by("pk").values()),
        "users": list(User.objects.order_by("pk").values()),
        "emails": list(EmailAddress.objects.order_by("pk").values()),
        "groups": list(User.groups.through.objects.order_by("pk").values()),
        "authenticators": list(Authenticator.objects.order_by("pk").values("pk", "user_id")),
        "categories": list(Category.objects.order_by("pk").values()),
        "courses": list(Course.objects.order_by("pk").values()),
        "pool": list(TrainingPoolMembership.objects.order_by("pk").values()),
        "venues": list(Venue.objects.order_by("pk").values()),
        "events": list(Event.objects.order_by("pk").values()),
        "facilitators": list(Event.facilitators.through.objects.order_by("pk").values()),
        "requests": list(OrganisationRequest.objects.order_by("pk").values()),
        "audit": AuditEntry.objects.count(),
    }


def test_load_demo_twice_creates_nothing_twice_and_changes_nothing():
    first_output = load_demo(history=True)
    first = snapshot()
    second_output = load_demo(history=True)

    assert snapshot() == first
    assert "created" in first_output
    assert "nothing changed" in second_output
    assert len(first["users"]) >= 28  # 8 logins and 20 or so more delegates


def test_load_demo_keeps_the_policy_numbers_an_officer_set():
    partnership = Partnership.load()
    partnership.notice_working_days = 7
    partnership.save()

    load_demo()

    partnership.refresh_from_db()
    assert partnership.name == "Dudley Safeguarding People Partnership"
    assert partnership.short_name == "DSPP"
    assert partnership.contact_email == "training@dspp.example"
    assert partnership.notice_working_days == 7


def test_every_role_has_a_demo_login():
    load_demo()
    covered = set()
    for email, roles in LOGINS.items():
        user = User.objects.get(email=email)
        assert {g.name for g in user.groups.all()} == {group_name(r) for r in roles}, email
        assert user.profile_complete, email
        assert EmailAddress.objects.filter(user=user, email=email, verified=True,
                                           primary=True).exists()
        covered |= set(roles)
    assert covered == set(Role)
    admin = User.objects.get(email="admin@demo.example")
    assert admin.is_superuser and admin.is_staff
    assert User.objects.get(email="officer@demo.example").is_staff
    assert User.objects.get(email="delegate@demo.example").access_needs


@pytest.mark.parametrize("email", list(LOGINS))
def test_demo_login_works_and_staff_are_asked_for_their_code(client, email):
    load_demo()

    response = client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD})

    assert response.status_code == 302
    if email == "delegate@demo.example":
        assert response["Location"] == "/account/"  # profile complete: straight to dashboard
        assert not Authenticator.objects.filter(user__email=email).exists()
    else:
        assert response["Location"] == "/accounts/2fa/authenticate/"


def test_staff_demo_login_completes_with_the_published_code(client):
    load_demo()
    client.post("/accounts/login/", {"login": "officer@demo.example", "password": DEMO_PASSWORD})
    if 30 - int(time.time()) % 30 < 3:  # do not race the end of the 30-second window
        time.sleep(3)

    response = client.post("/accounts/2fa/authenticate/",
                           {"code": totp_code(DEMO_TOTP_SECRET)})

    assert response.status_code == 302
    assert response["Location"] == "/account/"
    assert client.get("/account/").status_code == 200


def test_load_demo_keeps_an_authenticator_someone_set_up():
    load_demo()
    officer = User.objects.get(email="officer@demo.example")
    Authenticator.objects.filter(user=officer).delete()
    own = totp_activate(officer).instance

    load_demo()

    assert list(Authenticator.objects.filter(user=officer)) == [own]


def test_every_sector_has_an_organisation():
    load_demo()
    assert set(Organisation.objects.values_list("sector", flat=True)) == set(Sector.values)
    nursery = Organisation.objects.get(name="Bright Futures Nurseries Ltd")
    assert nursery.pays_fees and nursery.invoice_email and nursery.billing_address
    assert Organisation.objects.get(name="West Midlands Police").kind == "Police"


def test_the_dspp_courses_are_there_as_the_seed_says():
    load_demo()
    courses = {c.title: c for c in Course.objects.filter(title__in=DSPP_COURSES)}
    assert set(courses) == set(DSPP_COURSES)
    for title, expected in DSPP_COURSES.items():
        c = courses[title]
        assert (c.level, c.audience, c.format, c.status, c.expected) == expected, title
        assert c.category is not None and c.summary, title
        assert len(c.learning_outcomes) == 3, title
    assert courses["Graded Care Profile 2"].length == Length.FULL_DAY
    assert courses["Safer Recruitment"].length == Length.FULL_DAY
    assert courses["Introduction to Domestic Abuse"].length == Length.HALF_DAY
    assert courses["Domestic Homicide Reviews"].length == Length.HALF_DAY


def test_the_ddscp_categories_and_child_exploitation_pathway():
    load_demo()
    assert set(Category.objects.values_list("name", flat=True)) >= {
        "Working Together to Safeguard and Protect Children from Harm",
        "Understanding Safeguarding Risks",
        "Contextual Safeguarding - Child on Child Abuse",
        "Safeguarding Adults",
    }
    module = Course.objects.get(title="Child Exploitation")
    assert (module.format, module.level, module.audience, module.status) == (
        Format.E_LEARNING, Level.LEVEL_1, Audience.CHILDREN, CourseStatus.LIVE)
    course = Course.objects.get(title="Child Exploitation: Multi-Agency Response")
    assert (course.format, course.level, course.length, course.category.name) == (
        Format.CLASSROOM, Level.LEVEL_3, Length.FULL_DAY, "Understanding Safeguarding Risks")


def test_the_facilitator_is_in_the_training_pool_for_courses_that_are_delivered():
    load_demo()
    pool = TrainingPoolMembership.objects.filter(facilitator__email="facilitator@demo.example")
    assert 4 <= pool.count() <= 5
    assert not pool.filter(course__format=Format.E_LEARNING).exists()
    assert pool.filter(course__status=CourseStatus.LIVE).count() >= 3


def test_an_organisation_request_waits_for_the_officer():
    load_demo()
    request = OrganisationRequest.objects.get(status=OrganisationRequest.Status.PENDING)
    assert not Organisation.objects.filter(name__iexact=request.name).exists()
    assert request.requested_by.organisation is None
    assert request.requested_by.profile_complete


def test_demo_logins_prints_every_login_and_the_current_code():
    load_demo()
    out = io.StringIO()
    call_command("demo_logins", "--url", "http://127.0.0.1:8123/", stdout=out)
    text = out.getvalue()

    assert "http://127.0.0.1:8123/" in text
    for email in LOGINS:
        assert email in text
    assert DEMO_PASSWORD in text and DEMO_TOTP_SECRET in text
    codes = {totp_code(DEMO_TOTP_SECRET, at=time.time() - d) for d in (0, 30)}
    assert any(f"Code now: {code}" in text for code in codes)
    assert "demo_totp" in text
    assert "not loaded" not in text


def test_demo_logins_works_before_load_demo_and_says_so():
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()

    assert "http://127.0.0.1:8000/" in text
    assert "delegate@demo.example" in text
    assert "load_demo" in text and "not loaded" in text


def test_demo_totp_prints_the_current_code():
    out = io.StringIO()
    call_command("demo_totp", stdout=out)
    codes = {totp_code(DEMO_TOTP_SECRET, at=time.time() - d) for d in (0, 30)}
    assert out.getvalue().split()[0] in codes
    assert "seconds" in out.getvalue()


# Venues and a year of events (demo/events.py) ----------------------------------------------

def _load_demo_at(now):
    from demo.services import demo_load

    return demo_load(now=now, history=False)


def test_the_demo_venues_hold_what_their_rooms_hold():
    load_demo()
    assert {v.name: v.capacity for v in Venue.objects.all()} == {
        "Dudley Council House, Committee Room 2": 30,
        "The Saltwells Education Development Centre": 60,
        "Himley Hall": 120,
    }


def test_a_year_of_events_from_a_month_ago_to_eleven_months_ahead():
    from datetime import datetime, timedelta

    from dateutil.relativedelta import relativedelta
    from django.utils import timezone

    now = timezone.make_aware(datetime(2027, 2, 10, 12, 0))
    _load_demo_at(now)
    today = timezone.localdate(now)
    # The eighteen months before (demo/history.py, for the reports) have tests of their own
    # (tests/demo/test_demo_reports.py): this is the year of dates of demo/events.py.
    events = Event.objects.select_related("course", "venue", "officer").filter(
        start__gte=timezone.make_aware(datetime.combine(
            today - relativedelta(months=1), datetime.min.time())))
    # demo/charging.py adds one older course: the one its overdue invoice is for.
    from demo.charging import overdue_event_day

    events = events | Event.objects.filter(start__date=overdue_event_day(today))
    days = {timezone.localdate(e.start) for e in events}
    assert min(days - {overdue_event_day(today)}) >= today - relativedelta(months=1)
    assert max(days) <= today + relativedelta(months=11)
    assert max(days) > today + relativedelta(months=9)
    assert {e.course.format for e in events} == {Format.CLASSROOM, Format.CONFERENCE,
                                                 Format.VIRTUAL}
    assert events.count() >= 20

    officer = User.objects.get(email="officer@demo.example")
    for event in events:
        local = timezone.localdate(event.start)
        assert local.weekday() < 5, event
        assert event.officer == officer, event
        pool = set(TrainingPoolMembership.objects.filter(course=event.course)
                   .values_list("facilitator", flat=True))
        assert pool and set(event.facilitators.values_list("pk", flat=True)) == pool, event
        assert timezone.localdate(event.prep_meeting_at) <= local - timedelta(days=7), event
        assert event.status == (
            EventStatus.COMPLETED if local < today else EventStatus.SCHEDULED), event
        # demo/bookings.py books some places: the count matches the bookings holding or
        # having used one (bookings.models.COUNTED).
        from bookings.models import COUNTED

        assert event.places_taken == event.bookings.filter(status__in=COUNTED).count()
        if event.course.format == Format.VIRTUAL:
            assert event.venue is None
            assert event.joining_link.startswith("https://teams.example/meet/")
            # One online session is a small group (demo/bookings.py), full with a waiting list.
            assert event.capacity in (Partnership.load().capacity_virtual, 4)
            assert local > today  # "ETA Imminent": only dates to come are published
        else:
            assert event.venue is not None and not event.joining_link
            assert event.capacity <= event.venue.capacity
        if event.course.format == Format.CONFERENCE:
            assert event.capacity == min(event.venue.capacity,
                                         Partnership.load().capacity_conference)
    assert events.filter(status=EventStatus.COMPLETED).exists()


def test_events_are_found_by_course_and_start_so_a_later_run_adds_only_new_dates():
    from datetime import datetime

    from dateutil.relativedelta import relativedelta
    from django.utils import timezone

    first = timezone.make_aware(datetime(2027, 2, 10, 12, 0))
    _load_demo_at(first)
    before = {(e.course_id, e.start): e.status for e in Event.objects.all()}
    cancelled = Event.objects.filter(status=EventStatus.SCHEDULED).first()
    Event.objects.filter(pk=cancelled.pk).update(status=EventStatus.CANCELLED)

    assert not _load_demo_at(first).created.get("events")  # the same day: nothing new

    later = timezone.make_aware(datetime(2027, 4, 20, 12, 0))
    result = _load_demo_at(later)
    after = {(e.course_id, e.start): e for e in Event.objects.all()}
    assert set(before) <= set(after)
    assert len(after) == len(before) + result.created["events"] > len(before)
    assert Event.objects.get(pk=cancelled.pk).status == EventStatus.CANCELLED  # kept
    for key, event in after.items():
        history = timezone.localdate(event.start) < (  # demo/history.py's own dates
            timezone.localdate(first) - relativedelta(months=1))
        if timezone.localdate(event.start) < timezone.localdate(later) and key in before \
                and event.pk != cancelled.pk and not history:
            assert event.status == EventStatus.COMPLETED


def test_the_demo_catalogue_shows_dates_with_places(client):
    load_demo()
    response = client.get("/courses/", {"with_places": "on"})
    titles = {c.title for c in response.context["object_list"]}
    assert {"Child Exploitation: Multi-Agency Response", "Domestic Homicide Reviews",
            "Safer Recruitment"} <= titles
    assert "places left" in response.content.decode()


@pytest.mark.django_db
def test_load_demo_refuses_to_run_with_production_settings(settings):
    """The demo logins' password and TOTP secret are public: never create them in production."""
    from django.core.management import CommandError, call_command

    from accounts.models import User

    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="not allowed"):
        call_command("load_demo")
    assert not User.objects.filter(email="admin@demo.example").exists()


def test_without_history_the_demo_leaves_out_the_months_the_reports_look_back_on():
    from datetime import timedelta

    from django.utils import timezone

    load_demo()
    # The charging story's overdue invoice is for a course a few months ago; the history
    # goes back eighteen months.
    half_a_year_ago = timezone.now() - timedelta(days=200)
    assert Event.objects.exists()
    assert not Event.objects.filter(start__lt=half_a_year_ago).exists()
    load_demo(history=True)
    # The history runs from eighteen months before the demo's year: past a year ago too.
    assert Event.objects.filter(start__lt=half_a_year_ago).count() >= 10
    assert Event.objects.filter(start__lt=timezone.now() - timedelta(days=400)).exists()
