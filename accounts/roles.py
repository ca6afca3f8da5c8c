"""Roles are groups carrying permissions. This table is the one place that says which role
holds which permission; `roles_sync` (run after every migrate) makes the groups match it.
Views ask for permissions (core.permissions), never for group names."""

from django.db import models


class Role(models.TextChoices):
    DELEGATE = "delegate", "Delegate"
    FACILITATOR = "facilitator", "Facilitator (Training Pool)"
    OFFICER = "officer", "Learning and Development officer"
    BUSINESS_SUPPORT = "business_support", "Business support"
    LOD_MEMBER = "lod_member", "LOD Group member"
    SAFEGUARDING_LEAD = "safeguarding_lead", "Organisation safeguarding lead"
    FINANCE_CONTACT = "finance_contact", "Organisation finance contact"


ROLE_PERMISSIONS = {
    Role.DELEGATE: [],
    Role.FACILITATOR: [
        "courses.facilitate", "bookings.mark_attendance",
    ],
    Role.OFFICER: [
        "core.view_partnership", "core.change_partnership",
        "core.view_auditentry", "core.view_outgoingemail", "core.change_outgoingemail",
        "accounts.view_organisation", "accounts.add_organisation",
        "accounts.change_organisation", "accounts.approve_organisation",
        "accounts.view_organisationrequest",
        "accounts.view_organisationdomain", "accounts.add_organisationdomain",
        "accounts.change_organisationdomain", "accounts.delete_organisationdomain",
        "accounts.view_membershiprequest", "accounts.decide_membership",
        "accounts.view_user", "accounts.change_user", "auth.view_group",
        "courses.view_category", "courses.add_category", "courses.change_category",
        "courses.view_course", "courses.add_course", "courses.change_course",
        "courses.view_trainingpoolmembership", "courses.add_trainingpoolmembership",
        "courses.change_trainingpoolmembership", "courses.delete_trainingpoolmembership",
        "courses.view_event", "courses.add_event", "courses.change_event",
        "courses.view_venue", "courses.add_venue", "courses.change_venue",
        "resources.view_resource", "resources.add_resource", "resources.change_resource",
        "resources.delete_resource",
        "courses.view_question", "courses.add_question", "courses.change_question",
        "courses.delete_question",
        "courses.view_choice", "courses.add_choice", "courses.change_choice",
        "courses.delete_choice",
        "courses.view_completion",
        "bookings.view_booking", "bookings.manage_bookings", "bookings.mark_attendance",
        "reports.view_report", "reports.request_report", "reports.issue_report",
        "reports.view_checklistrequirement", "reports.add_checklistrequirement",
        "reports.change_checklistrequirement", "reports.delete_checklistrequirement",
        "reports.view_tnaround", "reports.add_tnaround", "reports.change_tnaround",
        "reports.view_tna_results",
        "evaluations.view_questionnaire", "evaluations.add_questionnaire",
        "evaluations.change_questionnaire", "evaluations.view_evaluation_results",
        "evaluations.view_evaluationrequest", "evaluations.view_theme", "evaluations.add_theme",
        "evaluations.change_theme", "evaluations.view_certificate",
        "evaluations.issue_certificate",
        "charging.view_charge", "charging.decide_charge", "charging.view_invoice",
        "charging.issue_invoice", "charging.record_payment",
    ],
    Role.BUSINESS_SUPPORT: [
        "core.view_outgoingemail",
        "accounts.view_organisation", "accounts.change_organisation",
        "courses.view_event", "newsletter.send_newsletter", "newsletter.view_newsletter",
        "newsletter.add_newsletter", "newsletter.change_newsletter",
        "charging.view_charge", "charging.view_invoice", "charging.issue_invoice",
        "charging.record_payment",
    ],
    Role.LOD_MEMBER: [
        "reports.view_report", "reports.request_report", "reports.view_tna_results",
    ],
    Role.SAFEGUARDING_LEAD: [
        "accounts.view_own_organisation_staff", "accounts.decide_own_organisation_membership",
        "reports.view_own_organisation_training", "reports.answer_tna",
    ],
    Role.FINANCE_CONTACT: [
        "accounts.manage_own_organisation_account",
    ],
}

# Roles that reach other people's information must use two-factor authentication.
MFA_REQUIRED_ROLES = [r for r in Role if r != Role.DELEGATE]
# Roles that work in the Django admin (officers assign roles there).
ADMIN_ROLES = [Role.OFFICER]


def group_name(role):
    return Role(role).label


def user_roles(user):
    """The roles a user holds, cached on the user object for the request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_roles_cache", None)
    if cached is None:
        labels = {r.label: r for r in Role}
        names = user.groups.values_list("name", flat=True)
        cached = frozenset(labels[n] for n in names if n in labels)
        user._roles_cache = cached
    return cached


def user_has_role(user, role):
    return Role(role) in user_roles(user)


def user_requires_mfa(user):
    """A superuser, a staff role, the admin's staff flag, or any permission however it was
    given (straight to the person in the admin, or through a group that is not a role): each
    opens other people's information, so each must use two-factor authentication. (The
    permissions are cached on the user for the request, where the page's checks reuse them.)"""
    return (user.is_superuser or user.is_staff
            or any(r in MFA_REQUIRED_ROLES for r in user_roles(user))
            or bool(user.get_all_permissions()))


def roles_sync(**kwargs):
    """Create the role groups and give each exactly the permissions of ROLE_PERMISSIONS."""
    from django.contrib.auth.models import Group, Permission

    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name(role))
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            try:
                wanted.append(
                    Permission.objects.get(content_type__app_label=app_label, codename=codename)
                )
            except Permission.DoesNotExist:
                # The model defining it is not migrated yet; the next migrate adds it.
                continue
        group.permissions.set(wanted)
