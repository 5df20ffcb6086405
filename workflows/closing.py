"""Closing a case: the rule every channel meets, because it lives in the close step itself.

Closing while the appeal window is still open takes away the applicant's route of appeal
(Schedule 4 paragraph 3 of the 2014 Act), so it is refused unless the applicant's agreement
is recorded. Closing with the action plan's recommendations still open leaves the victim
with promises nobody tracks, so each open one needs a recorded reason: done, superseded, or
refused by its agency with the agency's response having had regard to it (s.104(8)-(9)).
Nothing closes a case on its own (the sweep only sends letters and reminders), so the pages,
the API, the command line and the demo all close through ``service.apply`` and this rule.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from triggers.calendar import english_date
from triggers.models import CaseReview, Recommendation
from triggers.statuses import OUTSTANDING, DeadlineStatus
from workflows import deadlines
from workflows.errors import InvalidData

if TYPE_CHECKING:  # the schemas (pydantic) are imported when a step is applied
    from workflows.schemas import CloseIn

#: Recommendations still to be carried out.
OPEN_STATUSES = frozenset(OUTSTANDING)


def appeal_window_open_until(case: CaseReview, on: date) -> date | None:
    """The last day of the appeal window if it is still open on ``on``, else None."""
    window = deadlines.find(case, "appeal_window")
    if window is not None and window.status == DeadlineStatus.RUNNING and on <= window.due_on:
        return window.due_on
    return None


def open_recommendations(case: CaseReview) -> list[Recommendation]:
    return [rec for rec in case.recommendations if rec.status in OPEN_STATUSES]


def close(session, case, event_in: CloseIn, on, actor, policy, outcome):  # type: ignore[no-untyped-def]
    """The close step's recorder: refuse what the rule forbids, then settle and end."""
    problems: dict[str, str] = {}
    window_ends = appeal_window_open_until(case, on)
    agreed = event_in.applicant_agreed_on
    if window_ends is not None and agreed is None:
        problems["applicant_agreed_on"] = (
            f"is required: the appeal window is open until {english_date(window_ends)}, and "
            "closing before then takes away the applicant's right to appeal (Schedule 4 "
            "paragraph 3). Record the day the applicant agreed to close early, or close "
            f"after {english_date(window_ends)}"
        )
    elif agreed is not None and agreed > on:
        problems["applicant_agreed_on"] = f"cannot be after the close ({english_date(on)})"

    by_id = {rec.id: rec for rec in case.recommendations}
    settled: dict[int, int] = {}
    for index, item in enumerate(event_in.recommendations):
        rec = by_id.get(item.id)
        if rec is None:
            problems[f"recommendations.{index}.id"] = (
                f"{item.id} is not one of this case's recommendations"
            )
        elif item.id in settled:
            problems[f"recommendations.{index}.id"] = f"{item.id} is given twice"
        else:
            settled[item.id] = index
    unsettled = [rec for rec in open_recommendations(case) if rec.id not in settled]
    if unsettled:
        listed = "; ".join(
            f"{rec.id} ({rec.agency.name}: {_short(rec.action)})" for rec in unsettled
        )
        problems["recommendations"] = (
            f"{len(unsettled)} recommendation(s) of the action plan are still open: {listed}. "
            "Give each a reason before closing: done, superseded (by what), or refused by the "
            "agency (with its 'have regard' response)"
        )
    if problems:
        raise InvalidData(problems)

    for item in event_in.recommendations:
        rec = by_id[item.id]
        rec.status = item.status
        rec.closing_reason = item.reason or rec.closing_reason
        rec.agency_response = item.agency_response or rec.agency_response
        rec.updated_on = on
    case.ended_on, case.end_reason = on, event_in.reason
    if window_ends is not None:
        case.early_close_agreed_on = agreed
    details: dict[str, object] = {}
    if window_ends is not None:
        details["appeal_window_ends_on"] = window_ends.isoformat()
    return details


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
