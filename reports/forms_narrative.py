"""The annual report's narrative form (reports.views.narrative)."""

from django import forms

from core.forms_mixins import FieldMessagesMixin

from .issue import NARRATIVE_MAX_CHARS


class NarrativeForm(FieldMessagesMixin, forms.Form):
    narrative = forms.CharField(
        label="Narrative for the Executive Board",
        help_text=(f"A short account of the year's training for the LOD Group and the Executive "
                   f"Board, printed before the figures. Up to {NARRATIVE_MAX_CHARS:,} "
                   "characters; leave a blank line between paragraphs."),
        widget=forms.Textarea(attrs={"rows": 12}),
        error_messages={"required": "Enter the narrative"})

    def clean_narrative(self):
        text = self.cleaned_data["narrative"].replace("\x00", "").strip()
        if not text:
            raise forms.ValidationError("Enter the narrative")
        if len(text) > NARRATIVE_MAX_CHARS:
            raise forms.ValidationError(
                f"The narrative must be {NARRATIVE_MAX_CHARS:,} characters or fewer "
                f"(it is {len(text):,})")
        return text


class IssueForm(forms.Form):
    """Issuing asks nothing more: the button is the confirmation."""
