from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from core.audit import audit_record
from core.email import email_send
from core.exceptions import DomainError

from .models import Organisation, OrganisationRequest, User
from .roles import ADMIN_ROLES, Role, group_name, user_roles

# Roles whose pages show "their own organisation": the organisation in the profile. Someone
# holding one must not move themselves to another organisation (and reach its staff or its
# billing); the training team moves them in the administration.
ORGANISATION_ROLES = (Role.SAFEGUARDING_LEAD, Role.FINANCE_CONTACT)


def _organisation_move_refusal(*, user, organisation, requested):
    roles = [r for r in ORGANISATION_ROLES if r in user_roles(user)]
    if not roles or user.organisation_id is None:
        return None
    moving = requested or (organisation is not None and organisation.pk != user.organisation_id)
    if not moving:
        return None
    return (f"As {roles[0].label.lower()} for {user.organisation.name} you cannot change your "
            "organisation yourself: ask the training team to move you.")


@transaction.atomic
def profile_update(*, user, data):
    """Save a delegate's profile (name, job, organisation, staff group, line manager, access
    needs). An organisation not on the list becomes a request an officer approves. A
    safeguarding lead or finance contact keeps their organisation (see ORGANISATION_ROLES)."""
    user = (User.objects.select_for_update(of=("self",)).select_related("organisation")
            .get(pk=user.pk))
    requested = (data.get("organisation") is None and bool(data.get("organisation_not_listed"))
                 and bool(data.get("organisation_name")))
    if refusal := _organisation_move_refusal(user=user, organisation=data.get("organisation"),
                                             requested=requested):
        raise DomainError(refusal, field="organisation_name")
    for field in ["first_name", "last_name", "job_title", "staff_group", "line_manager_name",
                  "line_manager_email", "access_needs", "newsletter_opt_in"]:
        if field in data:
            setattr(user, field, data[field])
    organisation = data.get("organisation")
    request = None
    if organisation is not None:
        user.organisation = organisation
        OrganisationRequest.objects.filter(
            requested_by=user, status=OrganisationRequest.Status.PENDING
        ).delete()
    elif data.get("organisation_not_listed") and data.get("organisation_name"):
        request, _ = OrganisationRequest.objects.update_or_create(
            requested_by=user,
            status=OrganisationRequest.Status.PENDING,
            defaults={"name": data["organisation_name"], "sector": data["new_organisation_sector"]},
        )
    user.save()
    audit_record(actor=user, action="profile.update", target=user)
    if request is not None:
        audit_record(actor=user, action="organisation_request.create", target=request)
    return user, request


@transaction.atomic
def organisation_request_decide(*, organisation_request, by, decision, name, sector, note, now):
    """An officer approves (adding the organisation, or matching an existing one) or declines
    a delegate's request; the delegate is emailed either way."""
    req = OrganisationRequest.objects.select_for_update().get(pk=organisation_request.pk)
    if req.status != OrganisationRequest.Status.PENDING:
        raise DomainError(f"This request was already {req.get_status_display().lower()}.")
    req.decided_by, req.decided_at, req.decision_note = by, now, note
    if decision == "approve":
        name = " ".join(name.split())
        organisation = Organisation.objects.filter(name__iexact=name).first()
        if organisation is None:
            organisation = Organisation.objects.create(name=name, sector=sector)
            audit_record(actor=by, action="organisation.create", target=organisation)
        req.status, req.organisation = OrganisationRequest.Status.APPROVED, organisation
        # The delegate asked to be in this organisation: move them even if they were linked
        # to another before (they may have changed jobs), so charges go to the right place.
        delegate = req.requested_by
        if delegate.organisation_id != organisation.pk:
            delegate.organisation = organisation
            delegate.save(update_fields=["organisation"])
    else:
        req.status = OrganisationRequest.Status.DECLINED
    req.save()
    audit_record(actor=by, action=f"organisation_request.{req.status}", target=req,
                 details={"note": note})
    # Sent by a worker (with retries) so a mail server failure never spoils the officer's page.
    from .tasks import organisation_request_decided_send

    transaction.on_commit(lambda: organisation_request_decided_send.delay(req.pk))
    return req


def organisation_request_decided_email(*, organisation_request):
    """Tell the delegate what the officer decided about the organisation they asked for."""
    req = organisation_request
    email_send(to=[req.requested_by.email], template="accounts/organisation_request_decided",
               context={"request_obj": req, "user": req.requested_by})


@transaction.atomic
def organisation_billing_update(*, organisation, by, data):
    """A finance contact (their own organisation only) or business support updates where
    invoices go."""
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    changed = {}
    for field in ["invoice_email", "billing_address", "purchase_order_reference"]:
        if field in data and getattr(org, field) != data[field]:
            changed[field] = data[field]
            setattr(org, field, data[field])
    org.save()
    audit_record(actor=by, action="organisation.billing_update", target=org, details=changed)
    return org


@transaction.atomic
def user_roles_set(*, user, roles, by):
    """Give a user exactly these roles (officers do this in the admin). Officers work in the
    admin, so their accounts are staff accounts."""
    roles = {Role(r) for r in roles}
    user.groups.set(Group.objects.filter(name__in=[group_name(r) for r in roles]))
    is_staff = user.is_superuser or bool(roles & set(ADMIN_ROLES))
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    user.__dict__.pop("_roles_cache", None)
    audit_record(actor=by, action="user.roles_set", target=user,
                 details={"roles": sorted(r.value for r in roles)})
    return user


def organisation_requests_remind(*, now):
    """Tell officers once about each organisation request still waiting a day after it was
    made. `reminded_at` under a row lock makes a second run send nothing."""
    from .selectors import users_with_permission

    cutoff = now - timezone.timedelta(days=1)
    with transaction.atomic():
        due = list(
            OrganisationRequest.objects.select_for_update(skip_locked=True)
            .filter(status=OrganisationRequest.Status.PENDING, reminded_at__isnull=True,
                    requested_at__lte=cutoff)
            .select_related("requested_by")
        )
        if not due:
            return 0
        OrganisationRequest.objects.filter(pk__in=[r.pk for r in due]).update(reminded_at=now)
        officers = list(
            users_with_permission("accounts.approve_organisation").values_list("email", flat=True)
        )
        if officers:
            # Sent inside the transaction that marks the requests: a failed send rolls the
            # marks back, so the task's retry sends the reminder (after commit, the retry
            # would find nothing left to send).
            email_send(to=officers, template="accounts/organisation_requests_waiting",
                       context={"requests": due})
    return len(due)


