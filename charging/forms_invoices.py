"""Forms of charging/views/invoices.py: the invoicing batch's date, the invoice list's filters,
and a credit note (an amount per invoice line, and the reason)."""

from django import forms
from django.utils import timezone

from core.exceptions import DomainError
from core.forms import date_window_problem
from core.forms_mixins import FieldMessagesMixin

from .selectors.invoices import InvoiceState, organisation_options
from .services.credit_notes import REASON_MAX, money_parse

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class InvoiceBatchForm(FieldMessagesMixin, forms.Form):
    up_to = forms.DateField(
        label="Invoice charges made up to and including", widget=DATE_WIDGET,
        help_text="Every applied charge not yet invoiced, made on or before this day, goes on "
                  "its organisation's invoice.",
        error_messages={"required": "Enter the last day of charges to invoice.",
                        "invalid": "Enter a real date, like 30 11 2026."})

    def clean_up_to(self):
        up_to = self.cleaned_data["up_to"]
        today = timezone.localdate()
        problem = date_window_problem(up_to, today=today)
        if problem:
            raise forms.ValidationError(problem)
        if up_to > today:
            raise forms.ValidationError("The date must be today or earlier: charges cannot be "
                                        "invoiced before they are made.")
        return up_to


class InvoiceFilterForm(FieldMessagesMixin, forms.Form):
    organisation = forms.ModelChoiceField(
        label="Organisation", required=False, queryset=None, empty_label="All organisations",
        error_messages={"invalid_choice": "Choose an organisation from the list."})
    state = forms.ChoiceField(
        label="Status", required=False, choices=[("", "All invoices"), *InvoiceState.CHOICES],
        error_messages={"invalid_choice": "Choose a status from the list."})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisation_options()


class CreditNoteForm(FieldMessagesMixin, forms.Form):
    """One amount per invoice line (blank: not credited) and the reason. The amounts are
    checked again by the service under the invoice's lock."""

    reason = forms.CharField(
        label="Reason for the credit note", max_length=REASON_MAX,
        help_text="Printed on the credit note, for example: the charge was waived on appeal.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the reason for the credit note: it is printed on it."})

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            self.fields[f"line_{line.pk}"] = forms.CharField(
                label=f"Credit for line {line.position}: {line.delegate_name}, "
                      f"{line.course_title}",
                required=False, max_length=20,
                help_text=(f"Up to £{line.remaining}" if line.remaining > 0
                           else "Already fully credited"),
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off",
                                              "spellcheck": "false",
                                              "class": "input-width-10"}))
        # The reason last, after the amounts.
        self.order_fields([f"line_{line.pk}" for line in lines] + ["reason"])

    def line_fields(self):
        return [(line, self[f"line_{line.pk}"]) for line in self.lines]

    def clean(self):
        cleaned = super().clean()
        amounts = {}
        for line in self.lines:
            name = f"line_{line.pk}"
            text = (cleaned.get(name) or "").strip()
            if not text:
                continue
            try:
                amount = money_parse(text, field=name)
            except DomainError as error:
                self.add_error(name, error.message)
                continue
            if amount > line.remaining:
                self.add_error(name, f"£{amount} is more than is left to credit on this line "
                                     f"(£{line.remaining}).")
                continue
            amounts[line.pk] = amount
        if not amounts and not any(self.has_error(f"line_{line.pk}") for line in self.lines):
            raise forms.ValidationError("Enter an amount to credit on at least one line.")
        cleaned["amounts"] = amounts
        return cleaned
