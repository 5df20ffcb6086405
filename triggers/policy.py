"""The configuration together with the working-day calendar built from it.

Building the calendar reads sixty years of bank holidays, so it is built once per
configuration and shared.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from triggers.calendar import WorkingDayCalendar
from triggers.config import Config


@dataclass(frozen=True)
class Policy:
    config: Config
    calendar: WorkingDayCalendar

    @classmethod
    def from_config(cls, config: Config) -> Policy:
        return cls(config, _calendar(config.calendar.region, config.calendar.closure_days))

    def today(self, now: datetime) -> date:
        """The partnership's calendar date at the instant ``now``."""
        return now.astimezone(ZoneInfo(self.config.calendar.timezone)).date()


@lru_cache(maxsize=8)
def _calendar(region: str, closure_days: tuple[date, ...]) -> WorkingDayCalendar:
    return WorkingDayCalendar(region, closure_days)
