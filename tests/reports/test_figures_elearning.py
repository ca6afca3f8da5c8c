"""The e-learning section of the quarterly report (reports.figures.elearning) for a seeded
quarter, July to September 2026: completions and knowledge checks by module, against
hand-computed figures; the quarter before and after must not count."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Partnership
from courses.models import Audience, Completion, Format, KnowledgeCheckAttempt
from reports.figures import elearning
from reports.periods import Period
from tests.factories import CourseFactory, UserFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
QUARTER = Period(date(2026, 7, 1), date(2026, 9, 30), "July to September 2026")


def at(*args):
    return datetime(*args, tzinfo=LONDON)


def completed(user, course, on, source=Completion.Source.E_LEARNING):
    return Completion.objects.create(user=user, course=course, completed_on=on, source=source)


def attempt(user, course, when, passed):
    return KnowledgeCheckAttempt.objects.create(user=user, course=course, at=when,
                                                score=90 if passed else 40, passed=passed)


@pytest.fixture
def world(db):
    neglect = CourseFactory(title="Neglect module", format=Format.E_LEARNING,
                            audience=Audience.CHILDREN)
    online = CourseFactory(title="Online safety module", format=Format.E_LEARNING,
                           audience=Audience.ADULTS)
    CourseFactory(title="Adults at risk module", format=Format.E_LEARNING,
                  audience=Audience.ADULTS)  # nobody yet: a row of zeros
    classroom = CourseFactory(title="Level 3 workshop", format=Format.CLASSROOM)
    ann, bob, cat, dan = (UserFactory() for _ in range(4))
    # Completions: neglect 3 in the quarter (1 July and 30 September count), online 1.
    completed(ann, neglect, date(2026, 7, 1))
    completed(bob, neglect, date(2026, 8, 12))
    completed(cat, neglect, date(2026, 9, 30))
    completed(dan, online, date(2026, 9, 1))
    completed(dan, neglect, date(2026, 6, 30))  # the quarter before
    completed(dan, neglect, date(2026, 10, 1))  # the quarter after
    completed(ann, classroom, date(2026, 8, 1), source=Completion.Source.ATTENDANCE)
    # Knowledge checks: neglect: ann fails then passes, bob and cat pass = 4 attempts, 3
    # passed (75%), 3 delegates, 3 passed. Online: dan fails twice = 2 attempts, 0%.
    attempt(ann, neglect, at(2026, 7, 1, 0, 30), False)  # 30 June in UTC: still July
    attempt(ann, neglect, at(2026, 7, 1, 9, 0), True)
    attempt(bob, neglect, at(2026, 8, 12, 9, 0), True)
    attempt(cat, neglect, at(2026, 9, 30, 23, 30), True)  # 1 October in UTC... 30 September
    attempt(dan, online, at(2026, 9, 1, 9, 0), False)
    attempt(dan, online, at(2026, 9, 2, 9, 0), False)
    attempt(dan, neglect, at(2026, 6, 30, 23, 30), True)  # the quarter before
    attempt(dan, neglect, at(2026, 10, 1, 0, 10), True)  # the quarter after
    return {"users": [ann, bob, cat, dan], "neglect": neglect, "online": online}


def figures(period=QUARTER, audience=None, partnership=None):
    partnership = partnership or Partnership.load()
    return {t["key"]: t for t in elearning.tables(period, audience=audience,
                                                 partnership=partnership)}


def cells(tbl, label):
    return next(r["cells"] for r in tbl["rows"] if r["label"] == label)


def test_completions_by_module(world):
    done = figures()["elearning-completions"]
    assert [(r["label"], r["cells"]["completions"]) for r in done["rows"]] == [
        ("Adults at risk module", 0), ("Neglect module", 3), ("Online safety module", 1)]
    assert done["total"]["cells"] == {"completions": 4}
    assert done["columns"][0]["compare"] is True


def test_knowledge_check_pass_rate(world):
    checks = figures()["elearning-knowledge-checks"]
    assert cells(checks, "Neglect module") == {"attempts": 4, "passed": 3, "pass_rate": 0.75,
                                               "delegates": 3, "delegates_passed": 3}
    assert cells(checks, "Online safety module") == {
        "attempts": 2, "passed": 0, "pass_rate": 0.0, "delegates": 1, "delegates_passed": 0}
    assert cells(checks, "Adults at risk module")["pass_rate"] is None  # nothing to divide
    # 3 passed of 6 attempts.
    assert checks["total"]["cells"]["pass_rate"] == 0.5


def test_the_quarter_before_and_an_annual_part(world):
    before = Period(date(2026, 4, 1), date(2026, 6, 30), "April to June 2026")
    tables = figures(before)
    assert tables["elearning-completions"]["total"]["cells"] == {"completions": 1}
    assert tables["elearning-knowledge-checks"]["total"]["cells"]["attempts"] == 1
    adults = figures(audience=Audience.ADULTS)["elearning-completions"]
    assert [(r["label"], r["cells"]["completions"]) for r in adults["rows"]] == [
        ("Adults at risk module", 0), ("Online safety module", 1)]


def test_the_same_queries_for_ten_times_the_data(world):
    neglect = world["neglect"]

    def more(n):
        for _ in range(n):
            user = UserFactory()
            completed(user, neglect, date(2026, 8, 20))
            attempt(user, neglect, at(2026, 8, 20, 9, 0), True)

    partnership = Partnership.load()
    more(1)
    with CaptureQueriesContext(connection) as small:
        figures(partnership=partnership)
    more(10)
    with CaptureQueriesContext(connection) as large:
        tables = figures(partnership=partnership)
    assert len(large) == len(small) == 3
    assert cells(tables["elearning-completions"], "Neglect module")["completions"] == 3 + 11


def test_no_name_in_any_table(world):
    text = repr(elearning.tables(QUARTER, partnership=Partnership.load()))
    for user in world["users"]:
        assert user.last_name not in text and user.email not in text
