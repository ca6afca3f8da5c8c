"""The newsletter's compose page leaves full events unticked and says they are full; "Send a
test to me" emails the newsletter to the person asking, through the outbox, as often as they
like, without sending it to anyone else or marking it sent."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from core.models import AuditEntry, OutgoingEmail
from core.outbox import outbox_deliver
from newsletter import services
from newsletter.models import Newsletter, NewsletterDelivery
from tests.factories import CourseFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db

CREATE = reverse("courses:newsletter-create")


def send_test_url(newsletter):
    return reverse("courses:newsletter-test", kwargs={"pk": newsletter.pk})


def row_of(page, event):
    """The compose page's table row of one event."""
    found = re.search(rf'<tr>\s*<td[^>]*>\s*<input[^>]*value="{event.pk}".*?</tr>', page, re.S)
    assert found, f"event {event.pk} is not listed"
    return found.group(0)


@pytest.fixture
def bea(make_user):
    return make_user(Role.BUSINESS_SUPPORT, first_name="Bea", email="bea@partnership.example")


def test_a_full_new_event_is_listed_unticked_and_marked_full(client, bea):
    full = EventFactory(course=CourseFactory(title="Neglect: a full day"), capacity=12,
                        places_taken=12)
    open_ = EventFactory(course=CourseFactory(title="Working Together"), capacity=20,
                         places_taken=5)
    client.force_login(bea)

    page = client.get(CREATE).content.decode()

    full_row, open_row = row_of(page, full), row_of(page, open_)
    assert " checked" not in full_row and "Full" in full_row
    assert " checked" in open_row and "15 of 20" in open_row and "Full" not in open_row


def test_a_full_event_can_still_be_chosen_and_the_email_says_it_is_full(client, bea):
    full = EventFactory(capacity=12, places_taken=12)
    client.force_login(bea)

    response = client.post(CREATE, {"subject": "Spring", "events": [full.pk]})

    newsletter = Newsletter.objects.get()
    assert response.status_code == 302
    assert list(newsletter.events.all()) == [full]
    _subject, text, _html = services.newsletter_preview(newsletter=newsletter, user=bea)
    assert "Full" in text or "full" in text


def test_send_a_test_to_me_emails_only_me_with_test_in_the_subject(
        client, bea, django_capture_on_commit_callbacks):
    amy = UserFactory(newsletter_opt_in=True, email="amy@example.org")
    newsletter = services.newsletter_create(by=bea, subject="Spring dates", introduction="",
                                            events=[EventFactory()], now=timezone.now())
    client.force_login(bea)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(send_test_url(newsletter), follow=True)
    outbox_deliver()

    assert response.redirect_chain[-1][0] == reverse("courses:newsletter-preview",
                                                     kwargs={"pk": newsletter.pk})
    assert "A test of “Spring dates” is on its way to bea@partnership.example" in (
        response.content.decode())
    sent = [m for m in mail.outbox if "Spring dates" in m.subject]
    assert [(m.to, m.subject) for m in sent] == [(["bea@partnership.example"],
                                                  "Test: Spring dates")]
    assert amy.email not in {a for m in mail.outbox for a in m.to}
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.DRAFT and newsletter.sent_at is None
    assert not NewsletterDelivery.objects.exists()
    assert AuditEntry.objects.filter(action="newsletter.test").count() == 1


def test_a_second_test_is_sent_too(client, bea, django_capture_on_commit_callbacks):
    newsletter = services.newsletter_create(by=bea, subject="Spring dates", introduction="",
                                            events=[EventFactory()], now=timezone.now())
    client.force_login(bea)

    client.post(send_test_url(newsletter))
    client.post(send_test_url(newsletter))

    rows = OutgoingEmail.objects.filter(purpose__startswith=f"newsletter:{newsletter.pk}:test:")
    assert rows.count() == 2
    assert len({r.purpose for r in rows}) == 2
    assert {r.subject for r in rows} == {"Test: Spring dates"}


def test_the_preview_offers_the_test_and_a_get_does_nothing(client, bea):
    newsletter = services.newsletter_create(by=bea, subject="Spring dates", introduction="",
                                            events=[EventFactory()], now=timezone.now())
    client.force_login(bea)

    page = client.get(reverse("courses:newsletter-preview", kwargs={"pk": newsletter.pk}))

    assert "Send a test to me" in page.content.decode()
    assert client.get(send_test_url(newsletter)).status_code == 405
    assert not OutgoingEmail.objects.filter(purpose__contains=":test:").exists()


def test_a_delegate_cannot_send_a_test(client, bea):
    newsletter = services.newsletter_create(by=bea, subject="Spring dates", introduction="",
                                            events=[EventFactory()], now=timezone.now())
    client.force_login(UserFactory())

    assert client.post(send_test_url(newsletter)).status_code == 403
    assert not OutgoingEmail.objects.filter(purpose__contains=":test:").exists()
