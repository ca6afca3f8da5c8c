"""A few Training Checklist requirements for the demo partnership (the lead wires this into
load_demo). Idempotent: a requirement already there is left as it is (an officer may have
changed its note). Courses are found by their seed titles; one not in the demo is skipped."""

from accounts.models import StaffGroup
from courses.models import Audience, Course, Level

from ..models import ChecklistRequirement

# (staff group, course title or None, level, audience, note)
REQUIREMENTS = [
    (StaffGroup.GROUP_1, "Introduction to Safeguarding Adults Awareness", "", "",
     "Everyone with some contact with adults at risk."),
    (StaffGroup.GROUP_1, None, Level.LEVEL_1, "",
     "Any level 1 course: the e-learning modules are the quickest way."),
    (StaffGroup.GROUP_2, None, Level.LEVEL_1, "", "The foundation for level 2."),
    (StaffGroup.GROUP_2, None, Level.LEVEL_2, Audience.CHILDREN,
     "For staff working regularly with children (a joint course counts)."),
    (StaffGroup.GROUP_2, "Introduction to Domestic Abuse", "", "", ""),
    (StaffGroup.GROUP_3, None, Level.LEVEL_2, "", ""),
    (StaffGroup.GROUP_3, None, Level.LEVEL_3, "",
     "Designated safeguarding leads and managers of safeguarding practice."),
]


def checklist_demo_create():
    """Add the demo requirements that are not there yet; returns how many were added."""
    titles = {title for _, title, *_ in REQUIREMENTS if title}
    courses = {c.title: c for c in Course.objects.filter(title__in=titles)}
    added = 0
    for position, (group, title, level, audience, note) in enumerate(REQUIREMENTS, start=1):
        if title is not None and title not in courses:
            continue
        course = courses.get(title) if title else None
        _, created = ChecklistRequirement.objects.get_or_create(
            staff_group=group, course=course, level=level if course is None else "",
            audience=audience if course is None else "",
            defaults={"note": note, "position": position})
        added += created
    return added
