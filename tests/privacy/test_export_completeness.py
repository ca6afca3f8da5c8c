"""The export covers every relation to a person that the database holds: a new model with a
foreign key to the user (or to a row exported about them, such as a booking) fails here until
privacy.export exports it (COVERED) or says why it is not about the person
(NOT_ABOUT_THE_PERSON)."""
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from privacy import export

# Rows exported about a person: a relation to one of them leads to more of the person's data
# (a charge through a booking, an answer through a response).
HELD_ABOUT_THE_PERSON = [
    "bookings.Booking", "bookings.Substitution", "charging.Charge", "charging.InvoiceLine",
    "evaluations.EvaluationRequest", "evaluations.Response", "evaluations.Answer",
    "evaluations.Certificate", "courses.Completion", "courses.KnowledgeCheckAttempt",
    "accounts.MembershipRequest", "accounts.OrganisationRequest", "reports.TnaReturn",
    "newsletter.NewsletterDelivery", "account.EmailAddress", "mfa.Authenticator",
]


def _targets():
    targets = {get_user_model()}
    for label in HELD_ABOUT_THE_PERSON:
        targets.add(apps.get_model(label))
    return targets


def relations_to_the_person(models=None):
    """(model label, field name) of every foreign key, one-to-one and many-to-many field of
    every installed model that points at the user or at a row held about them."""
    targets = _targets()
    found = set()
    for model in models or apps.get_models():
        for field in model._meta.get_fields():
            if (field.is_relation and not field.auto_created and field.related_model in targets
                    and (field.many_to_one or field.one_to_one or field.many_to_many)
                    and (field.many_to_many or field.concrete)):
                found.add((model._meta.label, field.name))
    return found


def uncovered(covered, excluded):
    return sorted(relations_to_the_person() - set(covered) - set(excluded))


def test_every_relation_to_a_person_is_exported_or_explained():
    assert uncovered(export.COVERED, export.NOT_ABOUT_THE_PERSON) == []


def test_a_relation_left_out_of_the_export_fails_the_check():
    covered = dict(export.COVERED)
    del covered[("evaluations.Answer", "response")]
    del covered[("bookings.Booking", "delegate")]
    assert uncovered(covered, export.NOT_ABOUT_THE_PERSON) == [
        ("bookings.Booking", "delegate"), ("evaluations.Answer", "response")]


def test_the_explanations_name_real_relations_and_the_sections_exist(db):
    """Neither list may go stale: each entry is a relation that exists (or belongs to a model
    that another part of the site may not have installed yet), and each section is in the
    export and described in its README."""
    relations = relations_to_the_person()
    for label, name in [*export.COVERED, *export.NOT_ABOUT_THE_PERSON]:
        try:
            apps.get_model(label)
        except LookupError:
            continue
        assert (label, name) in relations, f"{label}.{name} is not a relation to a person"
    assert not set(export.COVERED) & set(export.NOT_ABOUT_THE_PERSON)
    from tests.factories import UserFactory

    sections = export.person_data(UserFactory())
    for section in export.COVERED.values():
        assert section in sections and section in export.SECTION_DESCRIPTIONS
    assert set(sections) == set(export.SECTION_DESCRIPTIONS)


@pytest.mark.parametrize("label", ["accounts.UserSession", "privacy.DeletionRequest"])
def test_models_added_by_this_issue_are_covered_when_installed(label):
    try:
        model = apps.get_model(label)
    except LookupError:
        pytest.skip(f"{label} is not installed")
    assert any(key[0] == label for key in export.COVERED), model
