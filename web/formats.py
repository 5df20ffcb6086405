"""How the domain's typed values are written out, once for each channel: dates in English
for people (the pages, the PDFs), ISO 8601 for machines (the API's and the CLI's JSON).

The domain (``workflows.describe``) hands over ``date`` and ``datetime`` values; only what
comes out of a JSON column (an audit event's data) is still an ISO string, so the English
filter reads those too.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask.json.provider import DefaultJSONProvider

from triggers.calendar import english_date


def english(value: Any) -> str:
    """A date (or a time, or an ISO string from stored JSON) as people in England and Wales
    write it; nothing for nothing."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return english_date(value)


def iso(value: Any) -> str:
    """``json.dumps``'s ``default``: a date or a time as ISO 8601 (``2025-04-28``,
    ``2025-04-28T09:30:00+00:00``); anything else is not JSON."""
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


class IsoJSONProvider(DefaultJSONProvider):
    """Flask's JSON with dates as ISO 8601 (Flask's own writes them as HTTP dates), keys in
    the order the domain gives them."""

    sort_keys = False

    @staticmethod
    def default(o: Any) -> Any:
        if isinstance(o, date):
            return o.isoformat()
        return DefaultJSONProvider.default(o)
