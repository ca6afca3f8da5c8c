from django import forms
from django.contrib.contenttypes.models import ContentType

from .audit_words import ACTION_WORDS


def _printable(value):
    # A NUL byte cannot go to PostgreSQL in a text value: drop control characters.
    return "".join(c for c in value if c.isprintable()).strip()


class AuditFilterForm(forms.Form):
    """The audit log's filters: who (the person who acted, was acted for, or is the subject), what
    (the kind of object and its name), and when (a day range, London time)."""

    person = forms.CharField(
        required=False, max_length=200, label="Person",
        help_text="Who acted, whom they acted for, or whom the entry is about (their "
                  "account or bookings): part of a name or an email address.")
    # A select of the actions in words; a code's beginning typed in the address ("booking")
    # still filters, as before.
    action = forms.CharField(required=False, max_length=80, label="Action", widget=forms.Select)
    object_type = forms.ChoiceField(required=False, label="Kind of record")
    object = forms.CharField(required=False, max_length=200, label="Record",
                             help_text="Part of its name, for example a course title.")
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the first day as a real date, for example "
                                   "8 December 2026"})
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the last day as a real date, for example "
                                   "8 December 2026"})

    def __init__(self, *args, object_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [("", "Any kind")] + [
            (str(ct.pk), ct.name[:1].upper() + ct.name[1:]) for ct in object_types]
        self.fields["action"].widget.choices = [("", "Any action")] + sorted(
            ACTION_WORDS.items(), key=lambda item: item[1].lower())

    def clean_action(self):
        return "".join(c for c in self.cleaned_data["action"] if c.isalnum() or c in "._")

    def clean_person(self):
        return _printable(self.cleaned_data["person"])

    def clean_object(self):
        return _printable(self.cleaned_data["object"])

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The last day must be the same as or after the first day")
        return data


def audit_object_types():
    """The kinds of record the log names (one query)."""
    from .models import AuditEntry

    return (ContentType.objects.filter(pk__in=AuditEntry.objects.values("target_type"))
            .order_by("model"))
