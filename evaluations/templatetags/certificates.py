"""Certificates in templates: `{% load certificates %}`.

`{% certificates_of user as certificates %}` gives the user's valid certificates (My training
lists them in the training record; bookings never imports evaluations, the template asks);
`{{ certificate.hours|hours }}` says "7 hours", "2.75 hours", "1 hour"."""

from decimal import Decimal

from django import template

register = template.Library()


@register.simple_tag
def certificates_of(user):
    from evaluations.selectors.certificates import certificates_of as select

    return list(select(user=user)[:21]) if getattr(user, "is_authenticated", False) else []


@register.filter
def hours(value):
    if value in (None, ""):
        return ""
    number = Decimal(value).normalize()
    text = f"{number:f}"
    return f"{text} hour" if number == 1 else f"{text} hours"
