from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import audit_changes, audit_record
from core.exceptions import DomainError
from core.outbox import email_queue

from . import policies
from .models import MembershipRequest, Organisation, OrganisationDomain, OrganisationRequest, User
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


def user_own_addresses(*, user):
    """Every address of the user's account, lower-case: user.email and each allauth address
    (verified or not)."""
    addresses = {a.lower() for a in EmailAddress.objects.filter(user=user)
                 .values_list("email", flat=True)}
    if user.email:
        addresses.add(user.email.lower())
    return addresses


LINE_MANAGER_OWN_ADDRESS = ("Enter your line manager's email address, not one of your own: "
                            "we ask them to agree to your training.")


def user_verified_primary_email(*, user):
    """The user's verified primary address, or "" (DOMAIN.md: membership follows the verified
    email domain)."""
    return (EmailAddress.objects.filter(user=user, primary=True, verified=True)
            .values_list("email", flat=True).first() or "")


def _membership_withdraw(*, user, now):
    pending = MembershipRequest.objects.filter(user=user, status=MembershipRequest.Status.PENDING)
    for req in pending:
        req.status, req.decided_at = MembershipRequest.Status.WITHDRAWN, now
        req.save(update_fields=["status", "decided_at"])
        audit_record(actor=user, action="membership_request.withdrawn", target=req)


def _organisation_choose(*, user, organisation, now):
    """DOMAIN.md, Organisation membership: "a delegate joins an organisation at once when
    their verified email domain is one of its domains; otherwise its safeguarding lead or an
    officer approves". Returns the membership request waiting, or None."""
    if organisation.pk == user.organisation_id:
        _membership_withdraw(user=user, now=now)  # they chose to stay where they are
        return None
    joining = policies.membership_joining(
        organisation_name=organisation.name,
        organisation_domains=organisation.domains.values_list("domain", flat=True),
        verified_email=user_verified_primary_email(user=user),
    )
    if joining.at_once:
        _membership_withdraw(user=user, now=now)
        was = user.organisation_id
        was_name = user.organisation.name if user.organisation_id else None
        user.organisation = organisation
        audit_record(actor=user, action="membership.join", target=organisation,
                     details={"user": user.pk, "from_organisation": was,
                              "reason": joining.reason},
                     changes={"member_of": [was_name, organisation.name]})
        return None
    pending = (MembershipRequest.objects.filter(user=user, status=MembershipRequest.Status.PENDING)
               .first())
    if pending is not None and pending.organisation_id == organisation.pk:
        return pending
    _membership_withdraw(user=user, now=now)
    req = MembershipRequest.objects.create(user=user, organisation=organisation,
                                           from_organisation_id=user.organisation_id,
                                           requested_at=now)
    audit_record(actor=user, action="membership_request.create", target=req,
                 details={"organisation": organisation.pk, "reason": joining.reason})
    return req


@transaction.atomic
def profile_update(*, user, data, now=None):
    """Save a delegate's profile (name, job, organisation, staff group, line manager, access
    needs). An organisation not on the list becomes a request an officer approves; one on the
    list is joined at once only when the delegate's verified email domain is one of its
    domains, otherwise it becomes a membership request its safeguarding lead or an officer
    approves (DOMAIN.md, Organisation membership). A safeguarding lead or finance contact keeps
    their organisation (see ORGANISATION_ROLES). The line manager is never one of the
    delegate's own addresses (they would agree to their own training). Returns the user, the
    organisation request made (or None) and the membership request waiting (or None)."""
    now = now or timezone.now()
    user = (User.objects.select_for_update(of=("self",)).select_related("organisation")
            .get(pk=user.pk))
    requested = (data.get("organisation") is None and bool(data.get("organisation_not_listed"))
                 and bool(data.get("organisation_name")))
    if refusal := _organisation_move_refusal(user=user, organisation=data.get("organisation"),
                                             requested=requested):
        raise DomainError(refusal, field="organisation_name")
    manager = (data.get("line_manager_email") or "").strip().lower()
    if manager and manager in user_own_addresses(user=user):
        raise DomainError(LINE_MANAGER_OWN_ADDRESS, field="line_manager_email")
    for field in ["first_name", "last_name", "job_title", "staff_group", "line_manager_name",
                  "line_manager_email", "access_needs", "newsletter_opt_in"]:
        if field in data:
            setattr(user, field, data[field])
    organisation = data.get("organisation")
    request = membership = None
    if organisation is not None:
        OrganisationRequest.objects.filter(
            requested_by=user, status=OrganisationRequest.Status.PENDING
        ).delete()
        membership = _organisation_choose(user=user, organisation=organisation, now=now)
    elif data.get("organisation_not_listed") and data.get("organisation_name"):
        _membership_withdraw(user=user, now=now)
        request, _ = OrganisationRequest.objects.update_or_create(
            requested_by=user,
            status=OrganisationRequest.Status.PENDING,
            defaults={"name": data["organisation_name"], "sector": data["new_organisation_sector"]},
        )
    user.save()
    audit_record(actor=user, action="profile.update", target=user)
    if request is not None:
        audit_record(actor=user, action="organisation_request.create", target=request)
    return user, request, membership


