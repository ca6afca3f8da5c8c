from django.contrib.auth.models import Permission
from django.db.models import Q

from .models import Organisation, OrganisationRequest, User


def organisations_for_choice():
    return Organisation.objects.filter(active=True).only("id", "name").order_by("name")


def organisation_requests_pending():
    return (
        OrganisationRequest.objects.filter(status=OrganisationRequest.Status.PENDING)
        .select_related("requested_by", "requested_by__organisation")
        .order_by("requested_at", "id")
    )


def organisations_directory(*, search=""):
    qs = Organisation.objects.all().order_by("name")
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
