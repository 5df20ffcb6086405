"""The Act's periods "beginning with" a day, against dates worked out by hand.

Each row was counted on a calendar, not computed: the period ends the day before the
corresponding date, or on the last day of the month where there is no corresponding date
(Dodds v Walker [1981]; the README's "Periods of months" says why).
"""

from datetime import date

import pytest

from triggers.periods import last_day_of_months_beginning_with

ONE_MONTH = [
    (date(2026, 1, 10), date(2026, 2, 9)),
    (date(2026, 1, 28), date(2026, 2, 27)),
    # No 29, 30 or 31 February 2026: the period ends on the last day of February.
    (date(2026, 1, 29), date(2026, 2, 28)),
    (date(2026, 1, 31), date(2026, 2, 28)),
    (date(2028, 1, 31), date(2028, 2, 29)),
    (date(2028, 2, 29), date(2028, 3, 28)),
    (date(2026, 2, 28), date(2026, 3, 27)),
    (date(2025, 11, 30), date(2025, 12, 29)),
    (date(2025, 12, 31), date(2026, 1, 30)),
    (date(2026, 3, 31), date(2026, 4, 30)),
    (date(2026, 1, 1), date(2026, 1, 31)),
]

SIX_MONTHS = [
    (date(2026, 2, 10), date(2026, 8, 9)),
    (date(2025, 8, 31), date(2026, 2, 28)),
    (date(2027, 8, 31), date(2028, 2, 29)),
    (date(2026, 3, 31), date(2026, 9, 30)),
    (date(2026, 1, 1), date(2026, 6, 30)),
    (date(2025, 12, 31), date(2026, 6, 30)),
]

#: A local route's window in months (Oxford's three months for hate incidents).
THREE_MONTHS = [
    (date(2026, 1, 10), date(2026, 4, 9)),
    (date(2025, 11, 30), date(2026, 2, 28)),
    (date(2027, 11, 30), date(2028, 2, 29)),
]


@pytest.mark.parametrize(("first_day", "last_day"), ONE_MONTH)
def test_one_month_beginning_with_the_behaviour(first_day, last_day):
    assert last_day_of_months_beginning_with(first_day, 1) == last_day


@pytest.mark.parametrize(("first_day", "last_day"), SIX_MONTHS)
def test_six_months_beginning_with_the_complaint(first_day, last_day):
    assert last_day_of_months_beginning_with(first_day, 6) == last_day


@pytest.mark.parametrize(("first_day", "last_day"), THREE_MONTHS)
def test_a_local_routes_months_follow_the_same_rule(first_day, last_day):
    assert last_day_of_months_beginning_with(first_day, 3) == last_day


def test_a_period_of_no_months_is_refused():
    with pytest.raises(ValueError, match="at least one month"):
        last_day_of_months_beginning_with(date(2026, 1, 10), 0)