@transaction.atomic
def membership_request_decide(*, membership_request, by, decision, note, now):
    """The organisation's safeguarding lead (their own organisation only) or an L&D officer
    approves (the delegate joins the organisation) or refuses a request to join it
    (DOMAIN.md, Organisation membership). Audited; the delegate is emailed either way."""
    from .selectors import membership_requests_for

    if not membership_requests_for(user=by).filter(pk=membership_request.pk).exists():
        raise DomainError("You cannot decide requests to join this organisation.")
    # The delegate first, then the request: profile_update locks in that order too (it
    # withdraws requests), so the two never deadlock.
    user_id = MembershipRequest.objects.values_list("user_id", flat=True).get(
        pk=membership_request.pk)
    delegate = (User.objects.select_for_update(of=("self",)).select_related("organisation")
                .get(pk=user_id))
    req = (MembershipRequest.objects.select_for_update(of=("self",))
           .select_related("organisation").get(pk=membership_request.pk))
    if req.status != MembershipRequest.Status.PENDING:
        raise DomainError(f"This request was already {req.get_status_display().lower()}.",
                          code="decided")
    note = (note or "").strip()
    was_organisation = delegate.organisation.name if delegate.organisation_id else None
    if decision == "approve":
        roles = [r for r in ORGANISATION_ROLES if r in user_roles(delegate)]
        if roles and delegate.organisation_id and delegate.organisation_id != req.organisation_id:
            raise DomainError(
                f"{delegate} is {roles[0].label.lower()} for {delegate.organisation.name}: the "
                "training team must move them in the administration.")
        if not req.organisation.active:
            raise DomainError(f"{req.organisation.name} is no longer active, so nobody can "
                              "join it.")
        delegate.organisation = req.organisation
        delegate.save(update_fields=["organisation"])
        req.status = MembershipRequest.Status.APPROVED
    elif decision == "refuse":
        req.status = MembershipRequest.Status.REFUSED
    else:
        raise DomainError("Choose whether to approve or refuse the request.")
    req.decided_by, req.decided_at, req.decision_note = by, now, note
    req.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(actor=by, action=f"membership_request.{req.status}", target=req,
                 details={"note": note, "user": delegate.pk,
                          "organisation": req.organisation_id},
                 on_behalf_of=delegate,
                 changes=audit_changes(
                     {"status": MembershipRequest.Status.PENDING,
                      "member_of": was_organisation},
                     {"status": req.status,
                      "member_of": (req.organisation.name if decision == "approve"
                                    else was_organisation)}))
    email_queue(to=[delegate.email], template="accounts/membership_request_decided",
                context={"request_obj": req, "user": delegate},
                purpose=f"membership:{req.pk}:decided")
    return req


