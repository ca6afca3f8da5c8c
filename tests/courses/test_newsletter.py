"""The training newsletter: business support composes it from upcoming events, previews the
email, and sends it in batches to the people who asked for it, never twice to anyone; every
email carries an opt-out link that only a POST acts on."""

import html
import re
import smtplib
import threading
import time
from datetime import timedelta
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail, signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from core.dates import clock, short_date
from core.exceptions import DomainError
from core.models import AuditEntry, OutgoingEmail, Partnership
from core.outbox import email_queue, outbox_deliver
from courses.models import EventStatus
from newsletter import services, tasks
from newsletter.models import Newsletter, NewsletterDelivery
from newsletter.policies import newsletter_unsubscribe_token
from tests.factories import CourseFactory, EventFactory, UserFactory, VenueFactory

pytestmark = pytest.mark.django_db

LIST = reverse("courses:newsletter-list")
CREATE = reverse("courses:newsletter-create")
UNSUBSCRIBE = reverse("courses:newsletter-unsubscribe")


def preview_url(newsletter):
    return reverse("courses:newsletter-preview", kwargs={"pk": newsletter.pk})


def send_url(newsletter):
    return reverse("courses:newsletter-send", kwargs={"pk": newsletter.pk})


def update_url(newsletter):
    return reverse("courses:newsletter-update", kwargs={"pk": newsletter.pk})


def subscriber(**kwargs):
    return UserFactory(newsletter_opt_in=True, **kwargs)


def newsletter_emails():
    """What the mail server received once the outbox has delivered what is due."""
    outbox_deliver()
    return [m for m in mail.outbox if "List-Unsubscribe" in m.extra_headers]


def draft(*, events, subject="New safeguarding training this spring", by=None):
    return services.newsletter_create(by=by, subject=subject, events=events, now=timezone.now(),
                                      introduction="New dates for the spring.\n\nBook early.")


def ticked(page, event_pk):
    """Is the event's checkbox on the compose page ticked? None if it is not listed."""
    found = re.search(rf'<input[^>]*name="events" value="{event_pk}"[^>]*>', page)
    return None if found is None else " checked" in found.group(0)


def unsubscribe_link(message):
    """The opt-out link of a newsletter email, as a path with its query string."""
    parts = urlsplit(message.extra_headers["List-Unsubscribe"].strip("<>"))
    return f"{parts.path}?{parts.query}"


@pytest.fixture
def business_support(make_user):
    return make_user(Role.BUSINESS_SUPPORT, first_name="Bea", email="bea@partnership.example")


@pytest.fixture
def event(db):
    return EventFactory(course=CourseFactory(title="Working Together: the essentials"),
                        venue=VenueFactory(name="Council House", postcode="DY1 1HF"),
                        capacity=20, places_taken=5)


@pytest.fixture
def send_now(django_capture_on_commit_callbacks):
    """Send a newsletter as business support would, running what is queued after commit (the
    Celery tasks run eagerly in the unit tests)."""

    def send(newsletter, by=None):
        with django_capture_on_commit_callbacks(execute=True):
            return services.newsletter_send(newsletter=newsletter, by=by, now=timezone.now())

    return send


# Who gets it ---------------------------------------------------------------------------------

def test_only_active_opted_in_people_with_a_verified_email_get_it(event, send_now):
    yes = [subscriber(email="amy@example.org"), subscriber(email="ben@example.org")]
    subscriber(email="unverified@example.org", verified=False)
    subscriber(email="left@example.org", is_active=False)
    UserFactory(email="not-asked@example.org", newsletter_opt_in=False)
    changed = subscriber(email="old@example.org")  # verified the old address, not the new one
    changed.email = "new-unconfirmed@example.org"
    changed.save()

    newsletter = send_now(draft(events=[event]))

    emails = newsletter_emails()
    assert sorted(m.to[0] for m in emails) == ["amy@example.org", "ben@example.org"]
    assert all(len(m.to) == 1 for m in emails)  # nobody sees anyone else's address
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.SENT and newsletter.sent_at is not None
    assert {d.user_id for d in newsletter.deliveries.all()} == {u.pk for u in yes}


