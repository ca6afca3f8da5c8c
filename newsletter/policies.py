"""Pure rules of the newsletter (no ORM)."""

from dataclasses import dataclass

NEWSLETTER_UNSUBSCRIBE_SALT = "newsletter-unsubscribe"


@dataclass(frozen=True)
class UnsubscribeToken:
    user_id: int | None
    problem: str  # "" when the token is good, else "expired" or "invalid"


def newsletter_unsubscribe_token(*, user_id):
    """The opt-out link in every newsletter carries this signed token (user id and the time
    it was made), so nobody can unsubscribe someone else by guessing a number."""
    from django.core import signing

    return signing.dumps(user_id, salt=NEWSLETTER_UNSUBSCRIBE_SALT)


def newsletter_unsubscribe_check(*, token, max_age):
    """Whose opt-out link is this? `max_age` in seconds (or a timedelta)."""
    from django.core import signing

    if not token:
        return UnsubscribeToken(None, "invalid")
    try:
        user_id = signing.loads(token, salt=NEWSLETTER_UNSUBSCRIBE_SALT, max_age=max_age)
    except signing.SignatureExpired:
        return UnsubscribeToken(None, "expired")
    except signing.BadSignature:
        return UnsubscribeToken(None, "invalid")
    if not isinstance(user_id, int):
        return UnsubscribeToken(None, "invalid")
    return UnsubscribeToken(user_id, "")
