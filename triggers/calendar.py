"""Working days for the statutory limits (acknowledge in 5, panel in 28, ...).

A working day is Monday to Friday, not a bank holiday of England (or of Wales for a Welsh
partnership, from the ``holidays`` package, substitute days included) and not a closure day
the partnership configures. The start day never counts: day 1 is the first working day
after it (the Charnwood procedure's "within 5 working days of receipt").
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from triggers.config import REGIONS, CalendarConfig

FIRST_YEAR = 2000
LAST_YEAR = 2060


class WorkingDayCalendar:
    """Precomputed working days, so that each deadline costs a binary search, not a loop."""

    def __init__(self, region: str = "england", closure_days: Iterable[date] = ()) -> None:
        # Imported here, not with the module: it loads every country's calendar, and a caller
        # of english_date alone (the command line's output) needs none of them.
        import holidays

        self.region = region
        self.bank_holidays = holidays.country_holidays(
            "GB", subdiv=REGIONS[region], years=range(FIRST_YEAR, LAST_YEAR + 1)
        )
        self.closure_days = frozenset(closure_days)
        # Day numbers and a set rather than dates and the holiday object's own look-up: sixty
        # years of days in milliseconds, which every command that shows a deadline pays.
        days_off = {day.toordinal() for day in (*self.bank_holidays, *self.closure_days)}
        first, last = date(FIRST_YEAR, 1, 1).toordinal(), date(LAST_YEAR, 12, 31).toordinal()
        # Day number 1 (1 January of year 1) is a Monday: (number - 1) % 7 is the weekday.
        self._ordinals = [
            number
            for number in range(first, last + 1)
            if (number - 1) % 7 < 5 and number not in days_off
        ]

    @classmethod
    def from_config(cls, config: CalendarConfig) -> WorkingDayCalendar:
        return cls(config.region, config.closure_days)

    def _is_working(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.bank_holidays and day not in self.closure_days

    def _check_range(self, day: date) -> None:
        if not FIRST_YEAR <= day.year <= LAST_YEAR - 1:
            raise ValueError(
                f"{day.isoformat()} is outside the working-day calendar "
                f"({FIRST_YEAR} to {LAST_YEAR - 1})"
            )

    def is_working_day(self, day: date) -> bool:
        self._check_range(day)
        index = bisect.bisect_left(self._ordinals, day.toordinal())
        return index < len(self._ordinals) and self._ordinals[index] == day.toordinal()

    def add_working_days(self, start: date, days: int) -> date:
        """The date that is ``days`` working days after ``start`` (start itself never counts)."""
        if days < 0:
            raise ValueError("days must not be negative")
        self._check_range(start)
        if days == 0:
            return start
        index = bisect.bisect_right(self._ordinals, start.toordinal()) + days - 1
        return date.fromordinal(self._ordinals[index])

    def subtract_working_days(self, start: date, days: int) -> date:
        """The date that is ``days`` working days before ``start``."""
        if days < 0:
            raise ValueError("days must not be negative")
        self._check_range(start)
        if days == 0:
            return start
        index = bisect.bisect_left(self._ordinals, start.toordinal()) - days
        return date.fromordinal(self._ordinals[index])

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``; negative if end is earlier.

        This is the "working days left" shown beside a deadline: 0 on the day itself.
        """
        self._check_range(start)
        self._check_range(end)
        if end < start:
            return -self.working_days_between(end, start)
        low = bisect.bisect_right(self._ordinals, start.toordinal())
        high = bisect.bisect_right(self._ordinals, end.toordinal())
        return high - low

    def holidays_between(self, start: date, end: date) -> list[tuple[date, str]]:
        """Bank holidays and closure days on weekdays in a range, for showing to people."""
        days = [
            (day, name)
            for day, name in sorted(self.bank_holidays.items())
            if start <= day <= end and day.weekday() < 5
        ]
        days += [(day, "Closure day") for day in sorted(self.closure_days) if start <= day <= end]
        return sorted(days)

    def covers(self, year: int) -> bool:
        """Whether the holiday data knows the bank holidays of ``year`` (it needs New Year)."""
        return any(day.year == year for day in self.bank_holidays)


def english_date(day: date) -> str:
    """A date as people in England and Wales write it: Monday 28 April 2025."""
    if type(day) is date:  # not a datetime: two equal instants may fall on different days
        return _english_day(day)
    return f"{day:%A} {day.day} {day:%B %Y}"


@lru_cache(maxsize=8192)
def _english_day(day: date) -> str:
    # Kept once made: a page writes hundreds of dates, most of them the same few.
    return f"{day:%A} {day.day} {day:%B %Y}"


def welsh_date_text(cldr: str) -> str:
    """A Welsh date from Babel (CLDR writes "Dydd Llun 28 Ebrill 2025") as it stands inside a
    sentence, where casereview puts every date: "erbyn dydd Llun 28 Ebrill 2025"."""
    return "d" + cldr[1:] if cldr.startswith("Dydd ") else cldr


def welsh_on_date(text: str) -> str:
    """ "ar ddydd Llun 28 Ebrill 2025": "on" a Welsh date, with the soft mutation that "ar"
    asks of "dydd"."""
    text = welsh_date_text(text)
    return "ar d" + text if text.startswith("dydd ") else (f"ar {text}" if text else "")
