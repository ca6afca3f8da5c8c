"""Review of the transactional outbox (core.outbox) as an outside auditor: every email is
written in the transaction of the change that causes it, the same email is never queued twice
(whatever the case of the address), and the Emails page shows business support no address."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from bookings.models import BookingStatus
from core import outbox
from core.models import OutgoingEmail
from courses import services as course_services
from courses.models import TrainingPoolMembership
from tests.factories import BookingFactory, CourseFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db
Status = OutgoingEmail.Status
TEMPLATE = "accounts/organisation_requests_waiting"


def queue(purpose, to):
    return outbox.email_queue(to=to, template=TEMPLATE, context={"requests": []},
                              purpose=purpose, nudge=False)


# Finding 1: cancelling an event queued its emails only after the commit -------------------------

def test_cancelling_an_event_owes_every_email_in_the_same_transaction(
        make_user, django_capture_on_commit_callbacks):
    """A commit means an email: if the process stops right after the event's cancellation is
    committed (the after-commit callbacks never run), the facilitators and the delegates are
    still owed their emails, and the places are cancelled with the event."""
    officer = make_user(Role.OFFICER)
    course = CourseFactory()
    facilitator = make_user(Role.FACILITATOR, email="fac@partnership.example")
    TrainingPoolMembership.objects.create(course=course, facilitator=facilitator)
    event = EventFactory(course=course, facilitators=[facilitator],
                         start=timezone.now() + timedelta(days=30))
    booking = BookingFactory(event=event, status=BookingStatus.BOOKED,
                             delegate=UserFactory(email="delegate@example.org"))

    with django_capture_on_commit_callbacks(execute=False):  # the worker dies after COMMIT
        course_services.event_cancel(event=event, by=officer, reason="The trainer is ill.",
                                     now=timezone.now())

    owed = set(OutgoingEmail.objects.values_list("recipient", flat=True))
    assert owed == {"fac@partnership.example", "delegate@example.org"}
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


# Finding 2: the same email to the same address in another case was queued twice ----------------

def test_the_same_purpose_to_an_address_in_another_case_is_queued_once():
    first = queue("booking:1:line_manager_booked:0", ["Morgan.Manager@School.example"])
    again = queue("booking:1:line_manager_booked:0", ["morgan.manager@school.example"])
    assert len(first) == 1 and again == []
    assert OutgoingEmail.objects.count() == 1


# Finding 3: business support saw addresses in subjects and in the mail server's answer ----------

def test_business_support_sees_no_address_in_a_subject_or_an_error(client, make_user):
    [row] = queue("booking:9:substitution_invited:0", ["dana.delegate@example.org"])
    OutgoingEmail.objects.filter(pk=row.pk).update(
        status=Status.FAILED, attempts=12,
        subject="We have invited colleague.secret@example.org to take your place",
        last_error="SMTPRecipientsRefused: {'dana.delegate@example.org': (550, b'No such user')}")
    client.force_login(make_user(Role.BUSINESS_SUPPORT))

    listing = client.get(reverse("core:outgoingemail-list")).content.decode()
    detail = client.get(reverse("core:outgoingemail-detail", args=[row.pk])).content.decode()

    for page in (listing, detail):
        assert "colleague.secret@example.org" not in page
        assert "dana.delegate@example.org" not in page
    assert "c•••@example.org" in listing and "c•••@example.org" in detail
    assert "No such user" in detail  # what went wrong is still shown


def test_officers_still_see_the_addresses(client, make_user):
    [row] = queue("booking:9:substitution_invited:0", ["dana.delegate@example.org"])
    OutgoingEmail.objects.filter(pk=row.pk).update(
        status=Status.FAILED, subject="We have invited colleague.secret@example.org",
        last_error="SMTPRecipientsRefused: {'dana.delegate@example.org': (550, b'No')}")
    client.force_login(make_user(Role.OFFICER))
    detail = client.get(reverse("core:outgoingemail-detail", args=[row.pk])).content.decode()
    assert "colleague.secret@example.org" in detail and "dana.delegate@example.org" in detail


# Bad input on the Emails page (held; kept as guards) ---------------------------------------------

@pytest.mark.parametrize("path", ["core:outgoingemail-detail", "core:outgoingemail-resend"])
def test_a_huge_id_is_a_404_not_a_500(client, make_user, path):
    client.force_login(make_user(Role.OFFICER))
    url = reverse(path, args=[10 ** 30])
    response = client.post(url) if path.endswith("resend") else client.get(url)
    assert response.status_code == 404


def test_a_masked_address_is_shown_for_text_typed_by_a_user_and_escaped(client, make_user):
    [row] = queue("booking:9:substitution_invited:0", ["dana@example.org"])
    OutgoingEmail.objects.filter(pk=row.pk).update(
        subject='<script>alert(1)</script> "x"@example.org')
    client.force_login(make_user(Role.BUSINESS_SUPPORT))
    page = client.get(reverse("core:outgoingemail-list")).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page


@pytest.mark.django_db(transaction=True)
def test_two_transactions_queuing_the_same_email_at_once_leave_one_row():
    """Two requests (a double-clicked button) queue the same purpose at the same moment on
    PostgreSQL: the second waits for the first's commit, then queues nothing and does not fail."""
    import threading

    from django.db import connection, transaction

    first_inserted, errors, results = threading.Event(), [], {}

    def first():
        try:
            with transaction.atomic():
                results["first"] = queue("race:same", ["sam@example.org"])
                first_inserted.set()
                threading.Event().wait(0.5)  # hold the transaction open
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            first_inserted.set()
            connection.close()

    def second():
        try:
            first_inserted.wait(5)
            with transaction.atomic():
                results["second"] = queue("race:same", ["sam@example.org"])
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results["first"]) == 1 and results["second"] == []
    assert OutgoingEmail.objects.filter(purpose="race:same").count() == 1


