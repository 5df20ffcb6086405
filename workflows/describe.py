"""A case as the API and the CLI show it: where it stands, what is due by when, what next.

Deadlines carry the working days left as well as the date, because "3 working days left"
is what a manager acts on; the threshold suggestion is shown with the rules that hold.
"""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

from sqlalchemy import Select, bindparam, inspect, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from triggers.models import AuditEvent, CaseAgency, CaseReview, Deadline, OutboxMessage
from triggers.policy import Policy
from triggers.statuses import OUTSTANDING, Audience, DeadlineStatus, OutboxStatus, agency_of
from workflows import permissions
from workflows.case_agencies import proposed_agencies
from workflows.case_review import process_for
from workflows.dashboard import Viewer
from workflows.description import (
    AgencyRole,
    Appeal,
    Applicant,
    CaseDescription,
    ChronologyEntry,
    DeadlineDetail,
    HistoryEntry,
    Incident,
    Message,
    NextDeadline,
    Panel,
    PolicingBodyReview,
    Recommendation,
    Suggestion,
    ThresholdDecision,
    Victim,
)
from workflows.service import threshold_suggestion

#: The single rows a description reads besides the case (its partnership, victim, applicant
#: and lead agency): ``query.options(*DESCRIBE_LOADS)`` brings them in the case's own query
#: instead of a query each when the page or the answer is built.
DESCRIBE_LOADS = (
    joinedload(CaseReview.partnership),
    joinedload(CaseReview.victim),
    joinedload(CaseReview.applicant),
    joinedload(CaseReview.lead_agency),
)


def case_to_describe(session: Session, reference: str, viewer: Viewer) -> CaseReview | None:
    """The case with that reference, with ``DESCRIBE_LOADS``, if ``viewer`` may see it."""
    return case_seen_by(session, reference, viewer, DESCRIBE_LOADS)


def case_seen_by(
    session: Session, reference: str, viewer: Viewer, loads: tuple[Any, ...] = ()
) -> CaseReview | None:
    """The case with that reference, with the loader options ``loads``, if ``viewer`` may
    see it.

    The statement is built once per role and set of loads, its values bound at execution
    (as ``workflows.service.case_for_a_step``): built per request, the cache key of a query
    with four joined loads was computed again on every read of the case page and the API."""
    values = {
        "reference": reference,
        "partnership_id": viewer.partnership_id,
        "agency_id": viewer.agency_id,
    }
    return session.execute(_seen_by_statement(viewer.role, loads), values).unique().scalar()


@functools.cache
def _seen_by_statement(role: str, loads: tuple[Any, ...]) -> Select[tuple[CaseReview]]:
    """Roles are the few the accounts hold; ``loads`` the module constants callers pass."""
    query = select(CaseReview).where(CaseReview.reference == bindparam("reference"))
    query = permissions.visible_to(
        query,
        partnership_id=bindparam("partnership_id"),  # type: ignore[arg-type]
        role=role,
        agency_id=bindparam("agency_id"),  # type: ignore[arg-type]
    )
    return query.options(*loads)


#: The case's collections a description reads, each a query of its own when first read.
DESCRIBED_COLLECTIONS = (
    "deadlines",
    "incidents",
    "agencies",
    "threshold_decisions",
    "panels",
    "recommendations",
    "themes",
    "appeals",
    "policing_body_reviews",
    "chronology",
)
#: Which of them hold rows, in one statement: most cases have reached few steps, so most of
#: their collections are empty, and an empty one need not be asked for on its own.
_HOLDING_ROWS = select(*(getattr(CaseReview, name).any() for name in DESCRIBED_COLLECTIONS)).where(
    CaseReview.id == bindparam("case_id")
)


