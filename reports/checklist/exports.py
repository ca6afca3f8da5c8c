"""The organisation view as a spreadsheet (CSV and XLSX through core.exports): one row per
delegate and requirement (a delegate with no staff group, or none required, has one row), for
the whole filtered organisation, not just the page shown."""

from django.utils.text import slugify

from . import policies

COLUMNS = ["Name", "Email", "Job title", "Staff group", "Overall", "Requirement", "Status",
           "Due again on", "Met by", "Completed on", "Latest training", "Latest completed on"]

REQUIREMENT_WORDS = {
    policies.RequirementStatus.MET: "Met",
    policies.RequirementStatus.DUE_SOON: "Due a refresher",
    policies.RequirementStatus.OVERDUE: "Overdue",
    policies.RequirementStatus.NOT_COMPLETED: "Not completed",
}


def organisation_rows(rows):
    for row in rows:
        person, latest = row.person, row.latest
        head = [person.get_full_name() or person.email, person.email, person.job_title,
                row.staff_group_label[:7] if row.staff_group_label else "Not set",
                row.status_label]
        tail = [latest.course_title if latest else None,
                latest.completed_on if latest else None]
        if not row.states:
            yield [*head, None, None, None, None, None, *tail]
            continue
        for state in row.states:
            yield [*head, state.rule.course_title, REQUIREMENT_WORDS[state.status],
                   state.due_on, state.met_by.course_title if state.met_by else None,
                   state.met_by.completed_on if state.met_by else None, *tail]


def export_filename(organisation, today):
    return f"training-records-{slugify(organisation.name) or organisation.pk}-{today.isoformat()}"
