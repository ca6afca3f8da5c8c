"""The courses app's tasks on the home page (core.home): a delegate's refreshers due; the
officer's events this week, events with few bookings close to their date, courses due a
content review and expected dates that have passed; a safeguarding lead's staff due a
refresher. A fixed number of queries each."""

import calendar
import re
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.db.models import Exists, F, OuterRef
from django.urls import reverse

from accounts.home import holds
from accounts.roles import Role
from core.calendar import LONDON, add_working_days, london_date
from core.home import DELEGATE, OFFICER, SAFEGUARDING_LEAD, HomeItem, home_section

from .models import Completion, Course, CourseStatus, Event, EventStatus
from .policies import refresher_due_on

# "Events with few bookings close to their date": within this many working days and less
# than half full (places taken * 2 < places). Not a partnership setting (yet): a prompt to
# look, not a rule that decides anything.
FEW_BOOKINGS_WORKING_DAYS = 10


def _midnight(day):
    return datetime.combine(day, time(0), tzinfo=LONDON)


# Refreshers ----------------------------------------------------------------------------------

def refreshers_due(completions, *, today):
    """(user id, course id) of the completions that fall due again within the partnership's
    reminder period (the reminder email goes then) or already have, and have not been
    refreshed by a later completion of the same course. One query (plus the settings)."""
    from core.models import Partnership

    partnership = Partnership.load()
    horizon = today + timedelta(days=partnership.refresher_reminder_days)
    later = Completion.objects.filter(user=OuterRef("user"), course=OuterRef("course"),
                                      completed_on__gt=OuterRef("completed_on"))
    rows = (completions.filter(completed_on__lte=horizon - relativedelta(years=1))
            .filter(~Exists(later))
            .values_list("user_id", "course_id", "completed_on", "course__refresher_years"))
    due = set()
    for user_id, course_id, completed_on, years in rows:
        years = years or partnership.refresher_years
        if refresher_due_on(completed_on=completed_on, years=years) <= horizon:
            due.add((user_id, course_id))
    return due


@home_section(DELEGATE)
def delegate_refreshers(user, now):
    if not holds(user, Role.DELEGATE):
        return None
    due = refreshers_due(Completion.objects.filter(user=user), today=london_date(now))
    return [HomeItem(url=reverse("courses:training-record"), count=len(due),
                     singular="course due to be refreshed", plural="courses due to be refreshed",
                     details=("Safeguarding training is refreshed every few years: "
                              "take it again to keep your record up to date",), order=50)]


@home_section(SAFEGUARDING_LEAD)
def lead_staff_refreshers(user, now):
    if (not holds(user, Role.SAFEGUARDING_LEAD)
            or not user.has_perm("accounts.view_own_organisation_staff")):
        return None
    if not user.organisation_id:
        return []
    due = refreshers_due(
        Completion.objects.filter(user__organisation_id=user.organisation_id,
                                  user__is_active=True),
        today=london_date(now))
    people = len({user_id for user_id, _ in due})
    return [HomeItem(url=reverse("accounts:organisation-staff"), count=people,
                     singular="member of staff due a refresher",
                     plural="members of staff due a refresher", order=10)]


# L&D officer ---------------------------------------------------------------------------------

@home_section(OFFICER)
def officer_events(user, now):
    if not holds(user, Role.OFFICER) or not user.has_perm("courses.view_event"):
        return None
    today = london_date(now)
    programme = reverse("courses:manage-event-list")
    scheduled = Event.objects.filter(status=EventStatus.SCHEDULED)
    # This week: from today to the end of Sunday (London).
    week_end = _midnight(today + timedelta(days=7 - today.weekday()))
    this_week = scheduled.filter(start__gte=_midnight(today), start__lt=week_end).count()
    soon = _midnight(add_working_days(today, FEW_BOOKINGS_WORKING_DAYS) + timedelta(days=1))
    few = (scheduled.filter(start__gt=now, start__lt=soon)
           .filter(capacity__gt=F("places_taken") * 2).count())
    return [
        HomeItem(url=programme, count=this_week, singular="event this week",
                 plural="events this week", order=30),
        HomeItem(url=programme, count=few,
                 singular=f"event in the next {FEW_BOOKINGS_WORKING_DAYS} working days "
                          "less than half full",
                 plural=f"events in the next {FEW_BOOKINGS_WORKING_DAYS} working days "
                        "less than half full", order=50),
    ]


@home_section(OFFICER)
def officer_course_reviews(user, now):
    if not holds(user, Role.OFFICER) or not user.has_perm("courses.change_course"):
        return None
    from .selectors import courses_overdue_for_review_count

    count = courses_overdue_for_review_count(today=london_date(now))
    return [HomeItem(url=reverse("courses:manage-review"), count=count,
                     singular="course due a content review",
                     plural="courses due a content review", order=70)]


_DAY = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")
_MONTH = re.compile(r"^\s*([A-Za-z]+)\.?\s+(\d{4})\s*$")
_DAY_MONTH = re.compile(r"^\s*(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})\s*$")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): n for n, name in enumerate(calendar.month_abbr) if name})


def expected_last_day(text):
    """The last day a course "coming soon" is expected by, from what the officer typed
    ("26/06/2020", "2020-06-26", "26 June 2020", "August 2020", "Aug 2020", and the end of
    the year for other words with a year: "Summer 2020"); None for words that name no date
    ("Imminent", "TBC") or a date that does not exist."""
    try:
        if match := _DAY.match(text):
            d, m, y = (int(g) for g in match.groups())
            return date(y, m, d)
        if match := _ISO.match(text):
            y, m, d = (int(g) for g in match.groups())
            return date(y, m, d)
        if match := _DAY_MONTH.match(text):
            month = _month_number(match.group(2))
            if month is not None:
                return date(int(match.group(3)), month, int(match.group(1)))
        if match := _MONTH.match(text):
            month = _month_number(match.group(1))
            if month is not None:
                year = int(match.group(2))
                return date(year, month, calendar.monthrange(year, month)[1])
    except ValueError:
        return None
    # Any other words with a year ("Summer 2020", "Q3 2020", "06/2020", "2020"): the end of
    # the latest year named, so a year that has passed is never shown to the public.
    if years := _YEAR.findall(text):
        return date(max(int(y) for y in years), 12, 31)
    return None


def _month_number(word):
    """"June", "Jun", "Sept" -> 6, 6, 9; None for a word that is no month ("Summer")."""
    word = word.lower()
    return (_MONTHS.get(word) or _MONTHS.get(word[:3])) if len(word) >= 3 else None


@home_section(OFFICER)
def officer_expected_dates(user, now):
    if not holds(user, Role.OFFICER) or not user.has_perm("courses.change_course"):
        return None
    today = london_date(now)
    expected = (Course.objects.filter(active=True, status=CourseStatus.COMING_SOON)
                .exclude(expected="").values_list("expected", flat=True))
    count = sum(1 for text in expected
                if (last := expected_last_day(text)) is not None and last < today)
    return [HomeItem(url=reverse("courses:manage-course-list"), count=count,
                     singular="course coming soon whose expected date has passed",
                     plural="courses coming soon whose expected dates have passed", order=80)]
