import time

TOTP_SECRET = "JBSWY3DPEHPK3PXP"


def totp_activate(user, secret=TOTP_SECRET):
    from allauth.mfa.totp.internal.auth import TOTP

    return TOTP.activate(user, secret)


def totp_code(secret=TOTP_SECRET, at=None):
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    counter = int(at if at is not None else time.time()) // 30
    return format_hotp_value(hotp_value(secret, counter))


def fresh_totp_code(secret=TOTP_SECRET, min_left=2):
    """A code that stays valid while the test posts it: allauth accepts only the current
    30-second window (no tolerance), so never one from its last `min_left` seconds."""
    left = 30 - time.time() % 30
    if left < min_left:
        time.sleep(left + 0.1)
    return totp_code(secret)


def working_day(days):
    """The first working day (Monday to Friday, not an England bank holiday) on or after
    today + `days` (London): a date the event form accepts without asking about a bank
    holiday, whatever day CI runs (25, 28 December and 1 January fall 25 to 32 days after the
    end of November)."""
    from datetime import timedelta

    from django.utils import timezone

    from core.calendar import bank_holiday_name

    day = timezone.localdate() + timedelta(days=days)
    while day.weekday() >= 5 or bank_holiday_name(day):
        day += timedelta(days=1)
    return day
