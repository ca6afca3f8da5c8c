"""The catalogue's search and filters: a GET form, so a search is a link anyone can share."""

from django import forms

from core.forms_mixins import FieldMessagesMixin

from .models import Audience, Category, Format, Level


def _choose(what):
    return {"invalid_choice": f"Choose {what} from the list."}


class CatalogueFilterForm(FieldMessagesMixin, forms.Form):
    q = forms.CharField(
        label="Search courses", required=False, max_length=100,
        help_text="Words from the title, summary, description or learning outcomes.",
        error_messages={"max_length": "Enter 100 characters or fewer."},
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    level = forms.ChoiceField(
        label="Level", required=False, choices=[("", "Any level"), *Level.choices],
        error_messages=_choose("a level"),
    )
    audience = forms.ChoiceField(
        label="Who it is for", required=False,
        choices=[("", "Anyone"), *Audience.choices],
        error_messages=_choose("who the course is for"),
    )
    category = forms.ModelChoiceField(
        label="Category", required=False, queryset=Category.objects.all(),
        to_field_name="slug", empty_label="Any category",
        error_messages=_choose("a category"),
    )
    format = forms.ChoiceField(
        label="Format", required=False, choices=[("", "Any format"), *Format.choices],
        error_messages=_choose("a format"),
    )
    with_places = forms.BooleanField(
        label="Only courses with dates that have places left", required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = "form-check-input" if name == "with_places" else (
                "form-control" if name == "q" else "form-select")
            field.widget.attrs["class"] = css
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"{name}-hint"

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] += " is-invalid"
                widget.attrs["aria-invalid"] = "true"
                hint = f"{name}-hint " if self.fields[name].help_text else ""
                widget.attrs["aria-describedby"] = f"{hint}{name}-error"

    def filters(self):
        """The selector's keyword arguments from what is valid: a bad value is reported on
        the page and otherwise ignored, so the rest of the search still works."""
        self.is_valid()
        data = self.cleaned_data
        category = data.get("category")
        return {
            "q": data.get("q") or "",
            "level": data.get("level") or "",
            "audience": data.get("audience") or "",
            "category": category.slug if category else "",
            "format": data.get("format") or "",
            "with_places": bool(data.get("with_places")),
        }
