"""Forms of the register (bookings/views_ops.py). The late-cancellation review is the charge
decision now: charging/forms.py."""

from django import forms

from core.forms_mixins import FieldMessagesMixin
from courses.services import person_name

from .models import BookingStatus

OUTCOME_CHOICES = [
    ("attended", "Attended"),
    ("late", "Late"),
    ("not_admitted", "Not admitted"),
    ("no_show", "Did not attend"),
]
YES_NO = [("", "Not asked"), ("yes", "Yes"), ("no", "No")]


def _yes_no(value):
    return {"yes": True, "no": False}.get(value)


class RegisterRowForm(FieldMessagesMixin, forms.Form):
    """One delegate's line of the register. The arrival rule itself (more than 30/15 minutes
    late without contacting the team is not admitted) is the service's: this form only checks
    that what was typed can be read."""

    outcome = forms.ChoiceField(choices=OUTCOME_CHOICES, required=False,
                                widget=forms.RadioSelect(attrs={"class": "form-check-input"}))
    minutes_late = forms.IntegerField(
        required=False, min_value=0, max_value=600,
        error_messages={
            "invalid": "Enter the minutes late as a whole number, for example 20.",
            "min_value": "Minutes late cannot be negative: enter 1 or more.",
            "max_value": "Enter the minutes late as a number up to 600.",
        })
    contacted_team = forms.ChoiceField(choices=YES_NO, required=False)

    def __init__(self, *args, booking, **kwargs):
        self.booking = booking
        kwargs.setdefault("initial", self.initial_for(booking))
        super().__init__(*args, prefix=f"b{booking.pk}", **kwargs)
        name = person_name(booking.delegate)
        self.delegate_name = name
        self.fields["outcome"].label = f"Attendance of {name}"
        self.fields["minutes_late"].label = f"Minutes late, {name}"
        self.fields["contacted_team"].label = f"{name} contacted the team"

    @staticmethod
    def initial_for(booking):
        if booking.status not in (BookingStatus.ATTENDED, BookingStatus.NOT_ADMITTED,
                                  BookingStatus.NO_SHOW):
            return {"outcome": "", "minutes_late": None, "contacted_team": ""}
        contacted = {True: "yes", False: "no"}.get(booking.contacted_team, "")
        if booking.status == BookingStatus.NO_SHOW:
            outcome = "no_show"
        elif booking.minutes_late and booking.contacted_team is not None:
            outcome = "late"
        else:
            outcome = booking.status
        return {"outcome": outcome, "minutes_late": booking.minutes_late,
                "contacted_team": contacted}

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "late" and "minutes_late" not in self.errors:
            if not data.get("minutes_late"):
                self.add_error("minutes_late",
                               "Enter how many minutes late the delegate arrived (1 or more).")
            if not data.get("contacted_team"):
                self.add_error("contacted_team",
                               "Say whether the delegate contacted the training team.")
        return data

    @property
    def changed_mark(self):
        """The mark to save, as the service's arguments, or None when nothing changed."""
        data = self.cleaned_data
        if not data.get("outcome"):
            return None
        mark = {"outcome": data["outcome"], "minutes_late": data.get("minutes_late"),
                "contacted_team": _yes_no(data.get("contacted_team"))}
        initial = self.initial_for(self.booking)
        before = {"outcome": initial["outcome"], "minutes_late": initial["minutes_late"],
                  "contacted_team": _yes_no(initial["contacted_team"])}
        return None if mark == before else mark


class RegisterSubstituteForm(FieldMessagesMixin, forms.Form):
    """A colleague of the same organisation attended in a delegate's place (the register, on
    the day): whose place, and the colleague's name and email address. Who may be recorded
    (same organisation, not on the register already) is the service's rule."""

    booking = forms.TypedChoiceField(
        label="Delegate whose place they took", coerce=int, choices=[],
        error_messages={"required": "Select the delegate whose place the colleague took.",
                        "invalid_choice": "Select the delegate whose place the colleague took."})
    name = forms.CharField(
        label="Colleague’s full name", max_length=300,
        error_messages={"required": "Enter the name of the colleague who attended."})
    email = forms.EmailField(
        label="Colleague’s email address", max_length=254,
        help_text="Their work email address. If they have no account, we create one and email "
        "them a link to set a password, so they can answer the evaluations.",
        error_messages={"required": "Enter the colleague’s email address.",
                        "invalid": "Enter an email address in the right format, like "
                                   "name@example.org."},
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}))

    def __init__(self, *args, bookings, **kwargs):
        super().__init__(*args, **kwargs)
        self.bookings = {b.pk: b for b in bookings}
        self.fields["booking"].choices = [("", "Select a delegate")] + [
            (b.pk, f"{person_name(b.delegate)}"
                   f"{' (' + b.organisation.name + ')' if b.organisation_id else ''}")
            for b in bookings]
