from django import forms


class DeletionRequestForm(forms.Form):
    """A delegate confirms they want their account deleted."""

    confirm = forms.BooleanField(
        label="I understand that my name, email address, job and access needs will be "
        "deleted, that I will not be able to sign in, and that this cannot be undone",
        error_messages={"required": "Tick the box to confirm that you want your account "
                                    "deleted"},
    )


class PersonDeleteForm(forms.Form):
    """An officer confirms the deletion of a person's account, after downloading their data."""

    confirm = forms.BooleanField(
        label="I have downloaded this person's data and want to delete their account now",
        error_messages={"required": "Tick the box to confirm that you want to delete this "
                                    "person's account"},
    )
