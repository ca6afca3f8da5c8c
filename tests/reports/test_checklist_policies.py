"""The Training Checklist's rules (reports.checklist.policies), on hand-picked dates: which
completion meets a requirement, when it falls due again, due a refresher, overdue."""

from datetime import date

from reports.checklist.policies import (
    DelegateStatus,
    Done,
    RequirementState,
    RequirementStatus,
    Rule,
    delegate_status,
    meets,
    requirement_problem,
    requirement_state,
    summary_counts,
)

COURSE_RULE = Rule(id=1, course_id=10, course_title="Safer Recruitment", level="", audience="")
LEVEL_2_CHILDREN = Rule(id=2, course_id=None, course_title="Any Level 2 course (children)",
                        level="2", audience="children")
LEVEL_1 = Rule(id=3, course_id=None, course_title="Any Level 1 course", level="1", audience="")


def done(course_id=10, *, level="2", audience="joint", on=date(2024, 5, 10), years=None,
         title="Course"):
    return Done(course_id=course_id, course_title=title, level=level, audience=audience,
                completed_on=on, refresher_years=years)


def state(rule, completions, today):
    return requirement_state(rule, completions, today=today, reminder_days=30, default_years=3)


def test_a_completion_of_the_course_meets_it_until_three_years_later():
    # Completed 10 May 2024, refreshed every 3 years (the partnership's): due 10 May 2027.
    result = state(COURSE_RULE, [done()], date(2026, 11, 30))
    assert result.status == RequirementStatus.MET
    assert result.due_on == date(2027, 5, 10)


def test_within_the_reminder_days_it_is_due_a_refresher():
    # 10 April 2027 + 30 days = 10 May 2027: the last day of the reminder period.
    assert state(COURSE_RULE, [done()], date(2027, 4, 10)).status == RequirementStatus.DUE_SOON
    # 9 April + 30 days = 9 May: the due date is after the period, still met.
    assert state(COURSE_RULE, [done()], date(2027, 4, 9)).status == RequirementStatus.MET


def test_on_its_due_date_and_after_it_is_overdue():
    assert state(COURSE_RULE, [done()], date(2027, 5, 10)).status == RequirementStatus.OVERDUE
    assert state(COURSE_RULE, [done()], date(2028, 1, 1)).status == RequirementStatus.OVERDUE
    assert state(COURSE_RULE, [done()], date(2027, 5, 9)).status == RequirementStatus.DUE_SOON


def test_the_courses_own_refresher_years_win_over_the_partnerships():
    result = state(COURSE_RULE, [done(years=1)], date(2025, 1, 1))
    assert result.due_on == date(2025, 5, 10)
    assert result.status == RequirementStatus.MET


def test_another_course_does_not_meet_a_course_requirement():
    result = state(COURSE_RULE, [done(course_id=11)], date(2025, 1, 1))
    assert result == RequirementState(rule=COURSE_RULE, status=RequirementStatus.NOT_COMPLETED)


def test_any_course_at_the_level_and_audience_meets_a_level_requirement():
    assert meets(LEVEL_2_CHILDREN, done(11, level="2", audience="children"))
    assert meets(LEVEL_2_CHILDREN, done(12, level="2", audience="joint"))  # children and adults
    assert not meets(LEVEL_2_CHILDREN, done(13, level="2", audience="adults"))
    assert not meets(LEVEL_2_CHILDREN, done(14, level="3", audience="children"))
    assert meets(LEVEL_1, done(15, level="1", audience="adults"))
    assert not meets(LEVEL_1, done(16, level="all", audience="adults"))


def test_the_latest_due_date_of_the_matching_completions_decides():
    old = done(11, level="2", audience="children", on=date(2020, 1, 6), title="Old one")
    new = done(12, level="2", audience="joint", on=date(2025, 3, 3), title="New one")
    other = done(13, level="2", audience="adults", on=date(2026, 1, 1), title="Adults only")
    result = state(LEVEL_2_CHILDREN, [old, other, new], date(2026, 11, 30))
    assert (result.status, result.due_on, result.met_by.course_title) == (
        RequirementStatus.MET, date(2028, 3, 3), "New one")


def test_a_delegate_is_as_good_as_their_worst_requirement():
    def states(*statuses):
        return [RequirementState(rule=COURSE_RULE, status=s) for s in statuses]

    met, soon, late, never = (RequirementStatus.MET, RequirementStatus.DUE_SOON,
                              RequirementStatus.OVERDUE, RequirementStatus.NOT_COMPLETED)
    assert delegate_status(has_staff_group=True, states=states(met, met)) == \
        DelegateStatus.UP_TO_DATE
    assert delegate_status(has_staff_group=True, states=states(met, soon)) == \
        DelegateStatus.DUE_SOON
    assert delegate_status(has_staff_group=True, states=states(soon, late)) == \
        DelegateStatus.OVERDUE
    assert delegate_status(has_staff_group=True, states=states(late, never, met)) == \
        DelegateStatus.NOT_COMPLETED
    assert delegate_status(has_staff_group=True, states=[]) == DelegateStatus.UP_TO_DATE
    assert delegate_status(has_staff_group=False, states=[]) == DelegateStatus.NO_STAFF_GROUP


def test_summary_counts_every_status():
    counts = summary_counts([DelegateStatus.DUE_SOON, DelegateStatus.DUE_SOON,
                             DelegateStatus.NOT_COMPLETED])
    assert counts["delegates"] == 3
    assert counts[DelegateStatus.DUE_SOON] == 2
    assert counts[DelegateStatus.NOT_COMPLETED] == 1
    assert counts[DelegateStatus.UP_TO_DATE] == 0


def test_a_requirement_names_a_course_or_a_level_not_neither_nor_both():
    assert requirement_problem(course=None, level="", audience="") == (
        "course", "Select a course or a level")
    assert requirement_problem(course=object(), level="2", audience="") == (
        "level", "Select a course or a level, not both")
    assert requirement_problem(course=object(), level="", audience="children")[0] == "audience"
    assert requirement_problem(course=None, level="2", audience="children") is None
    assert requirement_problem(course=object(), level="", audience="") is None
