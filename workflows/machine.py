"""The process's state machine and names, as the rest of the code has always read them.

Everything here is derived from the one declaration, ``workflows/case_review.py``; the
state and event names are part of the API.
"""

from __future__ import annotations

from typing import Any

from workflows.case_review import (
    ACKNOWLEDGED,
    APPEAL,
    CASE_REVIEW,
    CLOSED,
    FINDINGS_SENT,
    PANEL_SCHEDULED,
    RECEIVED,
    REVIEW_COMPLETE,
    THRESHOLD_MET,
    THRESHOLD_NOT_MET,
    WITHDRAWN,
)

__all__ = [
    "ACKNOWLEDGED",
    "APPEAL",
    "CLOSED",
    "EVENTS",
    "FINAL_STATES",
    "FINDINGS_SENT",
    "MACHINE",
    "OPEN_STATES",
    "PANEL_SCHEDULED",
    "RECEIVED",
    "REVIEW_COMPLETE",
    "STATES",
    "THRESHOLD_MET",
    "THRESHOLD_NOT_MET",
    "TRANSITIONS",
    "WITHDRAWN",
    "allowed_events",
    "fire",
    "mermaid_diagram",
]

STATES = CASE_REVIEW.state_names
FINAL_STATES = CASE_REVIEW.final_states
OPEN_STATES = CASE_REVIEW.open_states
#: The process table: (event, from, to, conditions), derived from the declaration.
TRANSITIONS: list[dict[str, Any]] = CASE_REVIEW.transitions
EVENTS = CASE_REVIEW.events
MACHINE = CASE_REVIEW.machine


def allowed_events(state: str) -> list[str]:
    """The events a case in ``state`` accepts, in the order of the procedure."""
    return CASE_REVIEW.allowed_events(state)


def fire(case: Any, event: str, **data: Any) -> bool:
    """Move ``case`` (anything with a ``state``) by ``event``; False if no condition held."""
    return CASE_REVIEW.fire(case, event, **data)


def mermaid_diagram() -> str:
    """The process as Mermaid text, generated from the declaration (for the README)."""
    return CASE_REVIEW.mermaid_diagram()
