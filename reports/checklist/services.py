"""Writes for the Training Checklist (officers) and a delegate's staff group (their
organisation's safeguarding lead, or an officer): one write per action, in a transaction,
audited."""

from django.db import transaction
from django.db.models import Max

from accounts.models import StaffGroup, User
from core.audit import audit_record
from core.audit_words import register_action_words
from core.exceptions import DomainError

from ..models import ChecklistRequirement
from . import policies

register_action_words({
    "checklist.add": "Training Checklist requirement added",
    "checklist.change": "Training Checklist requirement changed",
    "checklist.delete": "Training Checklist requirement deleted",
    "checklist.staff_group_set": "Staff group set by the safeguarding lead",
})

FIELDS = ("staff_group", "course", "level", "audience", "note")


def _check(*, requirement_id=None, staff_group, course, level, audience, **_):
    problem = policies.requirement_problem(course=course, level=level, audience=audience)
    if problem:
        field, message = problem
        raise DomainError(message, field=field)
    same = ChecklistRequirement.objects.filter(staff_group=staff_group)
    same = (same.filter(course=course) if course is not None
            else same.filter(course__isnull=True, level=level, audience=audience))
    if requirement_id is not None:
        same = same.exclude(pk=requirement_id)
    if same.exists():
        raise DomainError(f"{StaffGroup(staff_group).label[:7]} already has this requirement: "
                          "change that one instead", field="course" if course else "level")


def _details(requirement):
    return {"staff_group": requirement.staff_group,
            "course": requirement.course.title if requirement.course_id else "",
            "level": requirement.level, "audience": requirement.audience,
            "note": requirement.note}


@transaction.atomic
def requirement_create(*, by, staff_group, course=None, level="", audience="", note=""):
    fields = {"staff_group": staff_group, "course": course, "level": level or "",
              "audience": audience or "", "note": note or ""}
    _check(**fields)
    last = (ChecklistRequirement.objects.filter(staff_group=staff_group)
            .aggregate(last=Max("position"))["last"])
    requirement = ChecklistRequirement.objects.create(
        position=(last or 0) + 1, **fields)
    audit_record(actor=by, action="checklist.add", target=requirement,
                 details=_details(requirement))
    return requirement


@transaction.atomic
def requirement_update(*, requirement, by, staff_group, course=None, level="", audience="",
                       note=""):
    locked = ChecklistRequirement.objects.select_for_update().get(pk=requirement.pk)
    fields = {"staff_group": staff_group, "course": course, "level": level or "",
              "audience": audience or "", "note": note or ""}
    _check(requirement_id=locked.pk, **fields)
    before = _details(locked)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save()
    after = _details(locked)
    changes = {name: [before[name], after[name]] for name in before if before[name] != after[name]}
    audit_record(actor=by, action="checklist.change", target=locked, details=changes)
    return locked


@transaction.atomic
def requirement_delete(*, requirement, by):
    locked = ChecklistRequirement.objects.select_for_update().get(pk=requirement.pk)
    audit_record(actor=by, action="checklist.delete", target=locked, details=_details(locked))
    locked.delete()


@transaction.atomic
def staff_group_set(*, person, staff_group, by):
    """The organisation decides which staff group a member of staff is in (DDSCP: "it is the
    responsibility of each agency to decide which group a member of staff is placed in")."""
    locked = User.objects.select_for_update().get(pk=person.pk)
    if staff_group not in StaffGroup.values:
        raise DomainError("Select a staff group", field="staff_group")
    before = locked.staff_group
    if before == staff_group:
        return locked
    locked.staff_group = staff_group
    locked.save(update_fields=["staff_group"])
    audit_record(actor=by, action="checklist.staff_group_set", target=locked,
                 details={"staff_group": [before, staff_group]}, on_behalf_of=locked)
    return locked