def describe_case(
    session: Session, case: CaseReview, policy: Policy, today: date
) -> CaseDescription:
    """Everything the API, the CLI and the case page show of ``case`` as of ``today``, as
    typed values: each channel formats the dates its own way."""
    _know_empty_collections(session, case)
    process = process_for(case.workflow_version)
    # The clocks in the order of the case's own version of the procedure.
    order = {clock.key: index for index, clock in enumerate(process.clocks)}
    ordered = sorted(case.deadlines, key=lambda d: order[d.step])
    return {
        **_facts(session, case, process.initial),  # type: ignore[typeddict-item]
        "incidents": [_incident(incident) for incident in case.incidents],
        "deadlines": {d.step: d.due_on for d in ordered},
        "deadline_details": [_deadline(d, policy, today) for d in ordered],
        "next_deadline": _next_deadline(ordered, policy, today),
        "threshold_suggestion": _suggestion(threshold_suggestion(case, policy)),
        "threshold_decisions": [_decision(d) for d in case.threshold_decisions],
        "panels": [_panel(p) for p in case.panels],
        "recommendations": [_recommendation(r, today) for r in case.recommendations],
        "themes": sorted({t.theme for t in case.themes}),
        "appeals": [_appeal(a) for a in case.appeals],
        "policing_body_reviews": [_review(r) for r in case.policing_body_reviews],
        "refusal_ground": case.refusal_ground or None,
        "chronology": [_chronology_entry(entry) for entry in case.chronology],
        "ended_on": case.ended_on,
        "end_reason": case.end_reason or None,
        "early_close_agreed_on": case.early_close_agreed_on,
        "allowed_events": process.offered_events(case.state, policy.config, today),
        "messages": _messages(session, case),
        "history": _history(session, case),
    }


def _know_empty_collections(session: Session, case: CaseReview) -> None:
    """Mark the case's described collections that hold no row as loaded and empty, asking
    one statement instead of one each (the ten lazy loads were a sixth of a closed case's
    page). Only for a case read as it is stored: rows a step added and not yet flushed
    are not in the database to be found."""
    state = inspect(case)
    unloaded = state.unloaded
    if state.modified or session.new or sum(n in unloaded for n in DESCRIBED_COLLECTIONS) < 2:
        return
    holding = session.execute(_HOLDING_ROWS, {"case_id": case.id}).one()
    for name, has_rows in zip(DESCRIBED_COLLECTIONS, holding, strict=True):
        if not has_rows and name in unloaded:
            set_committed_value(case, name, [])


def _facts(session: Session, case: CaseReview, initial: str) -> dict[str, Any]:
    """The case's own facts, its people and its agencies (the description's first part)."""
    return {
        "reference": case.reference,
        "state": case.state,
        "version": case.version,
        "workflow_version": case.workflow_version,
        "partnership": case.partnership.name,
        "received_on": case.received_on,
        "acknowledged_on": case.acknowledged_on,
        "threshold_decided_on": case.threshold_decided_on,
        "findings_sent_on": case.findings_sent_on,
        "channel": case.channel,
        "ward": case.ward,
        "single_point_of_contact": case.single_point_of_contact,
        "dissatisfaction": case.dissatisfaction,
        "correspondence_language": case.correspondence_language or None,
        "hate_related": case.is_hate_related,
        "youth_asb": case.is_youth_asb,
        "lead_agency": case.lead_agency.name if case.lead_agency else None,
        "involvement_level": case.involvement_level or None,
        "panel_attendance": case.panel_attendance or None,
        "action_plan_shared_on": case.action_plan_shared_on,
        "victim_response": case.victim_response or None,
        "victim_responded_on": case.victim_responded_on,
        "agencies": [link.agency.name for link in case.agencies],
        "proposed_agencies": (
            [agency.name for agency in proposed_agencies(session, case)]
            if case.state == initial
            else []
        ),
        "agency_roles": [
            _agency_role(link, case) for link in sorted(case.agencies, key=lambda x: x.agency.name)
        ],
        "victim": _victim(case),
        "applicant": _applicant(case),
    }


def _agency_role(link: CaseAgency, case: CaseReview) -> AgencyRole:
    return {
        "agency": link.agency.name,
        "role": "lead" if link.agency_id == case.lead_agency_id else "involved",
        "chronology_requested_on": link.chronology_requested_on,
    }


