"""Display helpers for the audit log page (core/auditentry_list.html): words, not codes
(core.audit_words holds the table)."""

from django import template

from core import audit_words

register = template.Library()


@register.filter
def audit_action(code):
    """"booking.attendance_mark" -> "Register marked"."""
    return audit_words.action_words(code)


@register.filter
def audit_key(name):
    """A detail's name in words: "contacted_team" -> "Contacted the team"."""
    return audit_words.detail_words(name)


@register.filter
def audit_value(value):
    """One value of an entry's details in words: yes or no, a code's words ("no_show" -> "Did
    not attend"), a list as "a, b". A change [old, new] is shown by the template as
    "old → new"."""
    return audit_words.value_words(value)


@register.filter
def is_change(value):
    """True for an [old, new] pair, as the *.update actions record each changed field."""
    return isinstance(value, (list, tuple)) and len(value) == 2


@register.filter
def audit_person(user, label):
    """A person in the log: their name and address while the account exists, else the
    address recorded at the time (the label)."""
    if user is not None and getattr(user, "pk", None):
        name = user.get_full_name()
        return f"{name} ({user.email})" if name else user.email
    # audit_record writes "system" for a scheduled sweep.
    return "The system" if label in ("", "system") else label


@register.filter
def audit_change_list(changes):
    """An entry's details["changes"] ({"field": [before, after]}) as (field, before, after)
    in words, for "Status: Booked → Cancelled"."""
    return audit_words.change_rows(changes)
