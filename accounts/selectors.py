from django.contrib.auth.models import Permission
from django.db.models import Q

from .models import MembershipRequest, Organisation, OrganisationRequest, User


def organisations_for_choice():
    return Organisation.objects.filter(active=True).only("id", "name").order_by("name")


def organisation_requests_pending():
    return (
        OrganisationRequest.objects.filter(status=OrganisationRequest.Status.PENDING)
        .select_related("requested_by", "requested_by__organisation")
        .order_by("requested_at", "id")
    )


def organisations_directory(*, search=""):
    qs = Organisation.objects.prefetch_related("domains").order_by("name")
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(kind__icontains=search))
    return qs


def staff_of_organisation(*, user):
    """The delegates of the user's own organisation: a safeguarding lead never sees another
    organisation's staff, whatever the URL says."""
    if not user.organisation_id:
        return User.objects.none()
    return (
        User.objects.filter(organisation_id=user.organisation_id, is_active=True)
        .only("id", "first_name", "last_name", "email", "job_title", "staff_group",
              "line_manager_name")
        .order_by("last_name", "first_name")
    )


def users_with_permission(perm):
    app_label, codename = perm.split(".")
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return User.objects.filter(
        Q(groups__permissions__in=permission) | Q(user_permissions__in=permission)
        | Q(is_superuser=True),
        is_active=True,
    ).distinct()


def organisation_for_domains(*, pk):
    """One organisation, for the officer who keeps its email domains (officers see every
    organisation: the view requires accounts.change_organisationdomain)."""
    return Organisation.objects.prefetch_related("domains").filter(pk=pk).first()


def membership_requests_for(*, user, pending_only=True):
    """The requests to join an organisation that `user` may decide (the pending ones, unless
    pending_only=False): every one for an L&D officer; those to their own organisation only
    for its safeguarding lead; none for anyone else, and never the user's own. A request id
    in a URL is looked up in here, so another organisation's request is a 404."""
    pending = MembershipRequest.objects.all()
    if pending_only:
        pending = pending.filter(status=MembershipRequest.Status.PENDING)
    if not user.is_authenticated:
        return pending.none()
    # Nobody decides their own request (an officer moving themselves, say): another does.
    pending = pending.exclude(user_id=user.pk)
    if user.has_perm("accounts.decide_membership"):
        return pending
    if user.has_perm("accounts.decide_own_organisation_membership") and user.organisation_id:
        return pending.filter(organisation_id=user.organisation_id)
    return pending.none()


def membership_requests_queue(*, user):
    """membership_requests_for, with what the queue page shows, oldest first."""
    return (membership_requests_for(user=user)
            .select_related("user", "organisation", "from_organisation")
            .order_by("requested_at", "id"))


def membership_request_pending_of(*, user):
    """The delegate's own request waiting for approval, if any."""
    return (MembershipRequest.objects.filter(user=user, status=MembershipRequest.Status.PENDING)
            .select_related("organisation").first())


# People (L&D officers: accounts.view_user) -------------------------------------------------------

def people_search(*, search=""):
    """Every account, for the officers' People page, by surname: each word of `search` must be
    found in the first name, last name, email address or organisation name."""
    qs = (User.objects.select_related("organisation").prefetch_related("groups")
          .only("id", "first_name", "last_name", "email", "job_title", "is_active",
                "organisation__id", "organisation__name")
          .order_by("last_name", "first_name", "email", "id"))
    for word in search.split()[:8]:
        qs = qs.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word)
                       | Q(email__icontains=word) | Q(organisation__name__icontains=word))
    return qs


def person_for_officer(*, pk):
    """One person for the officers' person page (officers see every account: the view requires
    accounts.view_user)."""
    return (User.objects.select_related("organisation").prefetch_related("groups")
            .filter(pk=pk).first())
