"""What an imported step records where its live recorder (``workflows.steps``) needs what a
spreadsheet row of a past case lacks: a threshold decision's rationale and the rules'
suggestion (the row has no incidents), a review's recommendations with their agencies (the
row has only their number), the day an appeal was decided apart from the day it ended the
case, and the wording "(imported)" on an ending.

The process declaration names one of these on a step (``Imported.record``); a step whose
live recorder can record a row's facts as they are is replayed with it, and needs nothing
here. Each takes (case, the step's date, its input, the row's values by column).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from triggers.models import CaseReview, CaseTheme, ThresholdDecision
from workflows.process import ImportRecorder
from workflows.steps import REFUSAL_GROUNDS

#: Who decided a step recorded before casereview.
IMPORTED = "imported"
#: The column that gives the day a case closed, when a decision ended it without its own.
CLOSED_ON = "closed_on"


def decide_threshold(
    case: CaseReview, on: date, data: Mapping[str, Any], row: Mapping[str, Any]
) -> None:
    """The decision as the row gives it: the rules' suggestion is not known for a past case,
    so it is taken to agree."""
    case.threshold_decided_on = on
    case.threshold_decisions.append(
        ThresholdDecision(
            decision=data["decision"],
            suggested_met=data["decision"] == "met",
            rules_held=[],
            rationale="Decided before casereview; the reasons are in the original records.",
            decided_on=on,
            decided_by=IMPORTED,
        )
    )


def refuse_application(
    case: CaseReview, on: date, data: Mapping[str, Any], row: Mapping[str, Any]
) -> None:
    case.refusal_ground = data["ground"]
    case.ended_on = on
    case.end_reason = f"Application {REFUSAL_GROUNDS[data['ground']]} (imported)."


def record_review(
    case: CaseReview, on: date, data: Mapping[str, Any], row: Mapping[str, Any]
) -> None:
    """The review's number of recommendations (the figures count reviews with one or more)
    and its themes, without the actions themselves."""
    panel = case.panels[-1]
    panel.held_on, panel.recommendation_count = on, row.get("recommendations") or 0
    case.themes.extend(CaseTheme(panel=panel, theme=theme) for theme in row.get("themes") or [])


def decided(challenges: str, decided_on: str, words: str) -> ImportRecorder:
    """The recorder of a decision on a challenge (``challenges``: the case's appeals, its
    local policing body's reviews): its day is ``decided_on``'s (none when the row does not
    say), and "not upheld" ends the case on the day the row says it closed, else the step's."""

    def record(case: CaseReview, on: date, data: Mapping[str, Any], row: Mapping[str, Any]) -> None:
        challenge = getattr(case, challenges)[-1]
        challenge.outcome, challenge.decided_on = data["outcome"], row.get(decided_on)
        challenge.decided_by = IMPORTED if row.get(decided_on) else ""
        if data["outcome"] == "not_upheld":
            case.ended_on = row.get(CLOSED_ON) or on
            case.end_reason = f"{words} not upheld (imported)."

    return record


def close(case: CaseReview, on: date, data: Mapping[str, Any], row: Mapping[str, Any]) -> None:
    """The day it closed: the recommendations' progress and the applicant's agreement are in
    the original records."""
    case.ended_on = on
    case.end_reason = "Closed (imported)."