def test_each_email_lists_the_events_with_their_details_and_an_opt_out_link(event, send_now):
    online = EventFactory(course=CourseFactory(title="Neglect: level 3", level="3"),
                          capacity=30, places_taken=30, start=event.start + timedelta(days=7))
    amy = subscriber(email="amy@example.org", first_name="Amy")

    send_now(draft(events=[event, online]))

    [message] = newsletter_emails()
    assert message.subject == "New safeguarding training this spring"
    text = message.body
    html = message.alternatives[0][0]
    event_url = f"http://127.0.0.1:8000{reverse('courses:event-detail', kwargs={'pk': event.pk})}"
    for part in (text, html):
        assert "Dear Amy" in part
        assert "Working Together: the essentials" in part and "Neglect: level 3" in part
        assert event_url in part
        assert "Council House, DY1 1HF" in part and "Online" in part
        assert "15 places left" in part and "Full: join the waiting list" in part
        assert "Level 2" in part and "Level 3" in part
        assert f"{timezone.localtime(event.start):%A %-d %B %Y}, 9:30am to 4:30pm" in part
        assert "New dates for the spring." in part
    assert "<table" not in text
    link = unsubscribe_link(message)
    assert link.startswith(UNSUBSCRIBE)
    assert link.replace("&", "&amp;") in html and link in text
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = parse_qs(urlsplit(link).query)["token"][0]
    assert signing.loads(token, salt="newsletter-unsubscribe") == amy.pk


# Never twice ---------------------------------------------------------------------------------

def test_sending_twice_is_refused_and_sends_nothing_more(event, send_now):
    subscriber()
    subscriber()
    newsletter = send_now(draft(events=[event]))
    assert len(newsletter_emails()) == 2

    with pytest.raises(DomainError, match="already sent"):
        send_now(newsletter)

    assert len(newsletter_emails()) == 2
    assert NewsletterDelivery.objects.filter(newsletter=newsletter).count() == 2


def test_running_the_batch_task_again_sends_nothing_twice(event, send_now):
    for _ in range(3):
        subscriber()
    newsletter = send_now(draft(events=[event]))
    assert len(newsletter_emails()) == 3

    tasks.newsletter_send_batch(newsletter.pk)
    tasks.newsletter_send_batch(newsletter.pk)

    assert len(newsletter_emails()) == 3
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.SENT


def test_batches_of_two_send_to_five_people_in_three_tasks(event, send_now, settings):
    settings.NEWSLETTER_BATCH_SIZE = 2
    people = [subscriber() for _ in range(5)]
    batches = []
    real = services.newsletter_send_batch

    def spy(**kwargs):
        result = real(**kwargs)
        batches.append((kwargs["batch_size"], result.sent, result.remaining))
        return result

    with mock.patch.object(services, "newsletter_send_batch", side_effect=spy):
        newsletter = send_now(draft(events=[event]))

    assert batches == [(2, 2, 3), (2, 2, 1), (2, 1, 0)]
    assert sorted(m.to[0] for m in newsletter_emails()) == sorted(p.email for p in people)
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.SENT


def test_the_newsletter_is_marked_sent_only_when_the_last_batch_is_done(event, send_now):
    for _ in range(5):
        subscriber()
    with mock.patch.object(tasks.newsletter_send_batch, "apply_async"):  # nothing queued
        newsletter = send_now(draft(events=[event]))
    assert newsletter.status == Newsletter.Status.SENDING and not newsletter_emails()

    now = timezone.now()
    first = services.newsletter_send_batch(newsletter=newsletter, batch_size=2, now=now)
    newsletter.refresh_from_db()
    assert (first.sent, first.remaining, first.more) == (2, 3, True)
    assert newsletter.status == Newsletter.Status.SENDING and newsletter.sent_at is None
    services.newsletter_send_batch(newsletter=newsletter, batch_size=2, now=now)
    last = services.newsletter_send_batch(newsletter=newsletter, batch_size=2, now=now)
    assert (last.sent, last.remaining, last.more) == (1, 0, False)
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.SENT and newsletter.sent_at == now
    assert len(newsletter_emails()) == 5


def test_an_smtp_error_keeps_what_was_sent_and_the_retry_sends_only_the_rest(event, send_now):
    for _ in range(4):
        subscriber()
    with mock.patch.object(tasks.newsletter_send_batch, "apply_async"):
        newsletter = send_now(draft(events=[event]))
    services.newsletter_send_batch(newsletter=newsletter, batch_size=10, now=timezone.now())
    from django.core.mail.backends.locmem import EmailBackend

    calls = {"n": 0}
    original = EmailBackend.send_messages

    def flaky(backend, messages):
        calls["n"] += 1
        if calls["n"] == 3:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return original(backend, messages)

    with mock.patch.object(EmailBackend, "send_messages", flaky):
        outbox_deliver()
    assert len(mail.outbox) == 3
    waiting = OutgoingEmail.objects.get(status=OutgoingEmail.Status.RETRY)
    assert "Connection unexpectedly closed" in waiting.last_error

    outbox_deliver(now=waiting.next_attempt_at)

    assert len(newsletter_emails()) == 4
    assert len({m.to[0] for m in newsletter_emails()}) == 4


