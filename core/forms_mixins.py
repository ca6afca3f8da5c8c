"""GOV.UK error messages for every project form (issue 12): each field says what to do,
"Enter your job title", "Select a level", never Django's "This field is required.".

    class ProfileForm(FieldMessagesMixin, forms.ModelForm):
        message_owner = "your"                       # "Enter your job title"
        required_messages = {"staff_group": "Select the staff group you belong to"}

The message is built from the field's label when the form is validated (so fields a form adds
in its own __init__ get one too): text, numbers, dates and emails "Enter <owner> <label>";
choices and files "Select a/an <label>"; a question label ("Did they...?") "Answer “...”".
A message set on the field itself (`error_messages={"required": ...}`) or in
`required_messages` wins. Optional fields are marked "(optional)" by the crispy templates in
templates/bootstrap5/ (a field that clean() requires sets `field.shown_required = True` to go
unmarked); placeholders are dropped (a placeholder is not a label). allauth's own forms get
the same through accounts/forms_allauth.py (settings ACCOUNT_FORMS)."""

from django import forms
from django.forms.utils import pretty_name

DJANGO_REQUIRED = str(forms.Field.default_error_messages["required"])
# Words kept as written at the start of a message ("Enter the PO number", "Select an L&D
# officer").
KEEP_CASE = {"PO", "L&D", "LOD", "DSPP", "TOTP", "URL", "PDF", "Teams", "Microsoft", "Stage"}


def _words(label):
    label = " ".join(str(label).split()).rstrip(":").strip()
    first = label.split(" ", 1)[0] if label else ""
    if not first or first in KEEP_CASE or first[:2].isupper():
        return label
    return label[0].lower() + label[1:]


def _article(words):
    return "an" if words[:1].lower() in "aeiou" else "a"


def required_message(field, name, owner="the"):
    """The message for a required field left empty, from its label."""
    label = str(field.label or pretty_name(name))
    words = _words(label)
    if label.rstrip().endswith("?"):
        return f"Answer “{label.strip()}”"
    if isinstance(field, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)):
        return f"Select at least one: {words}"
    if isinstance(field, forms.BooleanField):
        return f"Tick the box to confirm: {words}"
    if isinstance(field, (forms.ChoiceField, forms.ModelChoiceField, forms.FileField)):
        if owner == "your":
            return f"Select your {words}"
        return f"Select {_article(words)} {words}"
    return f"Enter {owner} {words}"


def field_messages_apply(form, *, owner="the", overrides=None):
    """Give each field of `form` its own required message and drop its placeholders."""
    overrides = overrides or {}
    for name, field in form.fields.items():
        if name in overrides:
            field.error_messages["required"] = overrides[name]
        elif str(field.error_messages.get("required", DJANGO_REQUIRED)) == DJANGO_REQUIRED:
            field.error_messages["required"] = required_message(field, name, owner)
        # A placeholder is not a label, and allauth's repeat theirs ("Email address").
        field.widget.attrs.pop("placeholder", None)


class FieldMessagesMixin:
    """Put first in the bases: `class MyForm(FieldMessagesMixin, forms.Form)`."""

    message_owner = "the"
    required_messages: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field_messages_apply(self, owner=self.message_owner, overrides=self.required_messages)

    def full_clean(self):
        field_messages_apply(self, owner=self.message_owner, overrides=self.required_messages)
        super().full_clean()
