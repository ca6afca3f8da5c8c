"""Display helpers for the audit log page (core/auditentry_list.html)."""

from django import template

register = template.Library()


@register.filter
def audit_key(name):
    """A field name as words: "fee_no_show_full_day" -> "fee no show full day"."""
    return str(name).replace("_", " ")


@register.filter
def audit_value(value):
    """One value of an entry's details: a list as "a, b", a change [old, new] is shown by the
    template as "old → new"."""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return "" if value is None else value


@register.filter
def is_change(value):
    """True for an [old, new] pair, as partnership_update records each changed setting."""
    return isinstance(value, (list, tuple)) and len(value) == 2
