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

from django.core.paginator import Paginator

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


def section_page(request, key, rows, per_page):
    """One page of `rows`, paged by its own query parameter (`?key=2`) so that several lists
    on one page (People, My training) page on their own; the links keep the other lists'
    pages and land on the list's heading (`#key`)."""
    page = Paginator(rows, per_page).get_page(request.GET.get(key))
    section = SectionPage(key=key, page=page)
    query = request.GET.copy()
    for attr, has, number in (("previous_url", page.has_previous, "previous_page_number"),
                              ("next_url", page.has_next, "next_page_number")):
        if has():
            query[key] = getattr(page, number)()
            setattr(section, attr, f"?{query.urlencode()}#{key}")
    return section


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
