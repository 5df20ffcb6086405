"""Incidents and complaints added to an open case after it was logged.

An agency's chronology often reveals an incident the application left out, or that the
victim reported one incident to several bodies; the threshold counts what the Act and the
local routes count (one incident reported to three bodies is one incident; three people
about one incident is a local route), so the suggestion is worked out again and the manager
told when it changes. A fact already recorded is corrected instead
(``workflows.corrections``), with a reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from triggers.models import CaseReview, Complaint, Incident
from triggers.policy import Policy
from workflows import permissions
from workflows.errors import InvalidData
from workflows.schemas import AddComplaintIn, AddIncidentIn, parse
from workflows.service import Actor, change_beside, check_version, require_allowed
from workflows.steps import threshold_suggestion


def add_incident(
    session: Session,
    case: CaseReview,
    data: Mapping[str, Any],
    actor: Actor,
    now: datetime,
    policy: Policy,
) -> list[str]:
    """Add one incident (with its complaints); returns what the manager should know."""
    permissions.require(actor, permissions.ADD_INCIDENT)
    values = parse(AddIncidentIn, dict(data))
    check_version(case, values.version)
    require_allowed(case, "add_incident")
    problems = {}
    if values.occurred_on > case.received_on:
        problems["occurred_on"] = "is after the application was received"
    for index, complaint in enumerate(values.complaints):
        if complaint.reported_on > case.received_on:
            problems[f"complaints.{index}.reported_on"] = "is after the application was received"
    if problems:
        raise InvalidData(problems)
    before = threshold_suggestion(case, policy).met
    case.incidents.append(
        Incident(
            occurred_on=values.occurred_on,
            description=values.description,
            location=values.location,
            is_hate_related=values.hate_related,
            complaints=[Complaint(**c.model_dump()) for c in values.complaints],
        )
    )
    case.is_hate_related = case.is_hate_related or values.hate_related
    return _recorded(
        session,
        case,
        actor,
        now,
        policy,
        "add_incident",
        before,
        {
            "occurred_on": values.occurred_on.isoformat(),
            "complaints": len(values.complaints),
            "reason": values.reason,
        },
    )


def add_complaint(
    session: Session,
    case: CaseReview,
    data: Mapping[str, Any],
    actor: Actor,
    now: datetime,
    policy: Policy,
) -> list[str]:
    """Add a complaint about an incident already on the case (another body it was reported
    to, or another person who complained about it)."""
    permissions.require(actor, permissions.ADD_INCIDENT)
    values = parse(AddComplaintIn, dict(data))
    check_version(case, values.version)
    require_allowed(case, "add_complaint")
    if values.incident >= len(case.incidents):
        raise InvalidData(
            {"incident": f"the case has {len(case.incidents)} incident(s), numbered from 0"}
        )
    incident = case.incidents[values.incident]
    if values.reported_on < incident.occurred_on:
        raise InvalidData({"reported_on": "is before the incident happened"})
    if values.reported_on > case.received_on:
        raise InvalidData({"reported_on": "is after the application was received"})
    before = threshold_suggestion(case, policy).met
    complaint = values.model_dump(exclude={"incident", "reason", "version"})
    incident.complaints.append(Complaint(**complaint))
    return _recorded(
        session,
        case,
        actor,
        now,
        policy,
        "add_complaint",
        before,
        {
            "incident_on": incident.occurred_on.isoformat(),
            "reported_to": values.reported_to,
            "reported_on": values.reported_on.isoformat(),
            "reason": values.reason,
        },
    )


def _recorded(
    session: Session,
    case: CaseReview,
    actor: Actor,
    now: datetime,
    policy: Policy,
    event: str,
    suggested_before: bool,
    details: dict[str, Any],
) -> list[str]:
    after = threshold_suggestion(case, policy).met
    change_beside(
        session,
        case,
        event,
        actor,
        now,
        policy.today(now),
        {**details, "suggestion": {"before": suggested_before, "after": after}},
    )
    if after != suggested_before:
        return [f"The rules now suggest the threshold is {'met' if after else 'not met'}."]
    return [f"The rules still suggest the threshold is {'met' if after else 'not met'}."]
