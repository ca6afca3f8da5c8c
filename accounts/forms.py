from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms

from .models import Organisation, Sector, User


class SignupForm(AllauthSignupForm):
    first_name = forms.CharField(max_length=150, label="First name")
    last_name = forms.CharField(max_length=150, label="Last name")

    field_order = ["first_name", "last_name", "email", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"

    def save(self, request):
        user = super().save(request)
        user.first_name = self.cleaned_data["first_name"].strip()
        user.last_name = self.cleaned_data["last_name"].strip()
        user.save(update_fields=["first_name", "last_name"])
        return user


class ProfileForm(forms.ModelForm):
    """The delegate's profile. The organisation is typed and matched against the list; one
    that is not listed can be requested, and an officer approves it."""

    organisation_name = forms.CharField(
        label="Organisation",
        max_length=200,
        required=False,
        help_text="Start typing and choose your organisation from the list.",
        widget=forms.TextInput(attrs={"list": "organisation-list", "autocomplete": "off"}),
    )
    organisation_not_listed = forms.BooleanField(
        label="My organisation is not on the list: ask for it to be added", required=False
    )
    new_organisation_sector = forms.ChoiceField(
        label="Sector of the organisation to add",
        choices=[("", "Choose a sector")] + list(Sector.choices),
        required=False,
    )

    class Meta:
        model = User
        fields = [
            "first_name", "last_name", "job_title", "staff_group",
            "line_manager_name", "line_manager_email", "access_needs", "newsletter_opt_in",
        ]
        widgets = {"access_needs": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ["first_name", "last_name", "job_title", "staff_group",
                     "line_manager_name", "line_manager_email"]:
            self.fields[name].required = True
        self.fields["staff_group"].choices = [("", "Choose your staff group")] + list(
            self.fields["staff_group"].choices
        )[1:]
        if self.instance.organisation_id:
            self.initial["organisation_name"] = self.instance.organisation.name

    def clean_line_manager_email(self):
        email = self.cleaned_data["line_manager_email"].lower()
        if email and email == (self.instance.email or "").lower():
            raise forms.ValidationError(
                "Enter your line manager's email address, not your own."
            )
        return email

    def clean(self):
        data = super().clean()
        name = " ".join((data.get("organisation_name") or "").split())
        not_listed = data.get("organisation_not_listed")
        data["organisation"] = None
        if not name:
            self.add_error("organisation_name", "Enter the organisation you work for.")
            return data
        match = Organisation.objects.filter(name__iexact=name, active=True).first()
        if match:
            data["organisation"] = match
        elif not_listed:
            if not data.get("new_organisation_sector"):
                self.add_error(
                    "new_organisation_sector",
                    "Choose the sector of the organisation you are asking us to add.",
                )
        else:
            self.add_error(
                "organisation_name",
                f"We do not know an organisation called “{name}”. Choose yours from the list, "
                "or tick “My organisation is not on the list” to ask the training team to add it.",
            )
        data["organisation_name"] = name
        return data


class OrganisationBillingForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["invoice_email", "billing_address", "purchase_order_reference"]
        widgets = {"billing_address": forms.Textarea(attrs={"rows": 4})}


class OrganisationRequestDecisionForm(forms.Form):
    DECISIONS = [("approve", "Approve and add the organisation"), ("decline", "Decline")]
    decision = forms.ChoiceField(choices=DECISIONS, widget=forms.RadioSelect)
    name = forms.CharField(
        max_length=200, label="Organisation name as it will appear",
        help_text="Correct the spelling if needed. If it matches an existing organisation, "
        "the delegate is added to that one.",
    )
    sector = forms.ChoiceField(choices=Sector.choices)
    note = forms.CharField(
        label="Note to the delegate", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "decline" and not (data.get("note") or "").strip():
            self.add_error("note", "Say why the request is declined; the delegate is told.")
        return data
