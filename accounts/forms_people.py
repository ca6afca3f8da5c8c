from django import forms

from .roles import Role


def _printable(value):
    # A NUL byte cannot go to PostgreSQL in a text value (a 500): drop control characters.
    return "".join(c for c in value if c.isprintable()).strip()


class PeopleSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search people",
                        help_text="By name, email address or organisation, for example "
                                  "“Patel” or “Derby City Council”.")

    def clean_q(self):
        return _printable(self.cleaned_data["q"])


# Every account is a delegate: the form offers the roles that add to that.
GIVEN_ROLES = [(r.value, r.label) for r in Role if r != Role.DELEGATE]


class PersonRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        required=False, choices=GIVEN_ROLES, widget=forms.CheckboxSelectMultiple,
        label="Roles",
        help_text="Every account can book training as a delegate. Each of these roles needs "
                  "two-factor authentication: the person is asked to set it up when they next "
                  "sign in.",
        error_messages={"invalid_choice": "Select roles from the list"})
