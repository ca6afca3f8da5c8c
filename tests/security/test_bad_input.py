"""Bad input that used to be saved or to break a page: dates far outside any programme, line
breaks in names that go into email headers, ids too big for the database, and concurrent
writes on the SQLite database of `make run`. Each is refused with a message on the page (or,
for SQLite, simply works), and nothing is saved."""

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.forms import ProfileForm, SignupForm
from accounts.roles import Role
from core.calendar import LONDON
from core.forms import PartnershipForm
from core.models import Partnership
from courses.forms import CourseForm, EventForm
from courses.models import Course, Event, TrainingPoolMembership
from newsletter.forms import NewsletterForm
from newsletter.models import Newsletter
from tests.factories import CourseFactory, EventFactory, UserFactory
from tests.helpers import working_day

pytestmark = pytest.mark.django_db

HUGE_ID = "1" * 30


def day(n):
    return timezone.localdate() + timedelta(days=n)


def years_ahead(n):
    today = timezone.localdate()
    try:
        return today.replace(year=today.year + n)
    except ValueError:  # 29 February
        return today.replace(year=today.year + n, day=28)


def page_text(response):
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#x27;", "'").split())


@pytest.fixture
def officer(client, make_user):
    user = make_user(Role.OFFICER, first_name="Olive", last_name="Officer")
    client.force_login(user)
    return user


def event_data(**overrides):
    data = {
        "date": working_day(30).isoformat(), "start_time": "09:30", "end_time": "16:30",
        "end_date": "", "venue": "", "joining_link": "https://teams.example/j/neglect",
        "capacity": "", "officer": "", "prep_meeting_date": "", "prep_meeting_time": "",
        "notes_for_delegates": "",
    }
    data.update(overrides)
    return data


def create_url(course):
    return f"{reverse('courses:manage-event-create')}?course={course.pk}"


def course_data(**overrides):
    data = {"title": "Harmful sexual behaviour", "summary": "Recognise and respond.",
            "description": "", "learning_outcomes": "Recognise it", "level": "3",
            "audience": "children", "category": "", "format": "classroom",
            "length": "full_day", "status": "live", "expected": "", "refresher_years": "",
            "last_reviewed": "", "active": "on"}
    data.update(overrides)
    return data


# 7a. Dates outside any programme ---------------------------------------------------------------

FAR_DATES = {
    "year-1": "0001-01-01",
    "year-9999": "9999-12-31",
    "before-2000": "1999-12-31",
}


@pytest.mark.parametrize("typed", list(FAR_DATES.values()), ids=list(FAR_DATES))
def test_an_event_on_a_date_outside_any_programme_is_refused(client, officer, typed):
    course = CourseFactory()

    response = client.post(create_url(course), event_data(date=typed))

    assert response.status_code == 200
    assert response.context["form"].errors["date"]
    assert not Event.objects.exists()


def test_an_event_more_than_five_years_ahead_is_refused_and_the_message_says_why(
        client, officer):
    course = CourseFactory()
    latest = years_ahead(5)

    response = client.post(create_url(course),
                           event_data(date=(latest + timedelta(days=1)).isoformat()))

    assert response.status_code == 200
    message = response.context["form"].errors["date"][0]
    assert "5 years" in message
    assert f"{latest:%A %-d %B %Y}" in message
    assert message in page_text(response)
    assert not Event.objects.exists()


def test_an_event_exactly_five_years_ahead_is_accepted(client, officer):
    course = CourseFactory()

    # Run on 25 December, five years ahead is a bank holiday: confirmed, as an officer would.
    response = client.post(create_url(course), event_data(date=years_ahead(5).isoformat(),
                                                          confirm_bank_holiday="on"))

    assert response.status_code == 302
    assert Event.objects.get().start.astimezone(LONDON).date() == years_ahead(5)


def test_a_new_event_in_the_past_is_refused(client, officer):
    course = CourseFactory()

    response = client.post(create_url(course), event_data(date=day(-1).isoformat()))

    assert response.status_code == 200
    assert response.context["form"].errors["date"] == [
        "The date is in the past: enter today or a later date."]
    assert not Event.objects.exists()


