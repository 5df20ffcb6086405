"""The configuration together with the working-day calendar built from it.

Building the calendar reads sixty years of bank holidays, so it is built once per
configuration and shared, and only when something first asks for it: a command that only
needs today's date (`casereview stats`) does not pay for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from triggers.config import Config

if TYPE_CHECKING:
    from triggers.calendar import WorkingDayCalendar


@dataclass(frozen=True)
class Policy:
    config: Config

    @classmethod
    def from_config(cls, config: Config) -> Policy:
        return cls(config)

    @cached_property
    def calendar(self) -> WorkingDayCalendar:
        return _calendar(self.config.calendar.region, self.config.calendar.closure_days)

    def today(self, now: datetime) -> date:
        """The partnership's calendar date at the instant ``now``."""
        return now.astimezone(ZoneInfo(self.config.calendar.timezone)).date()


@lru_cache(maxsize=8)
def _calendar(region: str, closure_days: tuple[date, ...]) -> WorkingDayCalendar:
    from triggers.calendar import WorkingDayCalendar

    return WorkingDayCalendar(region, closure_days)
