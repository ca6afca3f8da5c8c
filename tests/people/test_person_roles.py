"""Officers give roles on a person's page (issue 11), audited; an officer never removes their
own officer role; a site administrator's roles are not an officer's to change."""

import pytest
from django.urls import reverse

from accounts.roles import Role, user_roles
from core.models import AuditEntry
from tests.factories import UserFactory


def _roles(user):
    user.__dict__.pop("_roles_cache", None)
    return set(user_roles(user))


@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER)


@pytest.mark.django_db
def test_the_form_shows_the_roles_held_ticked(client, officer):
    person = UserFactory(roles=[Role.DELEGATE, Role.LOD_MEMBER])
    client.force_login(officer)
    page = client.get(reverse("accounts:person-roles", args=[person.pk])).content.decode()
    import re

    checked = re.findall(r'name="roles" value="(\w+)"\s+id="id_roles_\d+" checked', page)
    assert checked == ["lod_member"]
    assert "two-factor authentication" in page


@pytest.mark.django_db
def test_an_officer_gives_a_role_and_it_is_audited(client, officer):
    person = UserFactory(roles=[Role.DELEGATE])
    client.force_login(officer)
    response = client.post(reverse("accounts:person-roles", args=[person.pk]),
                           {"roles": [Role.FACILITATOR.value, Role.SAFEGUARDING_LEAD.value]})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:person-detail", args=[person.pk])
    assert _roles(person) == {Role.DELEGATE, Role.FACILITATOR, Role.SAFEGUARDING_LEAD}
    entry = AuditEntry.objects.get(action="user.roles_set", target_id=str(person.pk))
    assert entry.actor == officer
    assert entry.details["roles"] == ["delegate", "facilitator", "safeguarding_lead"]
    page = client.get(response["Location"]).content.decode()
    assert "roles are saved: Facilitator (Training Pool), Organisation safeguarding lead" in page


@pytest.mark.django_db
def test_removing_every_role_keeps_the_person_a_delegate(client, officer):
    person = UserFactory(roles=[Role.DELEGATE, Role.OFFICER])
    assert person.is_staff
    client.force_login(officer)
    client.post(reverse("accounts:person-roles", args=[person.pk]), {})
    person.refresh_from_db()
    assert _roles(person) == {Role.DELEGATE}
    assert not person.is_staff  # no longer works in the admin


@pytest.mark.django_db
def test_an_officer_cannot_remove_their_own_officer_role(client, officer):
    client.force_login(officer)
    response = client.post(reverse("accounts:person-roles", args=[officer.pk]),
                           {"roles": [Role.FACILITATOR.value]})
    assert response.status_code == 200
    assert "You cannot remove your own officer role: ask another officer" in \
        response.content.decode()
    assert Role.OFFICER in _roles(officer) and Role.FACILITATOR not in _roles(officer)
    assert not AuditEntry.objects.filter(action="user.roles_set").exists()


@pytest.mark.django_db
def test_an_officer_may_add_a_role_to_themselves_keeping_officer(client, officer):
    client.force_login(officer)
    client.post(reverse("accounts:person-roles", args=[officer.pk]),
                {"roles": [Role.OFFICER.value, Role.FACILITATOR.value]})
    assert {Role.OFFICER, Role.FACILITATOR} <= _roles(officer)


@pytest.mark.django_db
def test_another_officer_may_remove_an_officer_role(client, officer, make_user):
    colleague = make_user(Role.OFFICER)
    client.force_login(officer)
    client.post(reverse("accounts:person-roles", args=[colleague.pk]), {})
    assert Role.OFFICER not in _roles(colleague)


@pytest.mark.django_db
def test_an_unknown_role_is_refused_with_a_message(client, officer):
    person = UserFactory(roles=[Role.DELEGATE])
    client.force_login(officer)
    response = client.post(reverse("accounts:person-roles", args=[person.pk]),
                           {"roles": ["superuser"]})
    assert response.status_code == 200
    assert "Select roles from the list" in response.content.decode()
    assert _roles(person) == {Role.DELEGATE}


@pytest.mark.django_db
def test_an_officer_never_changes_a_site_administrators_roles(client, officer, site_admin):
    client.force_login(officer)
    url = reverse("accounts:person-roles", args=[site_admin.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"roles": [Role.LOD_MEMBER.value]}).status_code == 403
    assert Role.LOD_MEMBER not in _roles(site_admin)
    page = client.get(reverse("accounts:person-detail", args=[site_admin.pk])).content.decode()
    assert url not in page


@pytest.mark.django_db
def test_a_role_that_needs_two_factor_asks_the_person_to_set_it_up(client, officer):
    person = UserFactory(roles=[Role.DELEGATE])
    client.force_login(officer)
    client.post(reverse("accounts:person-roles", args=[person.pk]),
                {"roles": [Role.LOD_MEMBER.value]})
    client.force_login(person)
    response = client.get(reverse("reports:report-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp")) or \
        "two-factor" in client.get(response["Location"]).content.decode().lower()