def test_a_refused_address_fails_in_the_outbox_and_the_others_still_get_it(event, send_now):
    subscriber(email="gone@example.org")
    subscriber(email="amy@example.org")
    with mock.patch.object(tasks.newsletter_send_batch, "apply_async"):
        newsletter = send_now(draft(events=[event]))
    from django.core.mail.backends.locmem import EmailBackend

    original = EmailBackend.send_messages

    def refuse(backend, messages):
        if messages[0].to == ["gone@example.org"]:
            raise smtplib.SMTPRecipientsRefused({"gone@example.org": (550, b"No such user")})
        return original(backend, messages)

    services.newsletter_send_batch(newsletter=newsletter, batch_size=10, now=timezone.now())
    with mock.patch.object(EmailBackend, "send_messages", refuse):
        outbox_deliver()

    assert [m.to[0] for m in newsletter_emails()] == ["amy@example.org"]
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.SENT
    failed = OutgoingEmail.objects.get(status=OutgoingEmail.Status.FAILED)
    assert failed.recipient == "gone@example.org" and "550" in failed.last_error


def test_someone_who_opts_out_before_their_batch_is_not_emailed(event, send_now):
    stays, leaves = subscriber(email="stays@example.org"), subscriber(email="leaves@example.org")
    with mock.patch.object(tasks.newsletter_send_batch, "apply_async"):
        newsletter = send_now(draft(events=[event]))
    services.newsletter_unsubscribe(user=leaves, now=timezone.now())

    tasks.newsletter_send_batch(newsletter.pk)

    assert [m.to[0] for m in newsletter_emails()] == [stays.email]
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.SENT


def test_the_sweep_resumes_a_newsletter_stuck_in_sending_and_is_idempotent(event, send_now):
    for _ in range(3):
        subscriber()
    with mock.patch.object(tasks.newsletter_send_batch, "apply_async"):  # the worker died
        newsletter = send_now(draft(events=[event]))
    sent_already = Newsletter.objects.create(subject="Done", status=Newsletter.Status.SENT)

    assert tasks.newsletters_sending_resume() == 1
    assert tasks.newsletters_sending_resume() == 0

    assert len(newsletter_emails()) == 3
    newsletter.refresh_from_db()
    sent_already.refresh_from_db()
    assert newsletter.status == Newsletter.Status.SENT
    assert sent_already.status == Newsletter.Status.SENT and sent_already.sent_at is None


def test_the_sweep_is_in_the_beat_schedule_every_ten_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["newsletters-sending-resume"]
    assert entry["task"] == "newsletter.tasks.newsletters_sending_resume"
    assert entry["schedule"].minute == set(range(0, 60, 10))


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_never_send_twice_to_the_same_person(send_now):
    """Two batch runs at the same moment, each in its own thread with its own PostgreSQL
    connection: skip_locked hands each delivery to one of them only."""
    event = EventFactory()
    people = [subscriber() for _ in range(6)]
    with mock.patch.object(tasks.newsletter_send_batch, "apply_async"):
        newsletter = send_now(draft(events=[event]))
    Partnership.load()  # exists before the threads race to read it
    start = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            start.wait()
            while True:
                batch = services.newsletter_send_batch(newsletter=newsletter, batch_size=2,
                                                       now=timezone.now())
                results.append(batch)
                if not batch.more:
                    break
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert not errors, errors
    sent_to = [m.to[0] for m in newsletter_emails()]
    assert sorted(sent_to) == sorted(p.email for p in people)  # each once, nobody twice
    assert sum(b.sent for b in results) == 6
    assert NewsletterDelivery.objects.filter(newsletter=newsletter, sent_at=None).count() == 0
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.SENT


# Composing, previewing and sending (business support) -----------------------------------------

