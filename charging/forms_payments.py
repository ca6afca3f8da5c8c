"""Forms of charging/views/payments.py: recording a payment, the CSV export."""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms

from core.dates import long_date
from core.forms import date_window_problem, one_line_validator
from core.forms_mixins import FieldMessagesMixin

from .models import PaymentMethod
from .services.payments import REFERENCE_MAX, payment_amount_problem

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_AMOUNT = re.compile(r"^\d+(\.\d+)?$")


def parse_amount(text):
    """A typed amount as a Decimal, or a ValidationError that says what to type instead."""
    text = (text or "").strip()
    if not text:
        raise forms.ValidationError("Enter the amount received, like 25.00.")
    if "£" in text or "$" in text or "€" in text:
        raise forms.ValidationError("Enter the amount as a number without the £ sign, like 25.00.")
    if "," in text:
        raise forms.ValidationError("Enter the amount without commas, like 1250.00.")
    if text.startswith("-"):
        raise forms.ValidationError("Enter an amount greater than £0.00.")
    if not _AMOUNT.match(text) or not text.isascii():
        raise forms.ValidationError("Enter the amount received as a number of pounds and pence, "
                                    "like 25.00.")
    whole, _, pence = text.partition(".")
    if len(pence) > 2:
        raise forms.ValidationError("Enter the amount in pounds and pence, with no more than 2 "
                                    "decimal places, like 12.35.")
    if len(whole.lstrip("0")) > 8:
        raise forms.ValidationError("Enter an amount no more than what is owed on the invoice.")
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover – the pattern above lets only numbers through
        raise forms.ValidationError("Enter the amount received as a number, like 25.00.") from None


class PaymentForm(FieldMessagesMixin, forms.Form):
    received_on = forms.DateField(
        label="Date received", widget=DATE_WIDGET,
        help_text="The day the money reached the partnership's account.",
        error_messages={"required": "Enter the date the payment was received.",
                        "invalid": "Enter a real date, like 27 11 2026."})
    amount = forms.CharField(
        label="Amount received (£)", max_length=20,
        error_messages={"required": "Enter the amount received, like 25.00.",
                        "max_length": "Enter the amount received as a number of pounds and "
                                      "pence, like 25.00."},
        help_text="In pounds and pence, like 25.00. Part payments are fine.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off",
                                      "spellcheck": "false", "class": "input-money"}))
    method = forms.ChoiceField(
        label="How was it paid?", choices=PaymentMethod.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose how the payment was made.",
                        "invalid_choice": "Choose how the payment was made."})
    reference = forms.CharField(
        label="Reference (optional)", required=False, max_length=REFERENCE_MAX,
        error_messages={"max_length": f"Enter a reference of {REFERENCE_MAX} characters or "
                                      "fewer."},
        validators=[one_line_validator],
        help_text="The remittance or bank reference, cheque number or journal number.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))

    def __init__(self, *args, invoice, outstanding, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.invoice, self.outstanding, self.today = invoice, outstanding, today

    def clean_amount(self):
        amount = parse_amount(self.cleaned_data.get("amount"))
        if problem := payment_amount_problem(amount, outstanding=self.outstanding):
            raise forms.ValidationError(problem)
        return amount

    def clean_received_on(self):
        day = self.cleaned_data["received_on"]
        if day > self.today:
            raise forms.ValidationError("The date received cannot be in the future.")
        if problem := date_window_problem(day, today=self.today):
            raise forms.ValidationError(problem)
        if day < self.invoice.issued_on:
            raise forms.ValidationError(
                f"The date received cannot be before the invoice was issued "
                f"({long_date(self.invoice.issued_on)}).")
        return day


EXPORT_CHOICES = [("invoices", "Invoices: number, organisation, dates, total, credited, paid and "
                               "outstanding"),
                  ("payments", "Payments: date, invoice, amount, method and reference")]


class ExportForm(FieldMessagesMixin, forms.Form):
    """What to export for the council's finance system, and for which days."""

    what = forms.ChoiceField(
        label="What to export", choices=EXPORT_CHOICES, widget=forms.RadioSelect,
        error_messages={"required": "Choose invoices or payments.",
                        "invalid_choice": "Choose invoices or payments."})
    date_from = forms.DateField(
        label="From (optional)", required=False, widget=DATE_WIDGET,
        help_text="Invoices issued, or payments received, on or after this day.",
        error_messages={"invalid": "Enter a real date, like 1 4 2026."})
    date_to = forms.DateField(
        label="To (optional)", required=False, widget=DATE_WIDGET,
        help_text="On or before this day.",
        error_messages={"invalid": "Enter a real date, like 31 3 2027."})

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        data = super().clean()
        for name in ("date_from", "date_to"):
            day = data.get(name)
            if day and (problem := date_window_problem(day, today=self.today)):
                self.add_error(name, problem)
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end and not self.errors:
            self.add_error("date_to", "The “to” date must be the same as or after the “from” "
                                      "date.")
        return data
