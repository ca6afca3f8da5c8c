"""Sections other apps add to a person's page (People, for L&D officers), so that accounts never
imports them (STYLE.md: a higher app answers a lower one by registering; like
bookings/notices.py). The bookings app adds the person's bookings, waiting lists and training
record (bookings/people.py):

    from accounts.people import PersonSection, register_person_sections

    @register_person_sections
    def bookings_sections(*, person, viewer, now, paginate):
        return [PersonSection(key="upcoming", title="Coming up",
                              template="bookings/people/_upcoming.html",
                              context={"section": paginate("upcoming", rows)})]

`paginate(key, rows)` pages a list by its own query parameter (`?upcoming=2`) and returns a
`SectionPage` with the page and the links to the pages before and after. Sections are shown
in the order their providers registered, each under its own heading (`title`, id `key`)."""

from dataclasses import dataclass, field

_PROVIDERS = []


@dataclass(frozen=True)
class PersonSection:
    key: str  # the heading's id and the section's page parameter
    title: str
    template: str
    context: dict = field(default_factory=dict)


@dataclass
class SectionPage:
    key: str
    page: object
    previous_url: str = ""
    next_url: str = ""


def register_person_sections(func):
    """Add a provider of sections (usable as a decorator); registering twice keeps one."""
    if func not in _PROVIDERS:
        _PROVIDERS.append(func)
    return func


def person_sections(*, person, viewer, now, paginate):
    sections = []
    for func in list(_PROVIDERS):
        sections.extend(func(person=person, viewer=viewer, now=now, paginate=paginate) or [])
    return sections