def test_a_past_event_can_be_corrected_keeping_its_date(client, officer):
    start = datetime.combine(day(-3), datetime.min.time(), tzinfo=LONDON) + timedelta(hours=9,
                                                                                      minutes=30)
    event = EventFactory(start=start, end=start + timedelta(hours=7),
                         joining_link="https://teams.example/1")
    url = reverse("courses:manage-event-update", kwargs={"pk": event.pk})

    response = client.post(url, event_data(date=day(-3).isoformat(),
                                           notes_for_delegates="Held online in the end."))

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.notes_for_delegates == "Held online in the end."
    assert event.start == start


def test_an_event_cannot_be_moved_into_the_past(client, officer):
    event = EventFactory(joining_link="https://teams.example/1")
    before = event.start
    url = reverse("courses:manage-event-update", kwargs={"pk": event.pk})

    response = client.post(url, event_data(date=day(-1).isoformat()))

    assert response.status_code == 200
    assert response.context["form"].errors["date"]
    event.refresh_from_db()
    assert event.start == before


@pytest.mark.parametrize("field", ["end_date", "prep_meeting_date"])
@pytest.mark.parametrize("typed", ["0001-01-01", "9999-12-31"], ids=["year-1", "year-9999"])
def test_other_event_dates_outside_any_programme_are_refused(client, officer, field, typed):
    course = CourseFactory()
    data = event_data(**{field: typed})
    if field == "prep_meeting_date":
        data["prep_meeting_time"] = "14:00"

    response = client.post(create_url(course), data)

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Event.objects.exists()


def test_running_an_event_again_more_than_five_years_ahead_is_refused(client, officer):
    event = EventFactory(joining_link="https://teams.example/1")

    response = client.post(reverse("courses:manage-event-duplicate", kwargs={"pk": event.pk}),
                           {"date": (years_ahead(5) + timedelta(days=1)).isoformat()})

    assert response.status_code == 200
    assert "5 years" in response.context["form"].errors["date"][0]
    assert Event.objects.count() == 1


@pytest.mark.parametrize("typed", ["0001-01-01", "9999-12-31"], ids=["year-1", "year-9999"])
def test_a_course_last_reviewed_outside_any_programme_is_refused(client, officer, typed):
    response = client.post(reverse("courses:manage-course-create"),
                           course_data(last_reviewed=typed))

    assert response.status_code == 200
    assert response.context["form"].errors["last_reviewed"]
    assert not Course.objects.exists()


def test_a_course_cannot_be_last_reviewed_in_the_future(client, officer):
    response = client.post(reverse("courses:manage-course-create"),
                           course_data(last_reviewed=day(1).isoformat()))

    assert response.status_code == 200
    assert response.context["form"].errors["last_reviewed"] == [
        "Enter the date of the last review: today or earlier."]
    assert not Course.objects.exists()


@pytest.mark.parametrize("typed", ["0001-01-01", "9999-12-31"], ids=["year-1", "year-9999"])
def test_the_programme_filtered_from_a_far_date_answers_with_a_page(client, officer, typed):
    EventFactory()

    response = client.get(reverse("courses:manage-event-list"), {"start_from": typed})

    assert response.status_code == 200


# 7b. Control characters in what goes into email headers ---------------------------------------

CONTROL = {
    "crlf-header": "Safeguarding Partnership\r\nBcc: everyone@example.org",
    "lf": "Safeguarding\nPartnership",
    "tab": "Safeguarding\tPartnership",
    "escape": "Safeguarding\x1bPartnership",
    "line-separator": "Safeguarding\u2028Partnership",
}
ONE_LINE_MESSAGE = "Enter this on one line, without line breaks, tabs or other control characters."


def partnership_data(partnership, **changes):
    form = PartnershipForm(instance=partnership)
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name)
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
            continue
        data[name] = "" if value is None else str(value)
    data.update(changes)
    return data


@pytest.mark.parametrize("typed", list(CONTROL.values()), ids=list(CONTROL))
def test_a_partnership_name_with_a_line_break_is_refused(client, officer, typed):
    partnership = Partnership.load()
    url = reverse("core:partnership-update")

    response = client.post(url, partnership_data(partnership, name=typed))

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [ONE_LINE_MESSAGE]
    assert ONE_LINE_MESSAGE in page_text(response)
    assert Partnership.load().name == "Safeguarding Partnership"


