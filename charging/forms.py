"""Forms of the charge decisions (charging/views/charges.py). Invoices and payments have their
own modules (forms_invoices.py, forms_payments.py)."""

from django import forms

from core.forms import one_line_validator
from core.forms_mixins import FieldMessagesMixin

from .models import ChargeKind, WaiverReason
from .services.charges import charge_decision_problem

DECISIONS = [("apply", "Apply the charge"), ("waive", "Waive the charge")]


class ChargeDecisionForm(FieldMessagesMixin, forms.Form):
    """The L&D officer's decision: apply the charge, or waive it with a reason (a note is
    needed for "other"). The service checks the same rules again."""

    decision = forms.ChoiceField(
        label="Does the charge apply?", choices=DECISIONS, widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to apply or waive the charge.",
                        "invalid_choice": "Choose whether to apply or waive the charge."})
    waiver_reason = forms.ChoiceField(
        label="Why is it waived?", choices=WaiverReason.choices, required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose why the charge is waived."})
    note = forms.CharField(
        label="Note", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why you decided so. Needed when the reason is other; the delegate sees it "
        "in the email that tells them the decision.",
        error_messages={"max_length": "Keep the note to 2,000 characters or fewer."})

    def clean_note(self):
        note = self.cleaned_data.get("note") or ""
        if "\x00" in note:
            raise forms.ValidationError("Remove the unusual characters from the note.")
        return note.strip()

    def clean(self):
        data = super().clean()
        if "decision" not in data:
            return data
        problem = charge_decision_problem(apply=self.apply, waiver_reason=data.get(
            "waiver_reason", ""), note=data.get("note", ""))
        if problem and problem[0] not in self.errors:
            self.add_error(problem[0], problem[1])
        return data

    @property
    def apply(self):
        return self.cleaned_data.get("decision") == "apply"


class ChargeSearchForm(FieldMessagesMixin, forms.Form):
    """The queue's search (delegate or organisation) and kind filter, on a GET."""

    q = forms.CharField(label="Delegate or organisation", required=False, max_length=100,
                        validators=[one_line_validator],
                        error_messages={"max_length": "Search for 100 characters or fewer."})
    kind = forms.ChoiceField(label="Charge", required=False,
                             choices=[("", "All charges"), *ChargeKind.choices],
                             error_messages={"invalid_choice": "Choose a kind of charge from "
                                             "the list."})