def test_compose_lists_upcoming_events_and_ticks_those_new_since_the_last_newsletter(
        client, business_support):
    old = EventFactory(course=CourseFactory(title="Old event course"),
                       created_at=timezone.now() - timedelta(days=30))
    Newsletter.objects.create(subject="Last month", status=Newsletter.Status.SENT,
                              send_requested_at=timezone.now() - timedelta(days=10),
                              sent_at=timezone.now() - timedelta(days=10))
    new = EventFactory(course=CourseFactory(title="Brand new course"))
    EventFactory(course=CourseFactory(title="Cancelled course"), status=EventStatus.CANCELLED)
    EventFactory(course=CourseFactory(title="Past course"),
                 start=timezone.now() - timedelta(days=2))
    EventFactory(course=CourseFactory(title="Withdrawn course", active=False))

    client.force_login(business_support)
    response = client.get(CREATE)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Old event course" in page and "Brand new course" in page
    assert "Cancelled course" not in page and "Past course" not in page
    assert "Withdrawn course" not in page
    assert ticked(page, new.pk) is True
    assert ticked(page, old.pk) is False  # listed, not ticked
    assert response.context["form"].initial["events"] == [new.pk]


def test_business_support_composes_previews_and_sends(client, business_support, event,
                                                     django_capture_on_commit_callbacks):
    people = [subscriber() for _ in range(3)]
    client.force_login(business_support)

    response = client.post(CREATE, {"subject": "  New  courses for spring ",
                                    "introduction": "Places are limited.",
                                    "events": [event.pk]})
    newsletter = Newsletter.objects.get()
    assert response.status_code == 302 and response["Location"] == preview_url(newsletter)
    assert newsletter.subject == "New courses for spring"
    assert newsletter.created_by == business_support
    assert list(newsletter.events.all()) == [event]
    assert AuditEntry.objects.filter(action="newsletter.create",
                                     target_id=str(newsletter.pk)).exists()

    preview = client.get(preview_url(newsletter))
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Will go to" in page and "3 people" in page
    assert "Working Together: the essentials" in preview.context["email_html"]
    # The HTML part is shown in a frame, as a document of its own (it keeps the inline styles
    # mail programs need, which the site's Content-Security-Policy refuses on its pages).
    frame_src = html.unescape(re.search(r'<iframe[^>]*\ssrc="([^"]*)"', page).group(1))
    email = client.get(frame_src).content.decode()
    assert "Working Together: the essentials" in email and "<h1" in email
    assert "Dear Bea" in email and "Working Together: the essentials" in (
        preview.context["email_html"])
    assert "Plain-text version" in page
    assert "Find out more and book: http" in preview.context["email_text"]
    assert preview.context["email_subject"] == "New courses for spring"

    confirm = client.get(send_url(newsletter))
    assert confirm.status_code == 200
    assert "Send to 3 people" in confirm.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(send_url(newsletter))

    assert response["Location"] == preview_url(newsletter)
    page = client.get(preview_url(newsletter)).content.decode()
    assert "is on its way to 3 people" in page
    assert "Sent to 3 people on" in page
    assert sorted(m.to[0] for m in newsletter_emails()) == sorted(p.email for p in people)
    entry = AuditEntry.objects.get(action="newsletter.send")
    assert entry.actor == business_support and entry.details["recipients"] == 3


def test_a_double_post_sends_once_and_says_so(client, business_support, event,
                                              django_capture_on_commit_callbacks):
    subscriber()
    newsletter = draft(events=[event])
    client.force_login(business_support)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(send_url(newsletter))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(send_url(newsletter), follow=True)

    assert len(newsletter_emails()) == 1
    assert "was already sent on" in response.content.decode()
    assert response.redirect_chain == [(preview_url(newsletter), 302)]


def test_a_newsletter_promoting_a_cancelled_event_is_not_sent(client, business_support, event):
    subscriber()
    newsletter = draft(events=[event])
    event.status = EventStatus.CANCELLED
    event.save()
    client.force_login(business_support)

    response = client.post(send_url(newsletter))

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "cancelled or have started" in page and "Working Together: the essentials" in page
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.DRAFT
    assert not newsletter_emails() and not newsletter.deliveries.exists()


def test_with_nobody_opted_in_the_newsletter_stays_a_draft(client, business_support, event):
    UserFactory(newsletter_opt_in=False)
    newsletter = draft(events=[event])
    client.force_login(business_support)

    response = client.post(send_url(newsletter))

    assert "Nobody has asked for the newsletter yet" in response.content.decode()
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.DRAFT