# Finding 5: an officer could read the line manager's approval link on the Emails page -----------

def test_the_line_managers_approval_link_is_not_shown_to_officers(
        client, make_user, django_capture_on_commit_callbacks):
    """The signed link lets whoever holds it agree to (or refuse) a delegate's training as if
    they were the line manager, without an account: like a password reset link, its words are
    not shown on the Emails page."""
    from bookings import services as booking_services

    Partnership = __import__("core.models", fromlist=["Partnership"]).Partnership
    Partnership.objects.filter(pk=1).update(line_manager_approval_required=True)
    delegate = UserFactory(line_manager_email="morgan.manager@school.example")
    event = EventFactory(start=timezone.now() + timedelta(days=30))
    booking_services.booking_create(event=event, delegate=delegate, now=timezone.now())
    row = OutgoingEmail.objects.get(recipient="morgan.manager@school.example")
    assert "/approval/" in row.body_text or "line-manager" in row.body_text
    link = next(word for word in row.body_text.split() if word.startswith("http"))

    client.force_login(make_user(Role.OFFICER))
    detail = client.get(reverse("core:outgoingemail-detail", args=[row.pk])).content.decode()

    assert link not in detail
    assert "morgan.manager@school.example" in detail  # who it went to is still shown


# Finding 6: tasks queued by the previous release were dropped after the upgrade ------------------

def test_email_tasks_queued_before_the_upgrade_still_go_through_the_outbox(make_user):
    """At deployment Redis may still hold tasks the old code queued (core.tasks.email_send,
    bookings.tasks.booking_email_send, accounts.tasks.organisation_request_decided_send). A
    worker that does not know a task name discards it: those emails were lost. Each old name
    now queues its email in the outbox, under the purpose the new code uses where there is
    one, so an email queued both ways goes once; run twice (a retry), it is queued once."""
    from celery import current_app

    import accounts.tasks  # noqa: F401 - a worker imports every app's tasks (autodiscovery)
    import bookings.tasks  # noqa: F401
    import core.tasks  # noqa: F401
    from accounts.models import OrganisationRequest

    names = {"core.tasks.email_send", "bookings.tasks.booking_email_send",
             "accounts.tasks.organisation_request_decided_send"}
    assert names <= set(current_app.tasks)

    booking = BookingFactory(event=EventFactory(start=timezone.now() + timedelta(days=30)),
                             delegate=UserFactory(email="dana@example.org"))
    delegate = UserFactory(email="ola@example.org")
    request = OrganisationRequest.objects.create(
        requested_by=delegate, name="Acorn Academy", sector="education",
        status=OrganisationRequest.Status.DECLINED, decision_note="Not in the area")
    for _ in range(2):
        current_app.tasks["core.tasks.email_send"].apply(kwargs={
            "to": ["lead@school.example"], "template": TEMPLATE, "context": {"requests": []}})
        current_app.tasks["bookings.tasks.booking_email_send"].apply(kwargs={
            "booking_id": booking.pk, "template": "booking_confirmed", "to": None,
            "recipient_id": None, "ics": "REQUEST", "sequence": 0, "extra": {}})
        current_app.tasks["accounts.tasks.organisation_request_decided_send"].apply(
            args=[request.pk])

    rows = OutgoingEmail.objects.all()
    assert sorted(rows.values_list("recipient", flat=True)) == [
        "dana@example.org", "lead@school.example", "ola@example.org"]
    assert rows.get(recipient="dana@example.org").purpose == (
        f"booking:{booking.uid}:booking_confirmed:0")
    assert rows.get(recipient="ola@example.org").purpose == (
        f"organisation_request:{request.pk}:decided")
