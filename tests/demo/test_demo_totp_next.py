"""`demo_totp --next`: a TOTP code works once and changes every 30 seconds, so a second
staff sign-in within the same 30 seconds needs the next code."""

import io
from unittest import mock

from django.core.management import call_command

from demo.data import DEMO_TOTP_SECRET
from tests.helpers import totp_code

NOW = 1_796_000_020.0  # 10 seconds into a 30-second window


def test_next_prints_the_current_code_then_the_following_one():
    out = io.StringIO()
    with mock.patch("demo.management.commands.demo_totp.time.time", return_value=NOW):
        call_command("demo_totp", "--next", stdout=out)
    first, second = out.getvalue().splitlines()
    assert first.split()[0] == totp_code(DEMO_TOTP_SECRET, at=NOW)
    assert "valid for 20 more seconds" in first
    assert second.split()[0] == totp_code(DEMO_TOTP_SECRET, at=NOW + 30)
    assert second.split()[0] != first.split()[0]
    assert "used only once" in second


def test_without_next_only_the_current_code():
    out = io.StringIO()
    with mock.patch("demo.management.commands.demo_totp.time.time", return_value=NOW):
        call_command("demo_totp", stdout=out)
    assert len(out.getvalue().splitlines()) == 1
