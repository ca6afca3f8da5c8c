from collections import Counter
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import (
    MembershipRequest,
    Organisation,
    OrganisationDomain,
    OrganisationRequest,
    User,
)
from accounts.roles import ADMIN_ROLES, MFA_REQUIRED_ROLES, Role, group_name, roles_sync
from accounts.services import user_roles_set
from core.models import Partnership
from courses.models import Category, Course, CourseStatus, TrainingPoolMembership
from reports.checklist.demo import checklist_demo_create
from reports.tna.demo import tna_demo_load

from . import data
from .bookings import demo_bookings_load, demo_bookings_summary, demo_prerequisites_complete
from .charging import demo_charging_load
from .elearning import demo_elearning_load
from .evaluations import demo_evaluations_load
from .events import demo_events_load, demo_events_summary
from .history import demo_elearning_history_load, demo_history_load

# A fixed salt makes the demo password's hash the same on every run, so a second load_demo
# compares strings instead of re-hashing (PBKDF2 takes about a second) and saves nothing.
# Long enough that Django does not ask to re-hash it at login.
_DEMO_SALT = "DSPPdemoTrainingSite2026Salt"


@dataclass
class DemoLoadResult:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)

    @property
    def changed(self):
        return bool(self.created or self.updated)


def _sync(obj, values, result, label):
    """Set only the fields that differ and save only if one did: a second run writes nothing."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save()
        result.updated[label] += 1
    return obj


def _upsert(model, lookup, values, result, label, create_extra=None):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values, **(create_extra or {}))
        result.created[label] += 1
        return obj
    return _sync(obj, values, result, label)


def _user(*, email, values, roles, now, result):
    user = _upsert(User, {"email": email}, values, result, "users",
                   create_extra={"date_joined": now})
    address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if address is None:
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        result.created["verified email addresses"] += 1
    else:
        _sync(address, {"verified": True, "primary": True}, result, "verified email addresses")

    wanted = {group_name(r) for r in roles}
    is_staff = user.is_superuser or any(r in ADMIN_ROLES for r in roles)
    if set(user.groups.values_list("name", flat=True)) != wanted or user.is_staff != is_staff:
        user_roles_set(user=user, roles=roles, by=None)
        result.updated["role assignments"] += 1

    # Every role but Delegate must use two-factor authentication (accounts.middleware). Only
    # when the user has none: someone trying the site may have set up their own.
    if (user.is_superuser or any(r in MFA_REQUIRED_ROLES for r in roles)) and not (
        Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    ):
        TOTP.activate(user, data.DEMO_TOTP_SECRET)
        result.created["authenticator apps (TOTP)"] += 1
    return user


def _profile(*, first, last, job, organisation, staff_group, password, extra=None):
    manager_name, manager_email = data.LINE_MANAGERS[organisation.name]
    values = {
        "first_name": first, "last_name": last, "job_title": job,
        "organisation_id": organisation.pk, "staff_group": staff_group,
        "line_manager_name": manager_name, "line_manager_email": manager_email,
        "access_needs": "", "is_superuser": False, "is_active": True, "password": password,
        # Demo delegates asked for the newsletter, so a sent one reaches someone.
        "newsletter_opt_in": True,
    }
    values.update(extra or {})
    return values


@transaction.atomic
def demo_load(*, now, history=True):
    """Create (or restore) the demo partnership: Dudley's organisations in every sector, one
    login per role, the DSPP seed's course tables with the DDSCP categories and child
    exploitation pathway, a Training Pool and an organisation request waiting for an officer.
    Rows are found by their natural keys (names, emails, titles), so running it again creates
    nothing and, unless someone changed the demo data, saves nothing. Policy numbers keep
    whatever an officer set. Without `history` the eighteen months before the demo's year
    (demo/history.py, what the reports look back on) are left out: the rest of the demo is
    the same, in about a seventh of the time (tests of the other demo stories use that)."""
    result = DemoLoadResult()
    roles_sync()  # runs after every migrate; here too so that the role groups surely exist

    partnership = Partnership.load()
    _sync(partnership, data.PARTNERSHIP, result, "partnership")

    organisations = {}
    for name, (sector, kind, domain, extra) in data.ORGANISATIONS.items():
        organisations[name] = _upsert(
            Organisation, {"name": name}, {"sector": sector, "kind": kind, "active": True,
                                           **extra},
            result, "organisations", create_extra={"created_at": now},
        )
        # Delegates at this domain join the organisation without approval (DOMAIN.md).
        _upsert(OrganisationDomain, {"domain": f"{domain}.example"},
                {"organisation_id": organisations[name].pk}, result, "organisation domains",
                create_extra={"created_at": now})

    password = make_password(data.DEMO_PASSWORD, salt=_DEMO_SALT)
    logins = {}
    for email, (first, last, job, org, group, roles, extra) in data.LOGINS.items():
        values = _profile(first=first, last=last, job=job, organisation=organisations[org],
                          staff_group=group, password=password, extra=extra)
        logins[email] = _user(email=email, values=values, roles=roles, now=now, result=result)

    for first, last, job, org, group in data.DELEGATES:
        domain = data.ORGANISATIONS[org][2]
        values = _profile(first=first, last=last, job=job, organisation=organisations[org],
                          staff_group=group, password=password)
        _user(email=f"{first}.{last}@{domain}.example".lower(), values=values,
              roles=[Role.DELEGATE], now=now, result=result)

    # A delegate whose organisation is not listed yet: the request waits for an officer. If an
    # officer has dealt with it, it stays dealt with (no new request, organisation kept).
    first, last, job, group, domain = data.REQUESTER
    requester = _user(
        email=f"{first}.{last}@{domain}.example".lower(),
        values={"first_name": first, "last_name": last, "job_title": job, "staff_group": group,
                "line_manager_name": "Tracey Newton",
                "line_manager_email": f"tracey.newton@{domain}.example",
                "is_active": True, "password": password},
        roles=[Role.DELEGATE], now=now, result=result,
    )
    org_name, org_sector = data.REQUESTED_ORGANISATION
    if not OrganisationRequest.objects.filter(requested_by=requester, name=org_name).exists():
        OrganisationRequest.objects.create(
            requested_by=requester, name=org_name, sector=org_sector, requested_at=now
        )
        result.created["organisation requests"] += 1

    # A delegate asking to join Bright Futures from a personal address: the request waits for
    # its safeguarding lead. Once decided, it stays decided.
    first, last, job, group, email, org_name = data.MEMBERSHIP_REQUESTER
    manager_name, manager_email = data.LINE_MANAGERS[org_name]
    joiner = _user(
        email=email,
        values={"first_name": first, "last_name": last, "job_title": job, "staff_group": group,
                "line_manager_name": manager_name, "line_manager_email": manager_email,
                "is_active": True, "password": password},
        roles=[Role.DELEGATE], now=now, result=result,
    )
    if not MembershipRequest.objects.filter(user=joiner).exists():
        MembershipRequest.objects.create(user=joiner, organisation=organisations[org_name],
                                         requested_at=now)
        result.created["requests to join an organisation"] += 1

    categories = {}
    for position, (name, description) in enumerate(data.CATEGORIES.items(), start=1):
        categories[name] = _upsert(
            Category, {"name": name}, {"description": description, "position": position},
            result, "categories",
        )

    courses = {}
    for row in data.courses():
        title = row.pop("title")
        row["category_id"] = categories[row.pop("category")].pk
        row["active"] = True
        courses[title] = _upsert(Course, {"title": title}, row, result, "courses",
                                 create_extra={"created_at": now})

    facilitator = logins["facilitator@demo.example"]
    for title in data.TRAINING_POOL:
        _, created = TrainingPoolMembership.objects.get_or_create(
            facilitator=facilitator, course=courses[title],
            defaults={"since": timezone.localdate(now)},
        )
        if created:
            result.created["Training Pool places"] += 1
    demo_events_load(now=now, result=result)  # venues and a year of events (demo/events.py)
    if history:
        demo_history_load(now=now, result=result)  # 18 months before: the reports' quarters
    demo_elearning_load(now=now, result=result)  # modules, reviews, resources (demo/elearning.py)
    demo_bookings_load(now=now, result=result)  # places, waiting list, register (demo/bookings.py)
    demo_evaluations_load(now=now, result=result)  # answers, certificate (demo/evaluations.py)
    demo_charging_load(now=now, result=result)  # charges, invoices, payments (demo/charging.py)
    demo_prerequisites_complete(result=result)  # the level 3 course's e-learning done first
    if history:
        demo_elearning_history_load(now=now, result=result)  # knowledge checks over it
    added = checklist_demo_create()  # the Training Checklist a safeguarding lead sees
    if added:
        result.created["Training Checklist requirements"] += added
    made = tna_demo_load(now=now)  # training needs analysis rounds (reports/tna)
    for what, n in (("training needs analysis rounds", made["rounds"]),
                    ("training needs analysis returns", made["returns"])):
        if n:
            result.created[what] += n
    return result


def demo_summary():
    """What the demo partnership holds now, as lines to print."""
    partnership = Partnership.load()
    organisations = Organisation.objects.all()
    courses = Course.objects.all()
    waiting = OrganisationRequest.objects.filter(
        status=OrganisationRequest.Status.PENDING
    ).count()
    return [
        f"{partnership.name} ({partnership.short_name}), {partnership.contact_email}",
        f"{organisations.count()} organisations in "
        f"{organisations.order_by().values('sector').distinct().count()} sectors",
        f"{User.objects.count()} users ({len(data.LOGINS)} demo logins)",
        f"{Category.objects.count()} categories, {courses.count()} courses "
        f"({courses.filter(status=CourseStatus.LIVE).count()} live, "
        f"{courses.filter(status=CourseStatus.COMING_SOON).count()} coming soon)",
        f"{TrainingPoolMembership.objects.count()} Training Pool places",
        f"{waiting} organisation request(s) waiting for an officer",
        f"{MembershipRequest.objects.filter(status=MembershipRequest.Status.PENDING).count()} "
        "request(s) to join an organisation waiting for approval",
        demo_events_summary(now=timezone.now()),
        demo_bookings_summary(),
    ]
