import time

TOTP_SECRET = "JBSWY3DPEHPK3PXP"


def totp_activate(user, secret=TOTP_SECRET):
    from allauth.mfa.totp.internal.auth import TOTP

    return TOTP.activate(user, secret)


def totp_code(secret=TOTP_SECRET, at=None):
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    counter = int(at if at is not None else time.time()) // 30
    return format_hotp_value(hotp_value(secret, counter))
