"""Forms of the themes pages (evaluations/views/themes.py)."""

from django import forms

from core.forms_mixins import FieldMessagesMixin
from evaluations.models import Theme


class ThemeForm(FieldMessagesMixin, forms.Form):
    name = forms.CharField(label="Name", max_length=100,
                           error_messages={"required": "Enter the theme's name.",
                                           "max_length": "The name must be 100 characters or "
                                                         "fewer."})
    keywords = forms.CharField(
        label="Keywords", required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One keyword or phrase per line. An answer or comment containing one of them "
                  "(as a whole word or phrase, in any case) is suggested for this theme.",
        error_messages={"max_length": "Keywords must be 4,000 characters or fewer."})
    active = forms.BooleanField(
        label="Suggest this theme", required=False, initial=True,
        help_text="Untick to stop suggesting it; tags already confirmed stay.")

    @classmethod
    def for_theme(cls, theme: Theme, data=None):
        return cls(data, initial={"name": theme.name, "keywords": theme.keywords,
                                  "active": theme.active})


class SessionCommentsForm(FieldMessagesMixin, forms.Form):
    text = forms.CharField(
        label="Comments from the session chat", max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Paste the chat: each line becomes one comment. Remove people's names first.",
        error_messages={"required": "Paste at least one comment.",
                        "max_length": "Paste fewer comments at a time."})


class TagActionForm(FieldMessagesMixin, forms.Form):
    """One button on the tagging page: confirm, remove (or turn down) or add a theme on one
    Stage 2 answer or session comment; or delete a pasted comment."""

    ACTIONS = [("confirm", "Confirm"), ("remove", "Remove"), ("delete_comment", "Delete")]
    action = forms.ChoiceField(choices=ACTIONS)
    item = forms.RegexField(regex=r"^(answer|comment)-[0-9]{1,12}$",
                            error_messages={"invalid": "Choose an answer or a comment."})
    theme = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)

    def clean(self):
        data = super().clean()
        if data.get("action") in ("confirm", "remove") and not data.get("theme"):
            self.add_error("theme", "Choose a theme.")
        return data
