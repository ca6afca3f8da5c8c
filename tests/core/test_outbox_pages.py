"""The officers' Emails page: the outbox with filters, a failed email's error and "send it
again", a count on the dashboard when any have failed; addresses only for roles that may see
them."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from core.models import AuditEntry, OutgoingEmail
from core.outbox import email_queue

pytestmark = pytest.mark.django_db

LIST = reverse("core:outgoingemail-list")
Status = OutgoingEmail.Status


def queued(purpose, to, status=Status.QUEUED, **fields):
    [row] = email_queue(to=[to], template="accounts/organisation_requests_waiting",
                        context={"requests": []}, purpose=purpose, nudge=False)
    OutgoingEmail.objects.filter(pk=row.pk).update(status=status, **fields)
    row.refresh_from_db()
    return row


@pytest.fixture
def officer(client, make_user):
    user = make_user(Role.OFFICER)
    client.force_login(user)
    return user


def test_officers_see_the_outbox_and_filter_it(client, officer):
    queued("booking:1:booking_confirmed:0", "amy@example.org", Status.SENT,
           sent_at=timezone.now())
    queued("newsletter:3", "ben@example.org")
    failed = queued("booking:2:offer_made:0", "cat@example.org", Status.FAILED,
                    attempts=12, last_error="SMTPRecipientsRefused: 550 no such user")

    page = client.get(LIST).content.decode()
    assert "amy@example.org" in page and "ben@example.org" in page
    page = client.get(LIST, {"status": "failed"}).content.decode()
    assert "cat@example.org" in page and "amy@example.org" not in page
    page = client.get(LIST, {"purpose": "newsletter"}).content.decode()
    assert "ben@example.org" in page and "cat@example.org" not in page
    page = client.get(LIST, {"recipient": "AMY"}).content.decode()
    assert "amy@example.org" in page and "ben@example.org" not in page

    detail = client.get(reverse("core:outgoingemail-detail", args=[failed.pk])).content.decode()
    assert "550 no such user" in detail and "Send it again" in detail


def test_send_again_queues_a_failed_email_and_is_audited(client, officer, mailoutbox):
    failed = queued("booking:2:offer_made:0", "cat@example.org", Status.FAILED, attempts=12,
                    last_error="OSError: connection refused")
    response = client.post(reverse("core:outgoingemail-resend", args=[failed.pk]), follow=True)
    assert "queued to be sent again" in response.content.decode()
    assert [m.to for m in mailoutbox] == [["cat@example.org"]]
    failed.refresh_from_db()
    assert failed.status == Status.SENT
    assert AuditEntry.objects.filter(action="outbox.resend", actor=officer).exists()


def test_an_email_that_did_not_fail_cannot_be_sent_again(client, officer, mailoutbox):
    sent = queued("booking:1:booking_confirmed:0", "amy@example.org", Status.SENT)
    response = client.post(reverse("core:outgoingemail-resend", args=[sent.pk]), follow=True)
    assert "Only a failed email can be sent again" in response.content.decode()
    assert len(mailoutbox) == 0


def test_the_dashboard_counts_failed_emails_for_officers(client, officer):
    assert "failed</strong>" not in client.get(reverse("accounts:dashboard")).content.decode()
    queued("x:1", "a@example.org", Status.FAILED)
    queued("x:2", "b@example.org", Status.FAILED)
    page = client.get(reverse("accounts:dashboard")).content.decode()
    assert "2 failed" in page and "?status=failed" in page


def test_business_support_sees_that_emails_went_but_not_to_whom(client, make_user):
    client.force_login(make_user(Role.BUSINESS_SUPPORT))
    row = queued("newsletter:3", "priya.shah@example.org", Status.FAILED)
    page = client.get(LIST, {"recipient": "priya"}).content.decode()
    assert "priya.shah@example.org" not in page and "p•••@example.org" in page
    detail = client.get(reverse("core:outgoingemail-detail", args=[row.pk])).content.decode()
    assert "priya.shah@example.org" not in detail and "Send it again" not in detail
    assert client.post(reverse("core:outgoingemail-resend", args=[row.pk])).status_code == 403


@pytest.mark.parametrize("role", [Role.DELEGATE, Role.FACILITATOR, Role.LOD_MEMBER,
                                  Role.SAFEGUARDING_LEAD, Role.FINANCE_CONTACT])
def test_other_roles_cannot_see_the_outbox(client, make_user, role):
    row = queued("x:1", "a@example.org", Status.FAILED)
    client.force_login(make_user(role))
    assert client.get(LIST).status_code == 403
    assert client.get(reverse("core:outgoingemail-detail", args=[row.pk])).status_code == 403
    assert client.post(reverse("core:outgoingemail-resend", args=[row.pk])).status_code == 403


def test_user_text_in_an_email_is_escaped_on_the_page(client, officer):
    row = queued("x:1", "a@example.org", Status.FAILED,
                 subject='<img src=x onerror="alert(1)">',
                 body_text='<script>alert("x")</script>')
    detail = client.get(reverse("core:outgoingemail-detail", args=[row.pk])).content.decode()
    assert "<img src=x" not in detail and "&lt;img src=x" in detail
    assert '<script>alert("x")' not in detail


def test_bad_filters_are_ignored_not_a_500(client, officer):
    assert client.get(LIST, {"status": "nonsense", "purpose": "a\x00b" * 300}).status_code == 200


def test_the_list_costs_the_same_for_one_or_fifty_emails(client, officer,
                                                         django_assert_max_num_queries):
    queued("x:0", "a0@example.org")
    with django_assert_max_num_queries(12) as one:
        client.get(LIST)
    for n in range(1, 50):
        queued(f"x:{n}", f"a{n}@example.org")
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(LIST).content.decode()
    assert "a49@example.org" in page
