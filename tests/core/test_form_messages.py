"""GOV.UK form patterns (issue 12): each field says what to do when left empty ("Enter your
job title", "Select a level"), never "This field is required."; optional fields say
"(optional)" and required ones carry no asterisk; no placeholder repeats a label."""

import html
import importlib
import inspect
import re

import pytest
from django import forms
from django.urls import reverse

from accounts.roles import Role
from core.forms_mixins import DJANGO_REQUIRED, FieldMessagesMixin, required_message
from tests.factories import CourseFactory, UserFactory

# Every module of the project that defines forms people fill in.
FORM_MODULES = [
    "accounts.forms", "bookings.forms", "bookings.forms_ops", "charging.forms",
    "charging.forms_invoices", "charging.forms_payments", "core.forms", "core.forms_outbox",
    "courses.forms", "courses.forms_catalogue", "evaluations.forms", "evaluations.forms_themes",
    "evaluations.views.certificates", "newsletter.forms", "resources.forms",
    "accounts.forms_allauth",
]


def project_forms():
    for module_name in FORM_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module_name:
                yield cls


def test_every_project_form_gives_its_fields_their_own_messages():
    without = [f"{cls.__module__}.{cls.__name__}" for cls in project_forms()
               if not issubclass(cls, FieldMessagesMixin)]
    assert not without, "add core.forms_mixins.FieldMessagesMixin to: " + ", ".join(without)


@pytest.mark.parametrize("field, name, owner, message", [
    (forms.CharField(label="Job title"), "job_title", "your", "Enter your job title"),
    (forms.ChoiceField(label="Level", choices=[("1", "1")]), "level", "the", "Select a level"),
    (forms.ChoiceField(label="Audience", choices=[]), "audience", "the", "Select an audience"),
    (forms.DateField(label="Date received"), "received_on", "the", "Enter the date received"),
    (forms.CharField(label="PO number"), "po", "the", "Enter the PO number"),
    (forms.ChoiceField(label="Did they contact the team?", choices=[]), "contacted", "the",
     "Answer “Did they contact the team?”"),
], ids=["text-your", "choice-a", "choice-an", "date", "acronym", "question"])
def test_the_message_follows_the_label(field, name, owner, message):
    assert required_message(field, name, owner) == message


@pytest.mark.django_db
def test_no_project_form_says_this_field_is_required():
    """Each form that can be built without arguments, submitted empty: every error is the
    field's own."""
    checked = 0
    for cls in project_forms():
        try:
            form = cls(data={})
        except (TypeError, KeyError):  # a form that needs its user, event or invoice
            continue
        form.is_valid()
        checked += 1
        generic = [name for name, errors in form.errors.items() if DJANGO_REQUIRED in errors]
        assert not generic, f"{cls.__name__}: {generic}"
    assert checked >= 10


@pytest.fixture
def profile_page(client, db):
    user = UserFactory(job_title="", line_manager_name="")
    client.force_login(user)
    return reverse("accounts:profile")


def text_of(response):
    return html.unescape(response.content.decode())


def test_a_profile_submitted_empty_says_what_to_enter(client, profile_page):
    response = client.post(profile_page, {})
    text = text_of(response)
    assert response.status_code == 200
    assert "Enter your job title" in text
    assert "Enter your first name" in text
    assert "Select your staff group" in text
    assert DJANGO_REQUIRED not in text


def test_optional_fields_are_marked_and_required_ones_have_no_asterisk(client, profile_page):
    text = text_of(client.get(profile_page))
    # Access needs is optional; the job title is not.
    assert re.search(r"Access needs[^<]*\(optional\)", text), "access needs says (optional)"
    assert not re.search(r"Job title[^<]*\(optional\)", text)
    # The organisation is checked in clean(): not "(optional)" either.
    assert not re.search(r"Organisation\s*\(optional\)", text)
    assert "asteriskField" not in text
    assert not re.search(r"<label[^>]*>[^<]*\*", text)


def test_the_course_form_says_select_a_level(client, make_user):
    officer = make_user(Role.OFFICER)
    client.force_login(officer)
    CourseFactory()
    response = client.post(reverse("courses:manage-course-create"), {})
    text = text_of(response)
    assert response.status_code == 200
    assert "Select a level" in text
    assert DJANGO_REQUIRED not in text


def test_no_placeholder_stands_in_for_a_label(client, db):
    """The sign-in, registration and password reset pages: allauth's forms come with
    placeholders ("Email address" under the label "Email")."""
    for name in ("account_login", "account_signup", "account_reset_password"):
        text = client.get(reverse(name)).content.decode()
        assert "placeholder=" not in text, name


def test_signing_in_with_nothing_says_what_to_enter(client, db):
    text = text_of(client.post(reverse("account_login"), {}))
    assert "Enter your email address" in text
    assert "Enter your password" in text
    assert DJANGO_REQUIRED not in text
