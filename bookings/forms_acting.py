"""Forms an officer fills in for a delegate who phoned or emailed (issue 11)."""

from django import forms

from core.dates import long_date

from .forms import LateCancellationForm
from .models import ReportedBy


class EventSearchForm(forms.Form):
    q = forms.CharField(label="Search events by course or venue", required=False,
                        max_length=100)

    def clean_q(self):
        return " ".join(self.cleaned_data.get("q", "").replace("\x00", "").split())


class ActingBookingForm(forms.Form):
    access_needs = forms.CharField(
        label="Access needs for this event (optional)", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the delegate told you they need: a hearing loop, step-free access, "
        "breaks. It starts with what their profile says.",
    )
    agreed_by_phone = forms.BooleanField(
        label="The line manager agreed by telephone", required=False,
        help_text="The place is confirmed at once and no approval link is sent. Your name is "
        "recorded as the person who took the agreement.",
    )

    def __init__(self, *args, approval_required, **kwargs):
        super().__init__(*args, **kwargs)
        if not approval_required:
            del self.fields["agreed_by_phone"]


REPORTED_CHOICES = [(ReportedBy.PHONE, "By telephone"), (ReportedBy.EMAIL, "By email")]


class ActingLateCancellationForm(LateCancellationForm):
    """The delegate's own late cancellation form, with how they told the team."""

    reported_by = forms.ChoiceField(
        label="How did the delegate tell you?", choices=REPORTED_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the delegate told you they need to cancel.",
                        "invalid_choice": "Choose how the delegate told you they need to "
                                          "cancel."},
    )
    field_order = ["reported_by", "reason", "detail"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = "Why do they need to cancel?"
        self.fields["reason"].error_messages["required"] = "Choose why they need to cancel."
        self.fields["detail"].label = "What they told you"


class EventChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, event):
        left = event.capacity - event.places_taken
        where = event.venue.name if event.venue_id else "Online"
        places = (f"{left} place{'s' if left != 1 else ''} left" if left > 0 else "full")
        return f"{long_date(event.start)}, {where} ({places})"


class MoveForm(forms.Form):
    event = EventChoiceField(
        label="Move the place to", queryset=None, widget=forms.RadioSelect, empty_label=None,
        error_messages={"required": "Choose the date to move the place to.",
                        "invalid_choice": "Choose one of the dates listed."},
    )

    def __init__(self, *args, events, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = events