@pytest.mark.parametrize("field, typed", [
    ("short_name", "S\r\nP"),
    ("contact_email", "training@partnership.example\r\nBcc: x@example.org"),
    ("contact_phone", "0300 123 4567\r\nBcc: x@example.org"),
], ids=["short-name", "contact-email", "contact-phone"])
def test_partnership_contact_fields_with_a_line_break_are_refused(client, officer, field,
                                                                  typed):
    partnership = Partnership.load()
    before = getattr(partnership, field)

    response = client.post(reverse("core:partnership-update"),
                           partnership_data(partnership, **{field: typed}))

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert getattr(Partnership.load(), field) == before


def test_the_partnership_form_names_the_problem_for_each_contact_field():
    data = partnership_data(Partnership.load(), contact_phone="0300\x07123",
                            name="Safe\x00guarding")
    form = PartnershipForm(data, instance=Partnership.load())
    assert not form.is_valid()
    assert form.errors["contact_phone"] == [ONE_LINE_MESSAGE]


@pytest.mark.parametrize("typed", list(CONTROL.values()), ids=list(CONTROL))
def test_a_course_title_with_a_control_character_is_refused(client, officer, typed):
    response = client.post(reverse("courses:manage-course-create"), course_data(title=typed))

    assert response.status_code == 200
    assert response.context["form"].errors["title"] == [ONE_LINE_MESSAGE]
    assert not Course.objects.exists()


@pytest.mark.parametrize("typed", list(CONTROL.values()), ids=list(CONTROL))
def test_a_newsletter_subject_with_a_control_character_is_refused(client, make_user, typed):
    event = EventFactory()
    client.force_login(make_user(Role.BUSINESS_SUPPORT))

    response = client.post(reverse("courses:newsletter-create"),
                           {"subject": typed, "introduction": "", "events": [event.pk]})

    assert response.status_code == 200
    assert response.context["form"].errors["subject"] == [ONE_LINE_MESSAGE]
    assert not Newsletter.objects.exists()


@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_a_name_with_a_line_break_is_refused_at_signup(field):
    form = SignupForm(data={"first_name": "Sam", "last_name": "Jones",
                            "email": "sam@example.org", "password1": "a-long-passphrase-7",
                            "password2": "a-long-passphrase-7", field: "Sam\r\nBcc: x"})
    assert not form.is_valid()
    assert form.errors[field] == [ONE_LINE_MESSAGE]


@pytest.mark.parametrize("field", ["first_name", "last_name", "job_title",
                                   "line_manager_name", "organisation_name"])
def test_profile_fields_that_reach_email_subjects_refuse_line_breaks(field):
    user = UserFactory()
    data = {"first_name": "Sam", "last_name": "Jones", "job_title": "Social worker",
            "staff_group": user.staff_group, "line_manager_name": "Morgan Manager",
            "line_manager_email": "morgan@example.org",
            "organisation_name": user.organisation.name, "access_needs": "",
            field: "Something\r\nBcc: x@example.org"}
    form = ProfileForm(data, instance=user)
    assert not form.is_valid()
    assert form.errors[field] == [ONE_LINE_MESSAGE]


def test_access_needs_may_still_have_several_lines():
    user = UserFactory()
    data = {"first_name": "Sam", "last_name": "Jones", "job_title": "Social worker",
            "staff_group": user.staff_group, "line_manager_name": "Morgan Manager",
            "line_manager_email": "morgan@example.org",
            "organisation_name": user.organisation.name,
            "access_needs": "Hearing loop.\r\nStep-free access."}
    form = ProfileForm(data, instance=user)
    assert form.is_valid(), form.errors


# 7c. Ids too big for the database ----------------------------------------------------------------

def test_a_huge_facilitator_id_is_a_message_not_an_error(client, officer):
    course = CourseFactory()

    response = client.post(create_url(course), event_data(facilitators=[HUGE_ID]))

    assert response.status_code == 200
    assert response.context["form"].errors["facilitators"] == [
        "Choose facilitators from the Training Pool list."]
    assert not Event.objects.exists()


