"""The calendar part of the letters about a panel meeting (issue 20).

RFC 5546: an invitation is ``METHOD:REQUEST`` (a moved meeting is the same UID with a higher
SEQUENCE), a cancellation ``METHOD:CANCEL``; the personal feed (``web/calendar_page.py``)
shows the same UID and SEQUENCE, so a calendar keeps one entry per panel whichever way it
heard of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from triggers.config import Config
from triggers.models import CaseReview, OutboxMessage

# The letters' templates (Jinja) and the senders (smtplib) are imported when a calendar part
# is made: the process declaration imports this module for PANEL_NOTICES, and a command that
# only shows a case renders and sends nothing.
if TYPE_CHECKING:
    from notifications.senders import Attachment

#: The letters about a panel meeting, and the iCalendar method of the calendar part each
#: carries (RFC 5546): an invitation (or a moved meeting) and a cancellation.
PANEL_NOTICES = {"panel_invitation": "REQUEST", "panel_cancelled": "CANCEL"}


@dataclass(frozen=True)
class PanelTime:
    """When and where a panel meets, as its calendar entry says it."""

    id: int
    panel_on: date
    starts_at: str = ""
    duration_minutes: int = 90
    location: str = ""

    def as_payload(self) -> dict[str, Any]:
        return {**self.__dict__, "panel_on": self.panel_on.isoformat()}


def panel_uid(panel_id: int, reference: str) -> str:
    """The calendar entry's UID: the same in every invitation, cancellation and feed."""
    return f"panel-{panel_id}-{reference}@casereview"


def panel_of(case: CaseReview, row: OutboxMessage) -> PanelTime | None:
    """The panel a letter is about: the one kept in the letter's payload (a panel since
    taken off, by a reversed step), else the case's latest panel as it stands now."""
    if "panel" in row.payload:
        kept = row.payload["panel"]
        return PanelTime(**{**kept, "panel_on": date.fromisoformat(kept["panel_on"])})
    if not case.panels:
        return None
    panel = case.panels[-1]
    return PanelTime(
        panel.id, panel.panel_on, panel.starts_at, panel.duration_minutes, panel.location
    )


def calendar_part(
    case: CaseReview, row: OutboxMessage, config: Config, summary: str
) -> Attachment | None:
    """The ``invitation.ics`` a panel letter carries, titled ``summary`` (in the letter's
    languages); None for any other letter."""
    from notifications.letters import panel_invitation_ics
    from notifications.senders import Attachment

    method = PANEL_NOTICES.get(row.kind)
    panel = panel_of(case, row) if method else None
    if method is None or panel is None:
        return None
    return Attachment(
        "invitation.ics",
        f"text/calendar; method={method}",
        panel_invitation_ics(
            uid=panel_uid(panel.id, case.reference),
            summary=summary,
            panel_on=panel.panel_on,
            starts_at=panel.starts_at,
            duration_minutes=panel.duration_minutes,
            location=panel.location,
            organiser=config.mail.from_address,
            timezone=config.calendar.timezone,
            # The case's version only ever grows, and the feed shows the same: a later
            # message about the panel always outranks an earlier one.
            sequence=case.version,
            method=method,
        ),
    )
