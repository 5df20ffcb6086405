"""Plain functions that build realistic inputs and cases; tests read like the procedure."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from triggers.models import CaseReview, Partnership
from triggers.policy import Policy
from workflows.service import Actor, apply, open_case

#: "Today" in most tests: Monday 1 December 2025, 10:00 in London.
SAMPLE_NOW = datetime(2025, 12, 1, 10, 0, tzinfo=UTC)
MANAGER = Actor(label="manager@example.org", role="manager")


def complaint(reported_on: date, reporter: str = "Jo Bloggs", to: str = "police") -> dict[str, Any]:
    return {
        "reported_on": reported_on.isoformat(),
        "reported_to": to,
        "reporter": reporter,
        "reference": "REF-1",
    }


def incident(
    occurred_on: date,
    *complaints: dict[str, Any],
    hate: bool = False,
    description: str = "Stones thrown at the window",
) -> dict[str, Any]:
    return {
        "occurred_on": occurred_on.isoformat(),
        "description": description,
        "hate_related": hate,
        "complaints": list(complaints),
    }


def three_incidents(received_on: date) -> list[dict[str, Any]]:
    """Three separate incidents, each complained about two days later: the Act's floor."""
    result = []
    for weeks in (12, 8, 4):
        occurred_on = received_on - timedelta(weeks=weeks)
        result.append(incident(occurred_on, complaint(occurred_on + timedelta(days=2))))
    return result


def application(
    received_on: date = date(2025, 11, 20),
    *,
    incidents: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "received_on": received_on.isoformat(),
        "victim": {
            "type": "individual",
            "name": "Alex Morgan",
            "email": "alex@example.org",
            "contact_preference": "email",
        },
        "applicant": {"on_behalf": False},
        "incidents": incidents if incidents is not None else three_incidents(received_on),
        "agencies": ["Leicestershire Police", "Charnwood Borough Council"],
        **extra,
    }


def one_incident(received_on: date) -> list[dict[str, Any]]:
    occurred_on = received_on - timedelta(weeks=3)
    return [incident(occurred_on, complaint(occurred_on + timedelta(days=1)))]


def new_case(
    session: Session,
    partnership: Partnership,
    policy: Policy,
    now: datetime = SAMPLE_NOW,
    **kwargs: Any,
) -> CaseReview:
    return open_case(session, partnership, application(**kwargs), MANAGER, now, policy)


#: The data each event needs, so a test can walk a case to any state.
EVENT_DATA: dict[str, dict[str, Any]] = {
    "acknowledge": {},
    "decide_threshold": {"decision": "met", "rationale": "Persistent harassment over months."},
    "schedule_panel": {"panel_on": "2025-12-01"},
    "record_review": {
        "findings": "Reports were not linked.",
        "victim_attended": True,
        "themes": ["inconsistent_recording"],
        "recommendations": [
            {
                "agency": "Leicestershire Police",
                "action": "Flag the address",
                "due_on": "2026-01-30",
            }
        ],
    },
    "send_findings": {},
    "appeal": {"grounds": "Relevant facts were not considered."},
    "decide_appeal": {"outcome": "not_upheld", "reason": "The review considered all facts."},
    "close": {"reason": "Action plan complete."},
    "withdraw": {"reason": "The applicant asked to withdraw."},
}


def event_data(case: CaseReview, event: str) -> dict[str, Any]:
    """EVENT_DATA for ``event`` on this case: a close carries the applicant's agreement (the
    window is open on the day of the findings) and settles each open recommendation."""
    data = {**EVENT_DATA[event]}
    if event == "close":
        agreed = case.findings_sent_on or case.threshold_decided_on
        if agreed is not None:
            data["applicant_agreed_on"] = agreed.isoformat()
        data["recommendations"] = [
            {"id": rec.id, "status": "done", "reason": "Carried out."}
            for rec in case.recommendations
            if rec.status in ("open", "in_progress")
        ]
    return data


#: A path of events from received to each state.
PATHS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "received": [],
    "acknowledged": [("acknowledge", {})],
    "threshold_met": [("acknowledge", {}), ("decide_threshold", {})],
    "threshold_not_met": [("acknowledge", {}), ("decide_threshold", {"decision": "not_met"})],
    "panel_scheduled": [("acknowledge", {}), ("decide_threshold", {}), ("schedule_panel", {})],
    "review_complete": [
        ("acknowledge", {}),
        ("decide_threshold", {}),
        ("schedule_panel", {}),
        ("record_review", {}),
    ],
    "findings_sent": [
        ("acknowledge", {}),
        ("decide_threshold", {}),
        ("schedule_panel", {}),
        ("record_review", {}),
        ("send_findings", {}),
    ],
    "appeal": [
        ("acknowledge", {}),
        ("decide_threshold", {}),
        ("schedule_panel", {}),
        ("record_review", {}),
        ("send_findings", {}),
        ("appeal", {}),
    ],
    "closed": [
        ("acknowledge", {}),
        ("decide_threshold", {}),
        ("schedule_panel", {}),
        ("record_review", {}),
        ("send_findings", {}),
        ("close", {}),
    ],
    "withdrawn": [("withdraw", {})],
}


def case_in_state(
    session: Session, partnership: Partnership, policy: Policy, state: str
) -> CaseReview:
    """A case walked to ``state`` through the real service (not-met cases get one incident)."""
    received_on = date(2025, 11, 20)
    incidents = one_incident(received_on) if state == "threshold_not_met" else None
    case = new_case(session, partnership, policy, received_on=received_on, incidents=incidents)
    for event, override in PATHS[state]:
        data = {**event_data(case, event), **override}
        apply(session, case, event, data, MANAGER, SAMPLE_NOW, policy)
    assert case.state == state
    return case


def at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)