def _deadline(d: Deadline, policy: Policy, today: date) -> DeadlineDetail:
    running = d.status == DeadlineStatus.RUNNING
    return {
        "step": d.step,
        "started_on": d.started_on,
        "due_on": d.due_on,
        "status": d.status,
        "ended_on": d.ended_on,
        "original_due_on": d.original_due_on,
        "extension": (
            {
                "kind": d.extension_kind,
                "reason": d.extension_reason,
                "requested_by": d.extension_requested_by,
                "agreed_on": d.extended_on,
            }
            if d.original_due_on
            else None
        ),
        "working_days_left": (
            policy.calendar.working_days_between(today, d.due_on) if running else None
        ),
        "overdue": running and d.due_on < today,
    }


def _next_deadline(ordered: list[Deadline], policy: Policy, today: date) -> NextDeadline | None:
    """The running clock that comes due first: what the case waits for."""
    running = [d for d in ordered if d.status == DeadlineStatus.RUNNING]
    next_due = min(running, key=lambda d: d.due_on, default=None)
    if next_due is None:
        return None
    return {
        "step": next_due.step,
        "due_on": next_due.due_on,
        "working_days_left": policy.calendar.working_days_between(today, next_due.due_on),
    }


def _suggestion(suggestion: Any) -> Suggestion:
    return {
        "met": suggestion.met,
        "statutory_floor_met": suggestion.statutory_floor_met,
        "rules_held": suggestion.rules_held,
        "rules": [
            {
                "name": rule.name,
                "held": rule.held,
                "statutory": rule.statutory,
                "explanation": rule.explanation,
            }
            for rule in suggestion.rules
        ],
    }


def _decision(d: Any) -> ThresholdDecision:
    return {
        "decision": d.decision,
        "suggested_met": d.suggested_met,
        "rules_held": d.rules_held,
        "rationale": d.rationale,
        "decided_on": d.decided_on,
        "decided_by": d.decided_by,
    }


def _panel(p: Any) -> Panel:
    return {
        "panel_on": p.panel_on,
        "starts_at": p.starts_at or None,
        "duration_minutes": p.duration_minutes,
        "location": p.location,
        "held_on": p.held_on,
        "attendees": p.attendees,
        "victim_attended": p.victim_attended,
        "representative_attended": p.representative_attended,
        "findings": p.findings,
    }


def _recommendation(r: Any, today: date) -> Recommendation:
    return {
        "id": r.id,
        "agency_id": r.agency_id,
        "agency": r.agency.name,
        "action": r.action,
        "due_on": r.due_on,
        "status": r.status,
        "agency_response": r.agency_response or None,
        "progress": r.progress or None,
        "closing_reason": r.closing_reason or None,
        "updated_on": r.updated_on,
        "late": r.status in OUTSTANDING and r.due_on < today,
    }


def _appeal(a: Any) -> Appeal:
    return {
        "received_on": a.received_on,
        "grounds": a.grounds,
        "outcome": a.outcome or None,
        "reason": a.reason,
        "decided_on": a.decided_on,
    }


def _review(r: Any) -> PolicingBodyReview:
    return {
        "requested_on": r.requested_on,
        "grounds": r.grounds,
        "outcome": r.outcome or None,
        "reason": r.reason,
        "decided_on": r.decided_on,
    }


def _chronology_entry(entry: Any) -> ChronologyEntry:
    return {
        "agency": entry.agency.name,
        "occurred_on": entry.occurred_on,
        "summary": entry.summary,
        "recorded_by": entry.recorded_by,
    }


# The two statements below are built once and run with the case's id bound: built on every
# page, their construction and cache key cost as much as running them.
#: A case's letters and e-mails: the columns shown, not the rows as objects (their payloads
#: are never shown here).
_MESSAGES = (
    select(
        OutboxMessage.id,
        OutboxMessage.kind,
        OutboxMessage.recipient,
        OutboxMessage.status,
        OutboxMessage.attempts,
        OutboxMessage.last_error,
        OutboxMessage.sent_at,
    )
    .where(
        OutboxMessage.case_id == bindparam("case_id"),
        OutboxMessage.status.not_in((OutboxStatus.DIGEST, OutboxStatus.DIGESTED)),
    )
    .order_by(OutboxMessage.id)
)
#: A case's audit events but its views: the columns shown, not the events as objects
#: (nothing here is changed or followed). Read through ``HISTORY_INDEX``, which holds no
#: view, so that a case seen a thousand times reads as fast as one seen once.
_HISTORY = (
    select(
        AuditEvent.id,
        AuditEvent.at,
        AuditEvent.actor,
        AuditEvent.event,
        AuditEvent.from_state,
        AuditEvent.to_state,
        AuditEvent.step_on,
        AuditEvent.data,
    )
    .where(AuditEvent.case_id == bindparam("case_id"), AuditEvent.event != "viewed")
    .order_by(AuditEvent.id)
)


