"""The request pages: a delegate's "Your evaluations" and the task line on My training (their
own requests only: another's uid is not found), and the officers' response rates, who has not
responded and "send one more reminder" (sent once, audited; facilitators refused)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from core.models import AuditEntry, OutgoingEmail
from evaluations.models import EvaluationRequest, RequestKind
from evaluations.selectors.requests import request_of, requests_open_for
from tests.factories import BookingFactory, CourseFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db


def _request(kind=RequestKind.STAGE_1, *, booking=None, user=None, event=None, sent=True,
             completed=False, withdrawn=False, **fields):
    now = timezone.now()
    if booking is None and kind != RequestKind.FACILITATOR:
        booking = BookingFactory(event=event or _past_event(), status="attended",
                                 **({"delegate": user} if user else {}))
    event = booking.event if booking else event
    fields.setdefault("due_at", now - timedelta(days=1))
    return EvaluationRequest.objects.create(
        kind=kind, user=booking.delegate if booking else user, course=event.course, event=event,
        booking=booking,
        requested_at=now - timedelta(days=1) if sent else None,
        completed_at=now if completed else None, withdrawn_at=now if withdrawn else None,
        **fields)


def _past_event(**kwargs):
    start = timezone.now() - timedelta(days=3)
    kwargs.setdefault("course", CourseFactory(title="Domestic Abuse Awareness"))
    return EventFactory(start=start, end=start + timedelta(hours=7), **kwargs)


@pytest.fixture
def officer(client, make_user):
    user = make_user(Role.OFFICER)
    client.force_login(user)
    return user


# A delegate's own evaluations ---------------------------------------------------------------

def test_my_training_shows_how_many_evaluations_to_complete_and_links_to_them(client, delegate):
    mine = [_request(user=delegate), _request(RequestKind.STAGE_2, user=delegate)]
    _request(user=delegate, completed=True)  # answered
    _request(user=delegate, withdrawn=True)  # withdrawn
    _request(RequestKind.STAGE_2, user=delegate, sent=False,  # not due yet
             due_at=timezone.now() + timedelta(days=30))
    _request(user=UserFactory())  # someone else's
    client.force_login(delegate)

    page = client.get(reverse("bookings:my-training")).content.decode()
    assert "2 evaluations to complete" in page
    assert reverse("evaluations:request-list") in page

    listing = client.get(reverse("evaluations:request-list")).content.decode()
    for request in mine:
        assert reverse("evaluations:request-answer", kwargs={"uid": request.uid}) in listing
    assert str(EvaluationRequest.objects.exclude(user=delegate).get().uid) not in listing


def test_nothing_to_do_shows_no_task(client, delegate):
    client.force_login(delegate)
    assert "to complete" not in client.get(reverse("bookings:my-training")).content.decode()
    assert "You have no evaluations to complete" in client.get(
        reverse("evaluations:request-list")).content.decode()


def test_a_pre_course_questionnaire_leaves_the_list_when_the_event_starts(delegate):
    upcoming = EventFactory()  # a month ahead
    booking = BookingFactory(event=upcoming, delegate=delegate)
    pre = _request(RequestKind.PRE, booking=booking)
    now = timezone.now()
    assert list(requests_open_for(user=delegate, now=now)) == [pre]
    assert list(requests_open_for(user=delegate, now=upcoming.start)) == []


def test_a_delegate_reaches_only_their_own_request(client, delegate):
    theirs = _request(user=UserFactory())
    with pytest.raises(Exception) as found:
        request_of(user=delegate, uid=theirs.uid)
    assert found.typename == "Http404"
    client.force_login(delegate)
    response = client.get(reverse("evaluations:request-answer", kwargs={"uid": theirs.uid}))
    assert response.status_code == 404


def test_the_task_costs_no_query_on_pages_that_do_not_show_it(client, delegate,
                                                              django_assert_max_num_queries):
    _request(user=delegate)
    client.force_login(delegate)
    client.get(reverse("courses:course-list"))  # warm up
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("courses:course-list"))
    assert not [q for q in queries if "evaluations_evaluationrequest" in q["sql"]]


def test_your_evaluations_page_runs_a_bounded_number_of_queries(client, delegate,
                                                                django_assert_max_num_queries):
    for _ in range(25):
        _request(user=delegate)
    client.force_login(delegate)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("evaluations:request-list"))
    assert response.context["page_obj"].paginator.count == 25
    assert len(response.context["object_list"]) == 20  # paginated


# Officers: response rates, who has not responded, one more reminder -------------------------

def _event_with_answers(course=None):
    event = _past_event(**({"course": course} if course else {}))
    facilitator = UserFactory(first_name="Fran", last_name="Facilitator")
    event.facilitators.add(facilitator)
    people = [UserFactory(first_name=f"Person{n}", last_name="Delegate") for n in range(4)]
    bookings = [BookingFactory(event=event, delegate=p, status="attended") for p in people]
    # Stage 1: 4 asked, 3 answered (75%); pre: 4 asked, 1 answered, 1 withdrawn (1 of 3).
    for n, booking in enumerate(bookings):
        _request(RequestKind.STAGE_1, booking=booking, completed=n < 3)
        pre = _request(RequestKind.PRE, booking=booking, completed=n == 0, withdrawn=n == 3)
        if n == 3:  # withdrawn before the event (a place cancelled): not asked
            EvaluationRequest.objects.filter(pk=pre.pk).update(
                withdrawn_at=event.start - timedelta(days=1))
    _request(RequestKind.FACILITATOR, user=facilitator, event=event)
    return event, people


def test_officers_see_response_rates_per_event_and_per_course(client, officer,
                                                              django_assert_max_num_queries):
    event, _ = _event_with_answers()
    for _ in range(3):  # other events, so the list has rows to count queries over
        _event_with_answers(course=event.course)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("evaluations:responserate-list"))
    page = response.content.decode()
    assert "3 of 4 <span" in page and "(75%)" in page  # Stage 1
    assert "1 of 3 <span" in page and "(33%)" in page  # pre-course: the withdrawn one left out
    assert "0 of 1 <span" in page  # facilitator feedback

    by_course = client.get(reverse("evaluations:responserate-list"),
                           {"course": event.course.pk}).content.decode()
    assert "Domestic Abuse Awareness: every event" in by_course
    rows = {rate.kind: (rate.asked, rate.answered, rate.percent)
            for rate in client.get(reverse("evaluations:responserate-list"),
                                   {"course": event.course.pk}).context["course_rates"]}
    assert rows[RequestKind.STAGE_1] == (16, 12, 75)

    bad = client.get(reverse("evaluations:responserate-list"), {"course": "99999999"})
    assert bad.status_code == 200 and "Choose a course from the list" in bad.content.decode()


def test_officers_see_who_has_not_responded_with_names(client, officer,
                                                       django_assert_max_num_queries):
    event, people = _event_with_answers()
    with django_assert_max_num_queries(12):
        page = client.get(reverse("evaluations:responserate-event",
                                  kwargs={"pk": event.pk})).content.decode()
    assert "Person3 Delegate" in page  # no Stage 1 yet
    assert "Fran Facilitator" in page  # no feedback yet
    not_responded = client.get(reverse("evaluations:responserate-event",
                                       kwargs={"pk": event.pk})).context["not_responded"]
    assert {(r.user.first_name, r.kind) for r in not_responded} == {
        ("Person3", "stage_1"), ("Person1", "pre"), ("Person2", "pre"),
        ("Fran", "facilitator")}


def test_one_more_reminder_is_sent_once_and_audited(client, officer):
    event, people = _event_with_answers()
    late = EvaluationRequest.objects.get(kind=RequestKind.STAGE_1, user=people[3])
    late.reminders_sent = 2  # the automatic reminders have all gone
    late.save()
    url = reverse("evaluations:request-remind")
    data = {"request": str(late.uid), "expected_sent": "2"}

    first = client.post(url, data, follow=True)
    second = client.post(url, data, follow=True)  # a double click

    assert "A reminder is on its way to Person3 Delegate" in first.content.decode()
    assert "Reminder 3 has already been sent" in second.content.decode()
    rows = OutgoingEmail.objects.filter(purpose=f"evaluation:{late.uid}:reminder:3")
    assert [r.recipient for r in rows] == [people[3].email]
    late.refresh_from_db()
    assert late.reminders_sent == 3
    entry = AuditEntry.objects.get(action="evaluation.request_remind_by_officer")
    assert entry.actor == officer and entry.details["number"] == 3
    [email] = [m for m in mail.outbox if m.to == [people[3].email]]
    assert f"/evaluations/{late.uid}/" in email.body


def test_no_reminder_to_someone_who_answered_or_for_another_event(client, officer):
    event, people = _event_with_answers()
    answered = EvaluationRequest.objects.get(kind=RequestKind.STAGE_1, user=people[0])
    url = reverse("evaluations:request-remind")
    response = client.post(url, {"request": str(answered.uid), "expected_sent": "0"},
                           follow=True)
    assert "has already answered this evaluation" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("evaluations:responserate-event",
                                                     kwargs={"pk": event.pk})
    withdrawn = EvaluationRequest.objects.get(kind=RequestKind.PRE, user=people[3])
    page = client.post(url, {"request": str(withdrawn.uid), "expected_sent": "0"},
                       follow=True).content.decode()
    assert "was withdrawn" in page
    for bad in ({"request": "not-a-uid", "expected_sent": "-1"},
                {"request": "8c7b3a52-6f0e-4a57-9a55-0f1c1a3a2b11", "expected_sent": "0"}, {}):
        page = client.post(url, bad, follow=True).content.decode()
        assert "Choose someone who has not responded" in page
    assert not OutgoingEmail.objects.filter(purpose__contains=":reminder:").exists()


def test_facilitators_and_delegates_never_see_the_names(client, make_user, delegate):
    event, _ = _event_with_answers()
    for person in (make_user(Role.FACILITATOR), delegate):
        client.force_login(person)
        for url in (reverse("evaluations:responserate-list"),
                    reverse("evaluations:responserate-event", kwargs={"pk": event.pk})):
            assert client.get(url).status_code == 403
        response = client.post(reverse("evaluations:request-remind"),
                               {"request": str(EvaluationRequest.objects.first().uid),
                                "expected_sent": "0"})
        assert response.status_code == 403
    assert not OutgoingEmail.objects.filter(purpose__contains=":reminder:").exists()


def test_an_event_that_does_not_exist_is_not_found(client, officer):
    assert client.get(reverse("evaluations:responserate-event",
                              kwargs={"pk": 99999999})).status_code == 404


def test_e_learning_non_responders_are_listed_with_the_course_and_reminded(client, officer):
    from courses.models import Completion, Format

    module = CourseFactory(title="Introduction to Safeguarding", format=Format.E_LEARNING)
    person = UserFactory(first_name="Robin", last_name="Learner")
    completion = Completion.objects.create(user=person, course=module,
                                           completed_on=timezone.localdate(),
                                           source=Completion.Source.E_LEARNING)
    now = timezone.now()
    waiting = EvaluationRequest.objects.create(
        kind=RequestKind.STAGE_1, user=person, course=module, completion=completion,
        due_at=now - timedelta(days=8), requested_at=now - timedelta(days=8))
    response = client.get(reverse("evaluations:responserate-list"), {"course": module.pk})
    assert "Robin Learner" in response.content.decode()
    assert [r.kind for r in response.context["course_rates"] if r.asked] == ["stage_1"]
    done = client.post(reverse("evaluations:request-remind"),
                       {"request": str(waiting.uid), "expected_sent": "0"})
    assert done["Location"] == (reverse("evaluations:responserate-list")
                                + f"?course={module.pk}")
    assert OutgoingEmail.objects.filter(purpose=f"evaluation:{waiting.uid}:reminder:1",
                                        recipient=person.email).exists()
