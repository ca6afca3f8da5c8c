"""Double-clicking "Register": two sign-ups with the same email address at the same moment.
Both pass the "is this address taken?" check before either saves; the second insert then
hits the unique email constraint. It must get the answer any sign-up with a registered
address gets (allauth's enumeration-safe "check your email" page), never a 500, and the
new account must still get its confirmation email."""

import threading
from unittest import mock

import pytest
from allauth.account.internal.flows import manage_email
from django.core import mail
from django.db import connections
from django.test import Client
from django.urls import reverse

from accounts.models import User

PASSWORD = "a-long-enough-passphrase-7"


def signup_data(**overrides):
    data = {"first_name": "Sam", "last_name": "Jones", "email": "sam.jones@example.org",
            "password1": PASSWORD, "password2": PASSWORD}
    data.update(overrides)
    return data


def post_signups_together(data_list):
    """Post each form from its own thread (its own client and database connection). Every
    request has checked that the address is free before any of them saves: the window a
    double click opens, made certain."""
    barrier = threading.Barrier(len(data_list), timeout=20)
    checked = threading.local()
    original = manage_email.email_already_exists

    def check_then_wait(*args, **kwargs):
        result = original(*args, **kwargs)
        if not getattr(checked, "done", False):
            checked.done = True
            barrier.wait()
        return result

    results = [None] * len(data_list)

    def register(i, data):
        try:
            client = Client(raise_request_exception=False, REMOTE_ADDR=f"192.0.2.{i + 10}")
            results[i] = client.post(reverse("account_signup"), data)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[i] = exc
        finally:
            connections.close_all()

    with mock.patch.object(manage_email, "email_already_exists", check_then_wait):
        threads = [threading.Thread(target=register, args=(i, d))
                   for i, d in enumerate(data_list)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_a_double_clicked_register_button_creates_one_account_and_no_error():
    responses = post_signups_together([signup_data(), signup_data()])

    statuses = [getattr(r, "status_code", r) for r in responses]
    assert statuses == [302, 302], f"each click must get a page, not {statuses}"
    sent = reverse("account_email_verification_sent")
    assert [r["Location"] for r in responses] == [sent, sent]
    assert User.objects.filter(email="sam.jones@example.org").count() == 1
    # The new account's confirmation email, once; the second click adds no email to it
    # (registering twice in a row gives the same: allauth sends one email an address in a
    # few minutes).
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["sam.jones@example.org"],
         "Confirm your email address for Safeguarding Partnership training")]


@pytest.mark.django_db(transaction=True)
def test_a_double_clicked_register_button_with_different_case_is_one_account():
    responses = post_signups_together([signup_data(email="Sam.Jones@Example.org"),
                                       signup_data(email="sam.jones@example.org")])

    assert [getattr(r, "status_code", r) for r in responses] == [302, 302]
    assert list(User.objects.values_list("email", flat=True)) == ["sam.jones@example.org"]