def test_a_huge_prerequisite_id_is_a_message_not_an_error(client, officer):
    response = client.post(reverse("courses:manage-course-create"),
                           course_data(prerequisites=[HUGE_ID]))

    assert response.status_code == 200
    assert response.context["form"].errors["prerequisites"] == [
        "Choose prerequisites from the list."]
    assert not Course.objects.exists()


def test_a_huge_newsletter_event_id_is_a_message_not_an_error(client, make_user):
    client.force_login(make_user(Role.BUSINESS_SUPPORT))

    response = client.post(reverse("courses:newsletter-create"),
                           {"subject": "Spring dates", "introduction": "",
                            "events": [HUGE_ID]})

    assert response.status_code == 200
    assert response.context["form"].errors["events"] == ["Choose events from the list."]
    assert not Newsletter.objects.exists()


def test_the_multiple_choice_fields_refuse_a_huge_id_before_asking_the_database(
        django_assert_num_queries):
    course = CourseFactory()
    TrainingPoolMembership.objects.create(course=course, facilitator=UserFactory())
    fields = {
        "facilitators": EventForm(course=course).fields["facilitators"],
        "prerequisites": CourseForm().fields["prerequisites"],
        "events": NewsletterForm(now=timezone.now()).fields["events"],
    }
    for name, field in fields.items():
        with django_assert_num_queries(0), pytest.raises(forms.ValidationError) as refused:
            field.clean(["1", HUGE_ID])
        assert refused.value.code == "invalid_pk_value", name
        with pytest.raises(forms.ValidationError):
            field.clean([f"-{HUGE_ID}"])


# 7c and 7d on SQLite, the database of `make run` -----------------------------------------------

ROOT = Path(settings.BASE_DIR)


@pytest.fixture(scope="module")
def sqlite_template(tmp_path_factory):
    """A migrated SQLite database, made once: each test copies it."""
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    _manage(path, "migrate", "--noinput")
    return path


def _env(path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(DATABASE_URL=f"sqlite:///{path}",
               DJANGO_SETTINGS_MODULE="ddscp_training.settings.test")
    return env


def _manage(path, *args):
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=_env(path),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def _probe(sqlite_template, tmp_path, what):
    path = tmp_path / "db.sqlite3"
    for suffix in ("", "-wal", "-shm"):  # WAL mode: the log may hold part of the database
        if Path(f"{sqlite_template}{suffix}").exists():
            shutil.copy(f"{sqlite_template}{suffix}", f"{path}{suffix}")
    done = subprocess.run([sys.executable, "-m", "tests.security.sqlite_probe", what],
                          cwd=ROOT, env=_env(path), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def test_a_huge_id_on_sqlite_is_a_validation_error(sqlite_template, tmp_path):
    result, _ = _probe(sqlite_template, tmp_path, "huge-ids")

    assert result == {"facilitators": "invalid_pk_value", "prerequisites": "invalid_pk_value",
                      "events": "invalid_pk_value"}


def test_concurrent_bookings_and_signups_on_sqlite_do_not_fail(sqlite_template, tmp_path):
    result, log = _probe(sqlite_template, tmp_path, "concurrency")

    assert result["errors"] == []
    # Nor in what runs after the commit (the emails' delivery), which logs and carries on.
    assert "database is locked" not in log
    assert result["booked"] == result["bookers"]
    assert result["signups"] == [302] * result["signers"]
    assert result["accounts"] == result["signers"]


def test_asking_for_a_report_on_sqlite_makes_one_and_generates_it(sqlite_template, tmp_path):
    """`make run` is on SQLite: asking for a report must not need PostgreSQL's advisory
    locks (it gave a server error)."""
    result, _ = _probe(sqlite_template, tmp_path, "report-request")

    assert result == {"reports": 1, "status": "ready", "error": ""}


def test_every_demo_login_reaches_its_pages_on_sqlite_without_a_server_error(
        sqlite_template, tmp_path):
    """`make run`'s database is SQLite: a query only PostgreSQL knows (DISTINCT ON gave the
    safeguarding lead's home page a server error) fails here, not in front of a reviewer."""
    result, _ = _probe(sqlite_template, tmp_path, "pages")

    assert result["errors"] == []
    assert result["opened"] > 300