def test_compose_errors_are_explained_and_nothing_is_saved(client, business_support, event):
    client.force_login(business_support)

    response = client.post(CREATE, {"subject": "", "introduction": "Hello", "events": []})

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter a subject for the email." in page
    assert "Choose at least one event for the newsletter." in page
    assert 'href="#id_events_0"' in page
    assert not Newsletter.objects.exists()


def test_a_draft_can_be_changed(client, business_support, event):
    other = EventFactory(course=CourseFactory(title="Domestic abuse: level 2"))
    newsletter = draft(events=[event])
    client.force_login(business_support)

    form = client.get(update_url(newsletter))
    assert form.status_code == 200
    assert ticked(form.content.decode(), event.pk) is True
    assert ticked(form.content.decode(), other.pk) is False

    response = client.post(update_url(newsletter), {"subject": "Changed subject",
                                                    "introduction": "", "events": [other.pk]})

    assert response.status_code == 302
    newsletter.refresh_from_db()
    assert newsletter.subject == "Changed subject"
    assert list(newsletter.events.all()) == [other]


def test_a_sent_newsletter_cannot_be_changed_or_sent_again(client, business_support, event,
                                                           django_capture_on_commit_callbacks):
    subscriber()
    newsletter = draft(events=[event])
    client.force_login(business_support)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(send_url(newsletter))

    response = client.post(update_url(newsletter), {"subject": "Too late", "events": [event.pk]},
                           follow=True)
    assert "can no longer be changed" in response.content.decode()
    newsletter.refresh_from_db()
    assert newsletter.subject == "New safeguarding training this spring"

    response = client.get(send_url(newsletter), follow=True)
    assert response.redirect_chain == [(preview_url(newsletter), 302)]
    assert "has already been sent" in response.content.decode()
    assert "Change the newsletter" not in response.content.decode()
    assert len(newsletter_emails()) == 1


@pytest.mark.parametrize("role", [Role.DELEGATE, Role.FACILITATOR, Role.LOD_MEMBER,
                                  Role.OFFICER],
                         ids=["delegate", "facilitator", "lod", "officer"])
def test_other_roles_cannot_compose_or_send(client, make_user, role, event):
    subscriber()
    newsletter = draft(events=[event])
    client.force_login(make_user(role))

    assert client.get(LIST).status_code == 403
    assert client.get(preview_url(newsletter)).status_code == 403
    assert client.post(CREATE, {"subject": "Mine", "events": [event.pk]}).status_code == 403
    assert client.post(update_url(newsletter), {"subject": "Mine",
                                                "events": [event.pk]}).status_code == 403
    assert client.post(send_url(newsletter)).status_code == 403

    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.DRAFT
    assert newsletter.subject != "Mine" and Newsletter.objects.count() == 1
    assert not mail.outbox


def test_a_missing_newsletter_is_page_not_found(client, business_support):
    client.force_login(business_support)
    assert client.get(reverse("courses:newsletter-preview", kwargs={"pk": 999999})
                      ).status_code == 404
    assert client.post(reverse("courses:newsletter-send", kwargs={"pk": 999999})
                       ).status_code == 404


def test_the_list_shows_drafts_and_how_many_a_sent_newsletter_went_to(
        client, business_support, event, send_now):
    for _ in range(2):
        subscriber()
    sent = send_now(draft(events=[event], subject="Spring newsletter"))
    draft(events=[event], subject="Summer newsletter")
    client.force_login(business_support)

    response = client.get(LIST)

    page = response.content.decode()
    assert "Spring newsletter" in page and "Summer newsletter" in page
    sent.refresh_from_db()
    assert f"To 2 people on {short_date(sent.sent_at)}, {clock(sent.sent_at)}" in page
    assert "Not sent" in page


def test_the_list_page_costs_the_same_queries_for_one_newsletter_or_a_page_full(
        client, business_support, event):
    def make(n):
        for i in range(n):
            newsletter = draft(events=[event], subject=f"Newsletter {i}",
                               by=UserFactory())
            NewsletterDelivery.objects.create(newsletter=newsletter, user=UserFactory(),
                                              email=f"x{i}@example.org", sent_at=timezone.now())

    client.force_login(business_support)
    make(1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(LIST).status_code == 200
    make(24)
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)
    assert len(response.context["object_list"]) == 20
    assert len(many) == len(one), [q["sql"] for q in many.captured_queries]
    assert client.get(LIST, {"page": 2}).status_code == 200


# Opting out ----------------------------------------------------------------------------------

