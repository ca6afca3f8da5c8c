"""allauth's own forms with the site's field messages (core.forms_mixins): "Enter your email
address", not "This field is required.", and no placeholders. Named in settings
ACCOUNT_FORMS."""

from allauth.account import forms as allauth_forms

from core.forms_mixins import FieldMessagesMixin

PASSWORDS = {"password1": "Enter a new password", "password2": "Enter the new password again"}


class LoginForm(FieldMessagesMixin, allauth_forms.LoginForm):
    message_owner = "your"
    required_messages = {"login": "Enter your email address", "password": "Enter your password"}


class AddEmailForm(FieldMessagesMixin, allauth_forms.AddEmailForm):
    required_messages = {"email": "Enter the email address to add"}


class ChangePasswordForm(FieldMessagesMixin, allauth_forms.ChangePasswordForm):
    required_messages = {"oldpassword": "Enter your current password", **PASSWORDS}


class SetPasswordForm(FieldMessagesMixin, allauth_forms.SetPasswordForm):
    required_messages = PASSWORDS


class ResetPasswordForm(FieldMessagesMixin, allauth_forms.ResetPasswordForm):
    required_messages = {"email": "Enter your email address"}


class ResetPasswordKeyForm(FieldMessagesMixin, allauth_forms.ResetPasswordKeyForm):
    required_messages = PASSWORDS


class ReauthenticateForm(FieldMessagesMixin, allauth_forms.ReauthenticateForm):
    required_messages = {"password": "Enter your password"}
