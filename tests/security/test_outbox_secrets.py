"""The Emails page (the outbox) never shows the link in a password reset or an address
confirmation: whoever reads it could set that person's password. An officer may not touch a
site administrator's account (accounts.admin.UserAdmin), so reading the administrator's
reset link on the Emails page would undo that rule."""

import re

from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from core.models import OutgoingEmail


def _reset_email_for(user):
    """Anyone may ask for a password reset for any address: the link goes to the outbox."""
    Client().post(reverse("account_reset_password"), {"email": user.email})
    return OutgoingEmail.objects.get(recipient=user.email, purpose__startswith="account:")


def test_an_officer_never_reads_the_site_administrators_password_reset_link(
        client, make_user, site_admin):
    email = _reset_email_for(site_admin)
    link = re.search(r"/accounts/password/reset/key/\S+", email.body_text).group(0)
    client.force_login(make_user(Role.OFFICER))

    page = client.get(reverse("core:outgoingemail-detail", args=[email.pk]))

    assert page.status_code == 200
    text = page.content.decode()
    assert link not in text
    assert "so its words are not shown here" in text


def test_an_officer_still_reads_a_booking_email(client, make_user, delegate):
    from django.core.mail import EmailMessage

    from core.outbox import email_queue_message

    email_queue_message(
        message=EmailMessage(subject="Your place is booked", body="See you on Tuesday.",
                             to=[delegate.email]),
        purpose=f"booking:{delegate.pk}:confirmed", nudge=False)
    email = OutgoingEmail.objects.get(recipient=delegate.email)
    client.force_login(make_user(Role.OFFICER))

    page = client.get(reverse("core:outgoingemail-detail", args=[email.pk]))

    assert "See you on Tuesday." in page.content.decode()
