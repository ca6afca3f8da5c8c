"""The home page of tasks: what each role has waiting, as a count and a link.

A registry, so that core and accounts (which render the page) never import the apps above
them: each app registers its providers in its own `home.py`, imported from its
AppConfig.ready(). A provider takes (user, now) and returns None when the role does not
apply to the user, or a list of HomeItem (possibly empty: the role applies, nothing is
waiting). Items whose count is 0 are dropped: the page shows only what someone can act on.

Providers run a bounded number of queries each (counts and aggregates, never one per row);
tests/home asserts the total per role."""

from dataclasses import dataclass, field

# Section keys, in the order the page shows them.
DELEGATE = "delegate"
FACILITATOR = "facilitator"
OFFICER = "officer"
BUSINESS_SUPPORT = "business_support"
LOD_MEMBER = "lod_member"
SAFEGUARDING_LEAD = "safeguarding_lead"
FINANCE_CONTACT = "finance_contact"

SECTIONS = {
    DELEGATE: "Your training",
    FACILITATOR: "Delivering training",
    OFFICER: "Running the programme",
    BUSINESS_SUPPORT: "Business support",
    LOD_MEMBER: "LOD Group",
    SAFEGUARDING_LEAD: "Your organisation's staff",
    FINANCE_CONTACT: "Your organisation's account",
}


@dataclass(frozen=True)
class HomeItem:
    """One task: `count` things (None: not a count, e.g. the next event) and where to act.

    `singular`/`plural` follow the count ("1 offer", "2 offers"); `details` are short lines
    under the link (a date, a venue); `link_url`/`link_text` an extra link (a joining link)."""

    url: str
    singular: str
    plural: str = ""
    count: int | None = None
    details: tuple = ()
    link_url: str = ""
    link_text: str = ""
    order: int = 100

    @property
    def label(self):
        if self.count is None or self.count == 1:
            return self.singular
        return self.plural or self.singular

    @property
    def shown(self):
        return self.count is None or self.count > 0


@dataclass
class HomeSection:
    key: str
    title: str
    items: list = field(default_factory=list)


_providers = {key: [] for key in SECTIONS}


def home_section(key):
    """Register a provider for a section: `@home_section(OFFICER) def f(user, now): ...`.
    Registering the same function twice (a module imported again) keeps one."""
    if key not in SECTIONS:
        raise ValueError(f"Unknown home section {key!r}")

    def register(provider):
        name = f"{provider.__module__}.{provider.__qualname__}"
        providers = _providers[key]
        providers[:] = [p for p in providers
                        if f"{p.__module__}.{p.__qualname__}" != name]
        providers.append(provider)
        return provider

    return register


def home_sections(*, user, now):
    """The sections that apply to `user`, in page order, each with its items to show (an
    empty list: "Nothing waiting for you")."""
    sections = []
    for key, title in SECTIONS.items():
        applies, items = False, []
        for provider in _providers[key]:
            found = provider(user, now)
            if found is None:
                continue
            applies = True
            items.extend(item for item in found if item.shown)
        if applies:
            items.sort(key=lambda item: item.order)
            sections.append(HomeSection(key=key, title=title, items=items))
    return sections

