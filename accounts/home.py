"""The accounts app's tasks on the home page (core.home): organisation and membership
requests for the officer; a safeguarding lead's requests to join their organisation; the
emails that could not be delivered."""

from django.urls import reverse

from core.home import OFFICER, SAFEGUARDING_LEAD, HomeItem, home_section

from . import selectors
from .roles import Role, user_roles


def holds(user, role):
    """Does the home page show `role`'s section to the user? Everyone books training, so the
    delegate's is anyone's holding the Delegate role or no role at all."""
    roles = user_roles(user)
    if role == Role.DELEGATE:
        return Role.DELEGATE in roles or not roles
    return role in roles


@home_section(OFFICER)
def officer_requests(user, now):
    if not holds(user, Role.OFFICER):
        return None
    items = []
    if user.has_perm("accounts.approve_organisation"):
        items.append(HomeItem(
            url=reverse("accounts:organisationrequest-list"),
            count=selectors.organisation_requests_pending().count(),
            singular="organisation request waiting for a decision",
            plural="organisation requests waiting for a decision", order=20))
    if user.has_perm("accounts.decide_membership"):
        items.append(HomeItem(
            url=reverse("accounts:membershiprequest-list"),
            count=selectors.membership_requests_for(user=user).count(),
            singular="request to join an organisation waiting for a decision",
            plural="requests to join an organisation waiting for a decision", order=21))
    return items


@home_section(OFFICER)
def officer_failed_emails(user, now):
    if not holds(user, Role.OFFICER) or not user.has_perm("core.view_outgoingemail"):
        return None
    from core.models import OutgoingEmail

    count = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.FAILED).count()
    return [HomeItem(url=reverse("core:outgoingemail-list") + "?status=failed", count=count,
                     singular="email that could not be delivered",
                     plural="emails that could not be delivered", order=90)]


@home_section(SAFEGUARDING_LEAD)
def lead_membership_requests(user, now):
    if (not holds(user, Role.SAFEGUARDING_LEAD)
            or not user.has_perm("accounts.decide_own_organisation_membership")):
        return None
    if not user.organisation_id:
        return []
    # Scoped to the lead's own organisation (an officer who is also a lead sees the officer's
    # count in their own section).
    count = (selectors.membership_requests_for(user=user)
             .filter(organisation_id=user.organisation_id).count())
    return [HomeItem(url=reverse("accounts:membershiprequest-list"), count=count,
                     singular="request to join your organisation waiting for approval",
                     plural="requests to join your organisation waiting for approval", order=20)]
