from datetime import date

import pytest

from triggers.calendar import WorkingDayCalendar, english_date


@pytest.fixture(scope="module")
def england() -> WorkingDayCalendar:
    return WorkingDayCalendar("england")


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # Thursday before Easter 2025: Good Friday and Easter Monday skipped.
        (date(2025, 4, 17), 5, date(2025, 4, 28)),
        # Across Christmas 2025 and New Year 2026.
        (date(2025, 12, 10), 28, date(2026, 1, 22)),
        (date(2025, 12, 23), 5, date(2026, 1, 2)),
        # Boxing Day 2026 is a Saturday: Monday 28 December is the substitute holiday.
        (date(2026, 12, 24), 1, date(2026, 12, 29)),
        (date(2026, 12, 23), 5, date(2027, 1, 4)),
        # Easter 2026: Good Friday 3 April, Easter Monday 6 April.
        (date(2026, 4, 1), 5, date(2026, 4, 10)),
        # Early May and spring bank holidays.
        (date(2025, 5, 2), 1, date(2025, 5, 6)),
        (date(2025, 5, 23), 1, date(2025, 5, 27)),
        # A Friday start: the weekend does not count.
        (date(2025, 6, 6), 1, date(2025, 6, 9)),
        # A Saturday start: day 1 is Monday.
        (date(2025, 6, 7), 1, date(2025, 6, 9)),
        (date(2025, 6, 2), 0, date(2025, 6, 2)),
    ],
)
def test_deadline_skips_weekends_and_bank_holidays(england, start, days, due):
    assert england.add_working_days(start, days) == due


def test_boxing_day_2026_substitute_is_not_a_working_day(england):
    assert not england.is_working_day(date(2026, 12, 28))
    assert england.is_working_day(date(2026, 12, 29))


def test_closure_days_are_skipped_too():
    closed = WorkingDayCalendar("england", [date(2025, 12, 29), date(2025, 12, 30)])
    assert closed.add_working_days(date(2025, 12, 24), 1) == date(2025, 12, 31)
    assert WorkingDayCalendar("england").add_working_days(date(2025, 12, 24), 1) == date(
        2025, 12, 29
    )


def test_wales_uses_welsh_bank_holidays():
    wales = WorkingDayCalendar("wales")
    assert not wales.is_working_day(date(2025, 8, 25))  # summer bank holiday
    assert wales.add_working_days(date(2025, 4, 17), 5) == date(2025, 4, 28)


def test_working_days_left_counts_like_the_deadline(england):
    start = date(2025, 4, 17)
    due = england.add_working_days(start, 5)
    assert england.working_days_between(start, due) == 5
    assert england.working_days_between(due, due) == 0
    assert england.working_days_between(date(2025, 4, 30), due) == -2


def test_subtract_is_the_inverse_of_add(england):
    for start in (date(2025, 4, 28), date(2026, 1, 22), date(2026, 12, 29)):
        for days in (1, 5, 28):
            back = england.subtract_working_days(start, days)
            assert england.add_working_days(back, days) == start


def test_holiday_data_covers_the_next_two_years(england):
    """Fails when the `holidays` pin is too old to know the coming years' bank holidays."""
    this_year = date.today().year
    for year in (this_year, this_year + 1, this_year + 2):
        assert england.covers(year), f"no bank holidays known for {year}: upgrade `holidays`"


def test_dates_outside_the_calendar_are_refused(england):
    with pytest.raises(ValueError, match="outside"):
        england.add_working_days(date(1999, 12, 1), 5)


def test_english_date():
    assert english_date(date(2025, 4, 28)) == "Monday 28 April 2025"
    assert english_date(date(2026, 1, 2)) == "Friday 2 January 2026"