@transaction.atomic
def organisation_domains_set(*, organisation, domains, by):
    """An L&D officer sets an organisation's email domains: delegates with a verified address
    at one of them join it without approval (DOMAIN.md, Organisation membership). One domain
    belongs to one organisation."""
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    wanted = []
    for value in domains:
        domain = policies.domain_normalise(value)
        if problem := policies.domain_problem(domain):
            raise DomainError(problem, field="domains")
        if domain not in wanted:
            wanted.append(domain)
    taken = (OrganisationDomain.objects.filter(domain__in=wanted).exclude(organisation=org)
             .select_related("organisation").first())
    if taken is not None:
        raise DomainError(f"{taken.domain} already belongs to {taken.organisation.name}. "
                          "Remove it there first.", field="domains")
    current = set(org.domains.values_list("domain", flat=True))
    added, removed = [d for d in wanted if d not in current], sorted(current - set(wanted))
    org.domains.filter(domain__in=removed).delete()
    try:
        with transaction.atomic():
            OrganisationDomain.objects.bulk_create(
                [OrganisationDomain(organisation=org, domain=d) for d in added])
    except IntegrityError as exc:  # another officer gave it to another organisation just now
        raise DomainError("One of these domains was just given to another organisation. "
                          "Check the list and save again.", field="domains") from exc
    if added or removed:
        audit_record(actor=by, action="organisation.domains_update", target=org,
                     details={"added": added, "removed": removed})
    return org


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
    # Through the outbox: a mail server failure never spoils the officer's page.
    organisation_request_decided_email(organisation_request=req)
    return req


def organisation_request_decided_email(*, organisation_request):
    """Tell the delegate what the officer decided about the organisation they asked for."""
    req = organisation_request
    email_queue(to=[req.requested_by.email], template="accounts/organisation_request_decided",
                context={"request_obj": req, "user": req.requested_by},
                purpose=f"organisation_request:{req.pk}:decided")


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
def user_roles_set(*, user, roles, by, before=None):
    """Give a user exactly these roles (officers do this in the admin). Officers work in the
    admin, so their accounts are staff accounts. Audited with the roles (and the staff and
    site administrator flags) before and after; `before` is {"roles", "is_staff",
    "is_superuser"} as they were when the admin's form has already saved the groups."""
    from .audit_roles import roles_audit_quiet, roles_of

    if before is None:
        before = {"roles": roles_of([user.pk])[user.pk], "is_staff": user.is_staff,
                  "is_superuser": user.is_superuser}
    roles = {Role(r) for r in roles}
    with roles_audit_quiet():
        user.groups.set(Group.objects.filter(name__in=[group_name(r) for r in roles]))
    is_staff = user.is_superuser or bool(roles & set(ADMIN_ROLES))
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    user.__dict__.pop("_roles_cache", None)
    after = {"roles": sorted(r.value for r in roles), "is_staff": user.is_staff,
             "is_superuser": user.is_superuser}
    audit_record(actor=by, action="user.roles_set", target=user,
                 details={"roles": after["roles"]}, changes=audit_changes(before, after))
    return user


def person_roles_set(*, person, roles, by):
    """An officer gives a person their roles on the person's page (People), not in the admin.
    Every account stays a delegate. An officer never removes their own officer role (another
    officer must: the partnership is never left without one by a slip), and only a site
    administrator changes a site administrator's roles. Audited by user_roles_set."""
    roles = {Role(r) for r in roles} | {Role.DELEGATE}
    if person.is_superuser and not by.is_superuser:
        raise DomainError(f"{person} is a site administrator: only another site administrator "
                          "can change their roles.", code="superuser")
    if person.pk == by.pk and Role.OFFICER in user_roles(person) and Role.OFFICER not in roles:
        raise DomainError("You cannot remove your own officer role: ask another officer to do "
                          "it.", code="own_officer_role", field="roles")
    return user_roles_set(user=person, roles=roles, by=by)


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
            # Queued in the transaction that marks the requests: both or neither.
            email_queue(to=officers, template="accounts/organisation_requests_waiting",
                        context={"requests": due},
                        # Each request is reminded once, so its first id names the batch.
                        purpose=f"organisation_requests:waiting:{due[0].pk}:{len(due)}")
    return len(due)


