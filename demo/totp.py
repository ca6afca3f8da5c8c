from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from .data import DEMO_TOTP_SECRET


def demo_totp_code(*, at):
    """The code an authenticator app shows for the demo secret at Unix time `at`, and the
    seconds it has left (allauth accepts only the current window)."""
    period = app_settings.TOTP_PERIOD
    code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(at) // period))
    return code, period - int(at) % period
