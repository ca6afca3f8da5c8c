"""Pure rules about organisations and their members (no ORM)."""

import re
from dataclasses import dataclass

# Labels of letters, digits and hyphens (not at either end), at least two of them, ending in
# a top-level domain of letters (or an internationalised "xn--" one).
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_DOMAIN = re.compile(rf"^(?:{_LABEL}\.)+(?:[a-z]{{2,63}}|xn--[a-z0-9-]{{1,59}})$")

# Addresses anyone can get, or shared by many organisations: giving one of these to an
# organisation would let everyone with such an address join it without approval.
SHARED_DOMAINS = frozenset({
    "aol.com", "btinternet.com", "gmail.com", "gmx.com", "googlemail.com", "hotmail.co.uk",
    "hotmail.com", "icloud.com", "live.co.uk", "live.com", "mail.com", "me.com", "msn.com",
    "nhs.net", "outlook.com", "proton.me", "protonmail.com", "sky.com", "talktalk.net",
    "virginmedia.com", "yahoo.co.uk", "yahoo.com",
})


def domain_normalise(value):
    """What an officer typed, as it is stored: trimmed, lower-case, no trailing dot."""
    return (value or "").strip().lower().rstrip(".")


def domain_problem(domain):
    """Why `domain` (already normalised) cannot be an organisation's email domain, or None."""
    if not domain:
        return "Enter a domain, for example derby.gov.uk."
    if "@" in domain:
        return (f"Enter “{domain}” without the @ and the name before it: only the part after "
                "the @, for example derby.gov.uk.")
    if len(domain) > 253 or not _DOMAIN.match(domain):
        return (f"“{domain}” is not an email domain. Enter the part of an email address after "
                "the @, for example derby.gov.uk.")
    if domain in SHARED_DOMAINS:
        return (f"“{domain}” is used by people from many organisations, so it cannot belong to "
                "one: their requests to join are approved instead.")
    return None


def email_domain(email):
    """The domain of an email address, lower-case ("" when there is none)."""
    email = (email or "").strip().lower()
    return email.rpartition("@")[2] if "@" in email else ""


@dataclass(frozen=True)
class Joining:
    """How a delegate choosing an organisation joins it, and why."""

    at_once: bool
    reason: str


def membership_joining(*, organisation_name, organisation_domains, verified_email):
    """DOMAIN.md, Organisation membership: "a delegate joins an organisation at once when
    their verified email domain is one of its domains; otherwise its safeguarding lead or an
    officer approves". `verified_email` is the delegate's verified primary address, or ""."""
    domain = email_domain(verified_email)
    if domain and domain in set(organisation_domains):
        return Joining(True, f"Your verified email address is at {domain}, one of "
                             f"{organisation_name}'s domains.")
    return Joining(False, f"Your verified email address is not at one of {organisation_name}'s "
                          "domains, so its safeguarding lead or the training team must approve.")
