"""Who may open the Training Checklist and the organisation view, and how to build each
page's address (tests/accounts/test_roles.py reads both)."""

from django.urls import reverse

from accounts.roles import Role

SITE_ADMIN = "site_admin"

CHECKLIST_PAGES = {
    "reports:checklist-list": {Role.OFFICER, SITE_ADMIN},
    "reports:checklist-create": {Role.OFFICER, SITE_ADMIN},
    "reports:checklist-update": {Role.OFFICER, SITE_ADMIN},
    "reports:checklist-delete": {Role.OFFICER, SITE_ADMIN},
    # A lead: their own organisation, whatever the address names; an officer the one named
    # (until they choose, their own).
    "reports:organisation-training": {Role.OFFICER, Role.SAFEGUARDING_LEAD, SITE_ADMIN},
    "reports:organisation-training-export": {Role.OFFICER, Role.SAFEGUARDING_LEAD, SITE_ADMIN},
    # Someone with no organisation: a lead does not find them (404), an officer does.
    "reports:organisation-staff-group": {Role.OFFICER, SITE_ADMIN},
}


def checklist_page_url(name):
    from reports.models import ChecklistRequirement
    from tests.factories import UserFactory

    if name in ("reports:checklist-update", "reports:checklist-delete"):
        requirement = ChecklistRequirement.objects.create(staff_group="group_1", level="1")
        return reverse(name, kwargs={"pk": requirement.pk})
    if name == "reports:organisation-training-export":
        return reverse(name, kwargs={"fmt": "xlsx"})  # an officer's own organisation
    if name == "reports:organisation-staff-group":
        return reverse(name, kwargs={"pk": UserFactory(organisation=None).pk})
    return reverse(name)
