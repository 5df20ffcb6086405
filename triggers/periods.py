"""Periods of calendar months "beginning with" a day, as the Act counts them.

Section 104(10)-(11) of the Anti-social Behaviour, Crime and Policing Act 2014 speaks of "the
period of one month beginning with" the day of the behaviour and of "six months beginning
with" the day of the complaint. "Beginning with" puts the first day inside the period, so the
period ends on the day *before* the corresponding date (the date with the same number N
months later: *Dodds v Walker* [1981] 1 WLR 1027, HL; *Zoan v Rouamba* [2000] 1 WLR 1509,
CA, for "beginning with"). Where the last month has no corresponding date (31 January to
February; 31 August six months on), the period ends on the last day of that month, as
*Dodds v Walker* holds; one rule for every window, the Act's and the local routes'.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from dateutil.relativedelta import relativedelta


# Pure and called for every complaint of every case a dashboard lists (the threshold's
# suggestion), where relativedelta's arithmetic was a quarter of the page: kept.
@lru_cache(maxsize=8192)
def last_day_of_months_beginning_with(first_day: date, months: int) -> date:
    """The last day of the period of ``months`` calendar months beginning with ``first_day``.

    10 January, one month: 9 February. 31 January 2026, one month: 28 February (no 31
    February, so the month's last day). 10 February, six months: 9 August.
    """
    if months < 1:
        raise ValueError("a period of months needs at least one month")
    same_day_later = first_day + relativedelta(months=months)
    if same_day_later.day != first_day.day:
        # relativedelta clipped to the month's end: no corresponding date exists.
        return same_day_later
    return same_day_later - timedelta(days=1)
