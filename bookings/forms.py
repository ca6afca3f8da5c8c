from django import forms

from core.forms_mixins import FieldMessagesMixin

from . import policies
from .models import LateCancellationReason


class BookingForm(FieldMessagesMixin, forms.Form):
    access_needs = forms.CharField(
        label="Access needs for this event (optional)", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example a hearing loop, step-free access, or breaks you need. Only the "
        "facilitators and the training team see this. It starts with what your profile says.",
    )


class ConfirmForm(FieldMessagesMixin, forms.Form):
    """A page whose only input is its button (cancel, leave the waiting list, join it): the
    form carries any refusal to the error summary."""


class WaitlistJoinForm(FieldMessagesMixin, forms.Form):
    wants_change_emails = forms.BooleanField(
        label="Tell me if the date, time or place changes", required=False,
        help_text="We always tell delegates with a place. People on the waiting list are told "
        "only if they ask.")


DECISIONS = {"accept": "Accept the place", "decline": "Decline the place"}


class DecisionForm(FieldMessagesMixin, forms.Form):
    """Two buttons named "decision" on one form: accept or decline an offer, approve or
    decline a booking."""

    decision = forms.ChoiceField(choices=[], error_messages={
        "required": "Choose one of the two buttons.",
        "invalid_choice": "Choose one of the two buttons.",
    })

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = list(choices.items())


class LateCancellationForm(FieldMessagesMixin, forms.Form):
    reason = forms.ChoiceField(
        label="Why do you need to cancel?", choices=LateCancellationReason.choices,
        widget=forms.RadioSelect, error_messages={"required": "Choose why you need to cancel."},
    )
    detail = forms.CharField(
        label="Tell us more", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed if you chose “Other”: the training team reads it when they decide "
        "whether a charge applies.",
    )

    def clean(self):
        data = super().clean()
        reason = data.get("reason")
        if reason and (problem := policies.late_cancellation_problem(
                reason=reason, detail=data.get("detail", ""),
                reasons=LateCancellationReason.values)):
            self.add_error("detail", problem)
        return data


class SubstituteForm(FieldMessagesMixin, forms.Form):
    to_email = forms.EmailField(
        label="Your colleague’s email address", max_length=254,
        help_text="Their work email address. They must work for the same organisation. If they "
        "have no account yet, we email them an invitation to register and take the place.",
        error_messages={"required": "Enter your colleague’s email address.",
                        "invalid": "Enter an email address in the right format, like "
                                   "name@example.org."},
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
