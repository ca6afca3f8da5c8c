from django import forms

from .forms_mixins import FieldMessagesMixin
from .models import OutgoingEmail


def _printable(value):
    # A NUL byte cannot go to PostgreSQL in a text value: drop control characters.
    return "".join(c for c in value if c.isprintable()).strip()


class OutgoingEmailFilterForm(FieldMessagesMixin, forms.Form):
    status = forms.ChoiceField(
        required=False, label="Status",
        choices=[("", "Any status"), *OutgoingEmail.Status.choices])
    purpose = forms.CharField(
        required=False, max_length=200, label="Purpose starts with",
        help_text="For example “booking”, “newsletter” or “account”.")
    recipient = forms.CharField(required=False, max_length=254, label="Recipient contains")

    def clean_purpose(self):
        return _printable(self.cleaned_data["purpose"])

    def clean_recipient(self):
        return _printable(self.cleaned_data["recipient"])
