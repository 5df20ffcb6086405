"""The statutory process as a state machine (Charnwood procedure; Home Office guidance).

received → acknowledged (5 working days) → threshold met / not met → panel scheduled
(within 28 working days of the decision) → review complete → findings sent (with appeal
rights) → appeal → upheld: a fresh review, or not upheld: closed. Any open case may be
withdrawn. The state names are part of the API.

One module-level Machine; rows are never bound to it (binding leaks and slows down past
thousands of rows): ``fire(case, event, **data)`` triggers the event on the row directly.
"""

from __future__ import annotations

from typing import Any

from transitions import EventData, Machine

RECEIVED = "received"
ACKNOWLEDGED = "acknowledged"
THRESHOLD_MET = "threshold_met"
THRESHOLD_NOT_MET = "threshold_not_met"
PANEL_SCHEDULED = "panel_scheduled"
REVIEW_COMPLETE = "review_complete"
FINDINGS_SENT = "findings_sent"
APPEAL = "appeal"
CLOSED = "closed"
WITHDRAWN = "withdrawn"

STATES = [
    RECEIVED,
    ACKNOWLEDGED,
    THRESHOLD_MET,
    THRESHOLD_NOT_MET,
    PANEL_SCHEDULED,
    REVIEW_COMPLETE,
    FINDINGS_SENT,
    APPEAL,
    CLOSED,
    WITHDRAWN,
]
FINAL_STATES = frozenset({CLOSED, WITHDRAWN})
OPEN_STATES = [state for state in STATES if state not in FINAL_STATES]


def _decision_is_met(event: EventData) -> bool:
    return event.kwargs.get("decision") == "met"


def _decision_is_not_met(event: EventData) -> bool:
    return event.kwargs.get("decision") == "not_met"


def _appeal_upheld(event: EventData) -> bool:
    return event.kwargs.get("outcome") == "upheld"


def _appeal_not_upheld(event: EventData) -> bool:
    return event.kwargs.get("outcome") == "not_upheld"


#: The process table: (event, from, to, conditions). Read it as the procedure.
TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": "acknowledge", "source": RECEIVED, "dest": ACKNOWLEDGED},
    {
        "trigger": "decide_threshold",
        "source": ACKNOWLEDGED,
        "dest": THRESHOLD_MET,
        "conditions": [_decision_is_met],
    },
    {
        "trigger": "decide_threshold",
        "source": ACKNOWLEDGED,
        "dest": THRESHOLD_NOT_MET,
        "conditions": [_decision_is_not_met],
    },
    {"trigger": "schedule_panel", "source": THRESHOLD_MET, "dest": PANEL_SCHEDULED},
    {"trigger": "schedule_panel", "source": PANEL_SCHEDULED, "dest": PANEL_SCHEDULED},
    {"trigger": "record_review", "source": PANEL_SCHEDULED, "dest": REVIEW_COMPLETE},
    {"trigger": "send_findings", "source": REVIEW_COMPLETE, "dest": FINDINGS_SENT},
    {"trigger": "appeal", "source": [FINDINGS_SENT, THRESHOLD_NOT_MET], "dest": APPEAL},
    {
        "trigger": "decide_appeal",
        "source": APPEAL,
        "dest": THRESHOLD_MET,
        "conditions": [_appeal_upheld],
    },
    {
        "trigger": "decide_appeal",
        "source": APPEAL,
        "dest": CLOSED,
        "conditions": [_appeal_not_upheld],
    },
    {"trigger": "close", "source": [FINDINGS_SENT, THRESHOLD_NOT_MET], "dest": CLOSED},
    {"trigger": "withdraw", "source": OPEN_STATES, "dest": WITHDRAWN},
]

EVENTS = list(dict.fromkeys(t["trigger"] for t in TRANSITIONS))

MACHINE = Machine(
    model=None,
    states=STATES,
    transitions=TRANSITIONS,
    initial=RECEIVED,
    auto_transitions=False,
    send_event=True,
    ignore_invalid_triggers=False,
)


def allowed_events(state: str) -> list[str]:
    """The events a case in ``state`` accepts, in the order of the procedure."""
    available = set(MACHINE.get_triggers(state))
    return [name for name in EVENTS if name in available]


def fire(case: Any, event: str, **data: Any) -> bool:
    """Move ``case`` (anything with a ``state``) by ``event``; False if no condition held."""
    return bool(MACHINE.events[event].trigger(case, **data))


def mermaid_diagram() -> str:
    """The process as Mermaid text, generated from the table above (for the README)."""
    lines = ["stateDiagram-v2", f"    [*] --> {RECEIVED}"]
    for transition in TRANSITIONS:
        sources = transition["source"]
        sources = [sources] if isinstance(sources, str) else sources
        label = transition["trigger"]
        conditions = transition.get("conditions", [])
        if conditions:
            label += " (" + conditions[0].__name__.removeprefix("_").replace("_", " ") + ")"
        if transition["trigger"] == "withdraw":
            lines.append(f"    note right of {WITHDRAWN}: withdraw from any open state")
            continue
        for source in sources:
            lines.append(f"    {source} --> {transition['dest']}: {label}")
    lines += [f"    {CLOSED} --> [*]", f"    {WITHDRAWN} --> [*]"]
    return "\n".join(lines)
