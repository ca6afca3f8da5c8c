"""reports.periods: financial-year quarters, comparisons and labels (pure: no database)."""

from datetime import date

import pytest

from reports.periods import (
    Period,
    comparisons,
    financial_year_containing,
    first_working_day_after,
    last_complete_quarter,
    period,
    previous_period,
    previous_quarter,
    quarter_containing,
    same_period_year_before,
)


@pytest.mark.parametrize(("day", "start", "end", "label"), [
    (date(2026, 4, 1), date(2026, 4, 1), date(2026, 6, 30), "April to June 2026"),
    (date(2026, 9, 30), date(2026, 7, 1), date(2026, 9, 30), "July to September 2026"),
    (date(2026, 12, 25), date(2026, 10, 1), date(2026, 12, 31), "October to December 2026"),
    (date(2027, 2, 28), date(2027, 1, 1), date(2027, 3, 31), "January to March 2027"),
])
def test_quarters_run_from_april_by_default(day, start, end, label):
    assert quarter_containing(day) == Period(start, end, label)


def test_quarters_follow_the_financial_year_start_month():
    # A year from January: calendar quarters.
    assert quarter_containing(date(2026, 5, 5), 1).label == "April to June 2026"
    # A year from November: November to January crosses the year.
    q = quarter_containing(date(2027, 1, 10), 11)
    assert (q.start, q.end, q.label) == (date(2026, 11, 1), date(2027, 1, 31),
                                         "November 2026 to January 2027")
    assert quarter_containing(date(2026, 10, 31), 11).label == "August to October 2026"


def test_financial_year_labels():
    assert financial_year_containing(date(2026, 4, 1)).label == "April 2026 to March 2027"
    assert financial_year_containing(date(2027, 3, 31)).label == "April 2026 to March 2027"
    assert financial_year_containing(date(2026, 3, 31)).label == "April 2025 to March 2026"
    assert financial_year_containing(date(2026, 7, 1), 1).label == "January to December 2026"


def test_previous_quarter_and_year_before():
    q = quarter_containing(date(2026, 8, 1))
    assert previous_quarter(q).label == "April to June 2026"
    assert same_period_year_before(q).label == "July to September 2025"
    q1 = quarter_containing(date(2026, 5, 1))
    assert previous_quarter(q1) == Period(date(2026, 1, 1), date(2026, 3, 31),
                                          "January to March 2026")
    year = financial_year_containing(date(2026, 6, 1))
    assert previous_period(year).label == "April 2025 to March 2026"
    assert same_period_year_before(year).label == "April 2025 to March 2026"


def test_a_quarter_ending_in_february_keeps_the_month_end_a_year_earlier():
    q = quarter_containing(date(2028, 2, 1), 12)  # December 2027 to February 2028 (leap)
    assert q.end == date(2028, 2, 29)
    assert same_period_year_before(q) == Period(date(2026, 12, 1), date(2027, 2, 28),
                                                "December 2026 to February 2027")


def test_custom_periods_compare_with_the_same_length_before_and_a_year_earlier():
    p = period(date(2026, 7, 10), date(2026, 7, 19))  # 10 days
    assert p.label == "Friday 10 July 2026 to Sunday 19 July 2026"
    before = previous_period(p)
    assert (before.start, before.end) == (date(2026, 6, 30), date(2026, 7, 9))
    year = same_period_year_before(p)
    assert (year.start, year.end) == (date(2025, 7, 10), date(2025, 7, 19))
    assert period(date(2026, 7, 1), date(2026, 7, 31)).label == "July 2026"
    with pytest.raises(ValueError):
        period(date(2026, 7, 2), date(2026, 7, 1))


def test_last_complete_quarter():
    assert last_complete_quarter(date(2026, 10, 1)).label == "July to September 2026"
    assert last_complete_quarter(date(2026, 9, 30)).label == "April to June 2026"
    assert last_complete_quarter(date(2026, 4, 2)).label == "January to March 2026"
    assert last_complete_quarter(date(2026, 2, 1), 1).label == "October to December 2025"


def test_first_working_day_after_a_quarter_skips_weekends_and_bank_holidays():
    # 31 December 2026 is a Thursday; 1 January 2027 a bank holiday; then the weekend.
    assert first_working_day_after(quarter_containing(date(2026, 11, 1))) == date(2027, 1, 4)
    # 30 September 2026 is a Wednesday.
    assert first_working_day_after(quarter_containing(date(2026, 8, 1))) == date(2026, 10, 1)
    # 31 March 2029 is a Saturday; 2 April 2029 is Easter Monday.
    assert first_working_day_after(quarter_containing(date(2029, 2, 1))) == date(2029, 4, 3)


def test_a_year_is_compared_with_the_year_before_once():
    year = financial_year_containing(date(2026, 6, 1))
    assert [(k, p.label) for k, p in comparisons(year)] == [
        ("previous", "April 2025 to March 2026")]
    q = quarter_containing(date(2026, 8, 1))
    assert [(k, p.label) for k, p in comparisons(q)] == [
        ("previous", "April to June 2026"), ("year_before", "July to September 2025")]
