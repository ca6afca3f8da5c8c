"""A role change made in the Django admin is audited (issue 15), with who made it and the roles
before and after; so is the site administrator's flag, an organisation changed by hand, and a
change of roles made any other way (a group's people changed, a shell)."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.roles import Role, group_name
from core.models import AuditEntry
from tests.factories import OrganisationFactory, UserFactory


def _admin_change_data(user, **extra):
    data = {
        "email": user.email, "first_name": user.first_name, "last_name": user.last_name,
        "job_title": user.job_title, "organisation": user.organisation_id or "",
        "staff_group": user.staff_group, "line_manager_name": user.line_manager_name,
        "line_manager_email": user.line_manager_email, "access_needs": "",
        "groups": list(user.groups.values_list("pk", flat=True)), "is_active": "on",
    }
    data.update(extra)
    return data


def _groups(*roles):
    return [Group.objects.get(name=group_name(r)).pk for r in roles]


def _entries(person, action="user.roles_set"):
    return list(AuditEntry.objects.filter(action=action, target_id=str(person.pk)))


@pytest.mark.django_db
def test_an_officer_giving_a_role_in_the_admin_is_audited_with_before_and_after(
        client, make_user):
    officer = make_user(Role.OFFICER, email="olivia@partnership.example")
    person = UserFactory(roles=[Role.DELEGATE])
    client.force_login(officer)
    response = client.post(reverse("admin:accounts_user_change", args=[person.pk]),
                           _admin_change_data(person, groups=_groups(Role.DELEGATE,
                                                                     Role.FACILITATOR)))
    assert response.status_code == 302, response.content.decode()[:500]
    [entry] = _entries(person)
    assert entry.actor == officer
    assert entry.details["changes"]["roles"] == [["delegate"], ["delegate", "facilitator"]]
    # The log says it in words: "Roles: Delegate → Delegate, Facilitator (Training Pool)".
    page = client.get(reverse("core:auditentry-list")).content.decode()
    assert "Roles changed" in page
    assert "Delegate <span aria-hidden=\"true\">&rarr;</span>" in page
    assert "Delegate, Facilitator (Training Pool)" in page


@pytest.mark.django_db
def test_taking_a_role_away_in_the_admin_is_audited(client, make_user):
    officer = make_user(Role.OFFICER)
    person = UserFactory(roles=[Role.DELEGATE, Role.LOD_MEMBER])
    client.force_login(officer)
    client.post(reverse("admin:accounts_user_change", args=[person.pk]),
                _admin_change_data(person, groups=_groups(Role.DELEGATE)))
    [entry] = _entries(person)
    assert entry.details["changes"]["roles"] == [["delegate", "lod_member"], ["delegate"]]


@pytest.mark.django_db
def test_a_site_administrator_making_someone_a_site_administrator_is_audited(
        client, site_admin):
    person = UserFactory(roles=[Role.DELEGATE])
    client.force_login(site_admin)
    response = client.post(reverse("admin:accounts_user_change", args=[person.pk]),
                           _admin_change_data(person, is_superuser="on", is_staff="on"))
    assert response.status_code == 302, response.content.decode()[:500]
    [entry] = _entries(person)
    assert entry.actor == site_admin
    assert entry.details["changes"]["is_superuser"] == [False, True]
    assert entry.details["changes"]["is_staff"] == [False, True]


@pytest.mark.django_db
def test_saving_the_admin_form_unchanged_records_no_change(client, make_user):
    officer = make_user(Role.OFFICER)
    person = UserFactory(roles=[Role.DELEGATE])
    client.force_login(officer)
    client.post(reverse("admin:accounts_user_change", args=[person.pk]),
                _admin_change_data(person))
    assert all("changes" not in e.details for e in _entries(person))


@pytest.mark.django_db
def test_an_organisation_changed_in_the_admin_is_audited(client, make_user):
    officer = make_user(Role.OFFICER)
    old, new = OrganisationFactory(name="Old Council"), OrganisationFactory(name="New Trust")
    person = UserFactory(roles=[Role.DELEGATE], organisation=old)
    client.force_login(officer)
    response = client.post(reverse("admin:accounts_user_change", args=[person.pk]),
                           _admin_change_data(person, organisation=new.pk))
    assert response.status_code == 302, response.content.decode()[:500]
    [entry] = _entries(person, "membership.change_by_admin")
    assert entry.actor == officer
    assert entry.details["changes"] == {"member_of": ["Old Council", "New Trust"]}


@pytest.mark.django_db
def test_roles_changed_any_other_way_are_audited_too():
    person = UserFactory(roles=[Role.DELEGATE])
    group = Group.objects.get(name=group_name(Role.OFFICER))
    group.user_set.add(person)  # the admin's group page, a shell: not through a service
    person.groups.remove(group)
    first, second = sorted(_entries(person), key=lambda e: e.pk)
    assert first.details["changes"]["roles"] == [["delegate"], ["delegate", "officer"]]
    assert second.details["changes"]["roles"] == [["delegate", "officer"], ["delegate"]]
    assert first.actor is None  # nobody signed in: the system


@pytest.mark.django_db
def test_a_new_accounts_first_role_is_not_a_change():
    UserFactory(roles=[Role.DELEGATE])
    assert not AuditEntry.objects.filter(action="user.roles_set").exists()