def _messages(session: Session, case: CaseReview) -> list[Message]:
    """The case's letters and e-mails (not the rows folded into a digest)."""
    names = {link.agency.id: link.agency.name for link in case.agencies}
    names.update({rec.agency.id: rec.agency.name for rec in case.recommendations})
    messages = session.execute(_MESSAGES, {"case_id": case.id})
    return [
        {
            "id": message.id,
            "kind": message.kind,
            "recipient": message.recipient,
            "to": recipient_label(message.recipient, names),
            "status": message.status,
            "attempts": message.attempts,
            "last_error": message.last_error or None,
            "sent_at": message.sent_at,
        }
        for message in messages
    ]


def _history(session: Session, case: CaseReview) -> list[HistoryEntry]:
    """The case's audit events, oldest first, without the views of it."""
    events = session.execute(_HISTORY, {"case_id": case.id})
    return [
        {
            "id": event.id,
            "at": event.at,
            "actor": event.actor,
            "event": event.event,
            "from_state": event.from_state or None,
            "to_state": event.to_state or None,
            "on": event.step_on,
            "data": event.data,
        }
        for event in events
    ]


#: How the case page names who a letter went to: one recipient a letter's audience names
#: (``Audience``; a group's rows name each agency), and the role words of the managers' own
#: rows (``Recipients``: "managers", the escalation's "managers,chairs").
RECIPIENT_LABELS: dict[str, str] = {
    Audience.APPLICANT: "the applicant",
    # The copy of a letter by post sent to the applicant's e-mail address as well.
    Audience.APPLICANT_EMAIL: "the applicant (by e-mail)",
    Audience.CHAIR: "the CSP chair",
    Audience.APPEAL_BODY: "the appeal body",
    Audience.MANAGER: "the managers",
    Audience.POLICING_BODY: "the local policing body",
    "managers": "the managers",
    "chairs": "the CSP chair",
}


def recipient_label(recipient: str, agency_names: dict[int, str]) -> str:
    """Who an outbox row of a case is for, in words. An agency by its name; a word with no
    label is a gap in RECIPIENT_LABELS (the consistency test walks every audience), never
    shown raw."""
    if (agency_id := agency_of(recipient)) is not None:
        return agency_names.get(agency_id, "an agency")
    return " and ".join(RECIPIENT_LABELS[part] for part in recipient.split(","))


def _victim(case: CaseReview) -> Victim:
    v = case.victim
    return {
        "type": v.type,
        "name": v.name,
        "address": v.address,
        "postcode": v.postcode,
        "email": v.email,
        "phone": v.phone,
        "contact_preference": v.contact_preference,
        "accessibility_needs": v.accessibility_needs,
        "language": v.language,
        "is_vulnerable": v.is_vulnerable,
        "is_repeat_victim": v.is_repeat_victim,
    }


def _applicant(case: CaseReview) -> Applicant:
    a = case.applicant
    return {
        "on_behalf": a.on_behalf,
        "name": a.name,
        "relationship": a.relationship_to_victim,
        "consent_given_on": a.consent_given_on,
        "email": a.email,
        "phone": a.phone,
        "address": a.address,
        "contact_preference": a.contact_preference,
    }


def _incident(incident: Any) -> Incident:
    return {
        "occurred_on": incident.occurred_on,
        "description": incident.description,
        "location": incident.location,
        "hate_related": incident.is_hate_related,
        "complaints": [
            {
                "reported_on": c.reported_on,
                "reported_to": c.reported_to,
                "is_registered_provider": c.is_registered_provider,
                "reporter": c.reporter,
                "reference": c.reference,
            }
            for c in incident.complaints
        ],
    }
