from allauth.account.adapter import get_adapter
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.db import IntegrityError, transaction

from core.forms import one_line, one_line_validator
from core.forms_mixins import FieldMessagesMixin

from .models import Organisation, Sector, User


class SignupForm(FieldMessagesMixin, AllauthSignupForm):
    message_owner = "your"
    required_messages = {"email": "Enter your email address",
                         "password1": "Enter a password",
                         "password2": "Enter the password again"}
    # Names are in email subjects ("... booked a place"): one line.
    first_name = forms.CharField(max_length=150, label="First name",
                                 validators=[one_line_validator])
    last_name = forms.CharField(max_length=150, label="Last name",
                                validators=[one_line_validator])

    field_order = ["first_name", "last_name", "email", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"

    def try_save(self, request):
        """A double-clicked "Register" sends two sign-ups that both find the address free;
        the second insert then breaks the unique email constraint. That click gets the page
        any sign-up with a registered address gets ("check your email"), not a 500. No
        "account already exists" email: allauth's limit of one email a few minutes to an
        address would hold it back after the first click's confirmation anyway (as when
        someone registers twice in a row), and sending it first would hold back the
        confirmation the new account needs."""
        try:
            with transaction.atomic():
                return super().try_save(request)
        except IntegrityError:
            email = self.cleaned_data.get("email") or ""
            if not User.objects.filter(email__iexact=email).exists():
                raise
        return None, get_adapter().respond_email_verification_sent(request, None)

    def save(self, request):
        user = super().save(request)
        user.first_name = self.cleaned_data["first_name"].strip()
        user.last_name = self.cleaned_data["last_name"].strip()
        user.save(update_fields=["first_name", "last_name"])
        return user


class ProfileForm(FieldMessagesMixin, forms.ModelForm):
    """The delegate's profile. The organisation is typed and matched against the list; one
    that is not listed can be requested, and an officer approves it."""

    message_owner = "your"
    required_messages = {"line_manager_name": "Enter your line manager’s name",
                         "line_manager_email": "Enter your line manager’s email address",
                         "staff_group": "Select your staff group"}

    organisation_name = forms.CharField(
        label="Organisation",
        max_length=200,
        required=False,
        help_text="Start typing and choose your organisation from the list.",
        widget=forms.TextInput(attrs={"list": "organisation-list", "autocomplete": "off"}),
        validators=[one_line_validator],
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
        # Required, but checked in clean() (typed and matched): no "(optional)" beside it.
        self.fields["organisation_name"].shown_required = True
        for name in ["first_name", "last_name", "job_title", "staff_group",
                     "line_manager_name", "line_manager_email"]:
            self.fields[name].required = True
        one_line(*(self.fields[name] for name in ["first_name", "last_name", "job_title",
                                                  "line_manager_name"]))
        self.fields["staff_group"].choices = [("", "Choose your staff group")] + list(
            self.fields["staff_group"].choices
        )[1:]
        # The organisation asked for while it waits for approval (saving the form unchanged
        # keeps the request; choosing the current organisation withdraws it).
        from .selectors import membership_request_pending_of

        pending = membership_request_pending_of(user=self.instance) if self.instance.pk else None
        if pending is not None:
            self.initial["organisation_name"] = pending.organisation.name
        elif self.instance.organisation_id:
            self.initial["organisation_name"] = self.instance.organisation.name

    def clean_line_manager_email(self):
        from .services import LINE_MANAGER_OWN_ADDRESS, user_own_addresses

        email = self.cleaned_data["line_manager_email"].strip().lower()
        if email and email in user_own_addresses(user=self.instance):
            raise forms.ValidationError(LINE_MANAGER_OWN_ADDRESS)
        return email

    def clean(self):
        data = super().clean()
        name = " ".join((data.get("organisation_name") or "").split())
        not_listed = data.get("organisation_not_listed")
        data["organisation"] = None
        if "organisation_name" in self.errors:
            return data
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


class OrganisationBillingForm(FieldMessagesMixin, forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["invoice_email", "billing_address", "purchase_order_reference"]
        widgets = {"billing_address": forms.Textarea(attrs={"rows": 4})}


class OrganisationRequestDecisionForm(FieldMessagesMixin, forms.Form):
    DECISIONS = [("approve", "Approve and add the organisation"), ("decline", "Decline")]
    decision = forms.ChoiceField(choices=DECISIONS, widget=forms.RadioSelect)
    name = forms.CharField(
        max_length=200, label="Organisation name as it will appear",
        validators=[one_line_validator],
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


class OrganisationDomainsForm(FieldMessagesMixin, forms.Form):
    """An officer keeps an organisation's email domains, one a line."""

    domains = forms.CharField(
        label="Email domains", required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocapitalize": "none", "spellcheck": "false"}),
        help_text="One a line: the part of your staff's email addresses after the @, for "
        "example derby.gov.uk. Delegates whose verified email address is at one of these "
        "domains join the organisation without approval. With none, everyone who chooses it "
        "waits for approval.",
    )

    def clean_domains(self):
        from .policies import domain_normalise, domain_problem

        values = [domain_normalise(v) for v in self.cleaned_data["domains"].replace(",", "\n")
                  .splitlines()]
        values = [v for v in values if v]
        problems = [p for p in (domain_problem(v) for v in values) if p]
        if problems:
            raise forms.ValidationError(problems)
        return list(dict.fromkeys(values))


class MembershipRequestDecisionForm(FieldMessagesMixin, forms.Form):
    DECISIONS = [("approve", "Approve: they join the organisation"),
                 ("refuse", "Refuse: they stay where they are")]
    decision = forms.ChoiceField(choices=DECISIONS, widget=forms.RadioSelect,
                                 error_messages={"required": "Choose approve or refuse."})
    note = forms.CharField(
        label="Note to the delegate", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional when you approve. If you refuse, say why: the delegate is emailed it.",
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not (data.get("note") or "").strip():
            self.add_error("note", "Say why you refuse the request; the delegate is told.")
        return data