def test_the_opt_out_link_asks_first_and_a_post_stops_the_newsletter(client, event, send_now):
    amy = subscriber(email="amy@example.org")
    send_now(draft(events=[event]))
    link = unsubscribe_link(newsletter_emails()[0])

    page = client.get(link)  # as a mail system's link scanner would
    assert page.status_code == 200
    assert "Stop getting the training newsletter?" in page.content.decode()
    assert "amy@example.org" in page.content.decode()
    amy.refresh_from_db()
    assert amy.newsletter_opt_in is True
    assert not AuditEntry.objects.filter(action="newsletter.unsubscribe").exists()

    token = parse_qs(urlsplit(link).query)["token"][0]
    response = client.post(UNSUBSCRIBE, {"token": token})

    assert response.status_code == 200
    assert "You will not get the training newsletter" in response.content.decode()
    amy.refresh_from_db()
    assert amy.newsletter_opt_in is False
    entry = AuditEntry.objects.get(action="newsletter.unsubscribe")
    assert entry.target_id == str(amy.pk)

    again = client.get(link)
    assert "already stopped" in again.content.decode()


def test_one_click_unsubscribe_from_the_mail_program_needs_no_cookie(event, send_now):
    amy = subscriber()
    send_now(draft(events=[event]))
    link = unsubscribe_link(newsletter_emails()[0])

    response = Client(enforce_csrf_checks=True).post(
        link, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    amy.refresh_from_db()
    assert amy.newsletter_opt_in is False


def test_an_opted_out_person_does_not_get_the_next_newsletter(client, event, send_now):
    amy, ben = subscriber(), subscriber()
    send_now(draft(events=[event]))
    amy_link = next(unsubscribe_link(m) for m in newsletter_emails() if m.to == [amy.email])
    client.post(amy_link)
    mail.outbox.clear()

    send_now(draft(events=[event], subject="Summer"))

    assert [m.to[0] for m in newsletter_emails()] == [ben.email]


def _tampered(user_id):
    token = newsletter_unsubscribe_token(user_id=user_id)
    return token[:-2] + ("AA" if not token.endswith("AA") else "BB")


@pytest.mark.parametrize("make_token", [
    _tampered,
    lambda user_id: signing.dumps(user_id + 1000, salt="newsletter-unsubscribe"),
    lambda user_id: signing.dumps(user_id, salt="another-salt"),
    lambda user_id: signing.dumps(str(user_id), salt="newsletter-unsubscribe"),
    lambda user_id: "not-a-token",
], ids=["tampered", "unknown-person", "wrong-salt", "not-an-id", "garbage"])
def test_a_bad_opt_out_link_gets_a_clear_page_and_changes_nothing(client, make_token):
    amy = subscriber()
    token = make_token(amy.pk)

    for response in (client.get(UNSUBSCRIBE, {"token": token}),
                     client.post(UNSUBSCRIBE, {"token": token})):
        assert response.status_code == 400
        page = response.content.decode()
        assert "This link does not work" in page
        assert "not complete, or has been changed" in page
    amy.refresh_from_db()
    assert amy.newsletter_opt_in is True


def test_an_expired_opt_out_link_says_so_and_changes_nothing(client, settings):
    settings.NEWSLETTER_UNSUBSCRIBE_MAX_AGE_DAYS = 365
    amy = subscriber()
    long_ago = time.time() - 366 * 86400
    with mock.patch("django.core.signing.time.time", return_value=long_ago):
        token = newsletter_unsubscribe_token(user_id=amy.pk)

    response = client.post(UNSUBSCRIBE, {"token": token})

    assert response.status_code == 400
    assert "has expired" in response.content.decode()
    amy.refresh_from_db()
    assert amy.newsletter_opt_in is True


def test_the_opt_out_page_without_a_link_explains_how_to_stop_it(client):
    response = client.get(UNSUBSCRIBE)
    assert response.status_code == 200
    assert "use the link at the bottom of any newsletter email" in response.content.decode()


def test_the_opt_out_link_of_a_closed_account_does_nothing(client):
    amy = subscriber(is_active=False)
    response = client.post(UNSUBSCRIBE,
                           {"token": newsletter_unsubscribe_token(user_id=amy.pk)})
    assert response.status_code == 400
    amy.refresh_from_db()
    assert amy.newsletter_opt_in is True


def test_email_send_keeps_working_without_headers(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email_queue(to=["x@example.org"], template="accounts/organisation_requests_waiting",
                    context={"requests": []}, purpose="test:no-headers")
    assert mail.outbox[-1].extra_headers == {}
