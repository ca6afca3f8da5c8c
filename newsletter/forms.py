"""Forms of the newsletter."""

from django import forms

from core.forms import BoundedModelMultipleChoiceField, one_line_validator
from core.forms_mixins import FieldMessagesMixin

from . import selectors


class NewsletterEventsField(BoundedModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return str(obj)


class NewsletterForm(FieldMessagesMixin, forms.Form):
    """Compose a newsletter: subject, introduction and the upcoming events it promotes (the
    template lays the events out as a table of checkboxes)."""

    subject = forms.CharField(
        label="Subject", max_length=200, validators=[one_line_validator],
        help_text="What people see in their inbox, for example “New safeguarding training: "
                  "March to May”.",
        error_messages={"required": "Enter a subject for the email.",
                        "max_length": "The subject must be 200 characters or fewer."},
    )
    introduction = forms.CharField(
        label="Introduction", required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Optional. A few lines before the list of events. Leave a blank line between "
                  "paragraphs.",
    )
    events = NewsletterEventsField(
        label="Events in this newsletter", queryset=None,
        error_messages={"required": "Choose at least one event for the newsletter.",
                        "invalid_choice": "One of the events you chose is no longer open (it "
                                          "was cancelled, or has started): choose again.",
                        "invalid_pk_value": "Choose events from the list."},
    )

    def __init__(self, *args, now, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["events"].queryset = selectors.newsletter_event_choices(now=now)

    def clean_subject(self):
        return " ".join(self.cleaned_data["subject"].split())
