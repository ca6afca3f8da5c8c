"""Reads for the Training Checklist and the organisation view, scoped to the user.

A safeguarding lead (reports.view_own_organisation_training) sees their own organisation only
(User.organisation), whatever the URL says; an officer (who keeps the checklist:
reports.view_checklistrequirement) may pick any organisation.

The organisation view reads the whole organisation in a fixed number of queries (the
settings, the requirements, the members, and each member's latest completion of each course)
and works out every delegate's state in Python (policies), so the summary counts, the status
filter and the page all agree, and a page of 5 delegates costs as many queries as one of 50."""

from dataclasses import dataclass, field

from django.db import connection

from accounts.models import Organisation, StaffGroup, User
from courses.models import Audience, Completion, Level

from ..models import ChecklistRequirement
from . import policies

OFFICER_PERMISSION = "reports.view_checklistrequirement"
LEAD_PERMISSION = "reports.view_own_organisation_training"
NO_STAFF_GROUP = "none"  # the staff-group filter's value for "Not set"


def checklist_requirements():
    """Every requirement, by staff group and position, with its course (one query)."""
    return ChecklistRequirement.objects.select_related("course").order_by(
        "staff_group", "position", "id")


def requirement_for_officer(*, user, pk):
    """One requirement for an officer who keeps the checklist; None for anyone else."""
    if not user.has_perm(OFFICER_PERMISSION):
        return None
    return checklist_requirements().filter(pk=pk).first()


def may_pick_organisation(user):
    return user.has_perm(OFFICER_PERMISSION)


def organisations_to_pick(user):
    """The organisations the user may look at: every active one for an officer, else their
    own."""
    if may_pick_organisation(user):
        return Organisation.objects.filter(active=True).order_by("name")
    if not user.organisation_id:
        return Organisation.objects.none()
    return Organisation.objects.filter(pk=user.organisation_id)


def organisation_for(*, user, pk=None):
    """The organisation the view shows. A lead: their own, whatever organisation the address
    names. An officer: the one named."""
    if may_pick_organisation(user):
        if pk in (None, ""):
            return None
        try:
            return Organisation.objects.filter(pk=int(pk)).first()
        except (TypeError, ValueError):
            return None
    if not user.has_perm(LEAD_PERMISSION) or not user.organisation_id:
        return None
    return Organisation.objects.filter(pk=user.organisation_id).first()


def rule_of(requirement):
    level_labels, audience_labels = dict(Level.choices), dict(Audience.choices)
    title = requirement.course.title if requirement.course_id else ""
    label = policies.requirement_label(course_title=title, level=requirement.level,
                                       audience=requirement.audience,
                                       level_labels=level_labels,
                                       audience_labels=audience_labels)
    return policies.Rule(id=requirement.pk, course_id=requirement.course_id, course_title=label,
                         level=requirement.level, audience=requirement.audience,
                         note=requirement.note)


def rules_by_staff_group():
    """{staff group: [Rule, ...]} in checklist order (one query)."""
    rules = {value: [] for value, _ in StaffGroup.choices}
    for requirement in checklist_requirements():
        rules.setdefault(requirement.staff_group, []).append(rule_of(requirement))
    return rules


@dataclass
class DelegateRow:
    person: User
    staff_group_label: str  # "" when not set
    states: list
    status: policies.DelegateStatus
    latest: policies.Done | None

    @property
    def status_label(self):
        return policies.DELEGATE_STATUS_LABELS[self.status]


@dataclass
class OrganisationTraining:
    organisation: Organisation
    rows: list  # DelegateRow, after the filters, by name
    counts: dict  # policies.summary_counts of the staff-group-filtered delegates
    rules: dict  # staff group -> [Rule]
    reminder_days: int
    staff_group_labels: dict = field(default_factory=dict)


def organisation_training(*, organisation, today, staff_group="", status=""):
    """Every active member of `organisation` with their state against the checklist. The
    staff-group filter narrows the summary and the rows; the status filter the rows only (so
    the counts still show how many are in each state). Four queries, whatever the size."""
    from core.models import Partnership

    partnership = Partnership.load()
    rules = rules_by_staff_group()
    labels = dict(StaffGroup.choices)
    members = (User.objects.filter(organisation=organisation, is_active=True)
               .only("id", "first_name", "last_name", "email", "job_title", "staff_group",
                     "organisation_id")
               .order_by("last_name", "first_name", "email", "id"))
    if staff_group == NO_STAFF_GROUP:
        members = members.filter(staff_group="")
    elif staff_group:
        members = members.filter(staff_group=staff_group)
    member_ids = members.values("id")
    members = list(members)
    # Each member's latest completion of each course: enough for the rules, which take the
    # latest matching completion. PostgreSQL picks them (DISTINCT ON); SQLite (`make run`)
    # cannot, so there the older ones are read and skipped here.
    done, seen = {}, set()
    latest_rows = (Completion.objects.filter(user__in=member_ids)
                   .order_by("user_id", "course_id", "-completed_on", "-id")
                   .values_list("user_id", "course_id", "course__title", "course__level",
                                "course__audience", "completed_on", "course__refresher_years"))
    if connection.features.can_distinct_on_fields:
        latest_rows = latest_rows.distinct("user_id", "course_id")
    for user_id, course_id, title, level, audience, completed_on, years in latest_rows:
        if (user_id, course_id) in seen:
            continue
        seen.add((user_id, course_id))
        done.setdefault(user_id, []).append(policies.Done(
            course_id=course_id, course_title=title, level=level, audience=audience,
            completed_on=completed_on, refresher_years=years))
    rows = []
    for member in members:
        completions = done.get(member.pk, [])
        states = [policies.requirement_state(
            rule, completions, today=today, reminder_days=partnership.refresher_reminder_days,
            default_years=partnership.refresher_years)
            for rule in rules.get(member.staff_group, [])] if member.staff_group else []
        latest = max(completions, key=lambda d: (d.completed_on, d.course_id), default=None)
        rows.append(DelegateRow(
            person=member, staff_group_label=labels.get(member.staff_group, ""),
            states=states, latest=latest,
            status=policies.delegate_status(has_staff_group=bool(member.staff_group),
                                            states=states)))
    counts = policies.summary_counts(row.status for row in rows)
    if status:
        rows = [row for row in rows if row.status == status]
    return OrganisationTraining(organisation=organisation, rows=rows, counts=counts,
                                rules=rules, reminder_days=partnership.refresher_reminder_days,
                                staff_group_labels=labels)


def member_for_staff_group(*, user, pk):
    """A person whose staff group the user may set: an officer who changes accounts, anyone
    active; a safeguarding lead, an active member of their own organisation only (another
    organisation's person: None, so 404)."""
    people = User.objects.filter(is_active=True).only(
        "id", "first_name", "last_name", "email", "job_title", "staff_group", "organisation_id")
    if user.has_perm("accounts.change_user"):
        return people.filter(pk=pk).first()
    if user.has_perm(LEAD_PERMISSION) and user.organisation_id:
        return people.filter(pk=pk, organisation_id=user.organisation_id).first()
    return None
