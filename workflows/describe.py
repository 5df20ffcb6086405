"""A case as the API and the CLI show it: where it stands, what is due by when, what next.

Deadlines carry the working days left as well as the date, because "3 working days left"
is what a manager acts on; the threshold suggestion is shown with the rules that hold.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from triggers.models import AuditEvent, CaseReview, OutboxMessage
from triggers.policy import Policy
from triggers.statuses import OUTSTANDING, DeadlineStatus, OutboxStatus, agency_of
from workflows.case_agencies import proposed_agencies
from workflows.case_review import process_for
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


def describe_case(
    session: Session, case: CaseReview, policy: Policy, today: date
) -> dict[str, Any]:
    suggestion = threshold_suggestion(case, policy)
    process = process_for(case.workflow_version)
    # The clocks in the order of the case's own version of the procedure.
    order = {clock.key: index for index, clock in enumerate(process.clocks)}
    ordered = sorted(case.deadlines, key=lambda d: order[d.step])
    running = [d for d in ordered if d.status == DeadlineStatus.RUNNING]
    next_due = min(running, key=lambda d: d.due_on, default=None)
    history = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.case_id == case.id, AuditEvent.event != "viewed")
        .order_by(AuditEvent.id)
    )
    names = {link.agency.id: link.agency.name for link in case.agencies}
    names.update({rec.agency.id: rec.agency.name for rec in case.recommendations})
    messages = session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.case_id == case.id,
            OutboxMessage.status.not_in((OutboxStatus.DIGEST, OutboxStatus.DIGESTED)),
        )
        .order_by(OutboxMessage.id)
    )
    return {
        "reference": case.reference,
        "state": case.state,
        "version": case.version,
        "workflow_version": case.workflow_version,
        "partnership": case.partnership.name,
        "received_on": case.received_on.isoformat(),
        "acknowledged_on": _iso(case.acknowledged_on),
        "threshold_decided_on": _iso(case.threshold_decided_on),
        "findings_sent_on": _iso(case.findings_sent_on),
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
        "action_plan_shared_on": _iso(case.action_plan_shared_on),
        "victim_response": case.victim_response or None,
        "victim_responded_on": _iso(case.victim_responded_on),
        "agencies": [link.agency.name for link in case.agencies],
        #: Each agency on the case with its role and when its chronology was asked for.
        #: Agencies of the bodies the victim complained to, not yet on the case: an online
        #: application's proposals for the manager to confirm at acknowledgement (so only
        #: until the case is acknowledged).
        "proposed_agencies": (
            [agency.name for agency in proposed_agencies(session, case)]
            if case.state == process_for(case.workflow_version).initial
            else []
        ),
        "agency_roles": [
            {
                "agency": link.agency.name,
                "role": "lead" if link.agency_id == case.lead_agency_id else "involved",
                "chronology_requested_on": _iso(link.chronology_requested_on),
            }
            for link in sorted(case.agencies, key=lambda link: link.agency.name)
        ],
        "victim": _victim(case),
        "applicant": _applicant(case),
        "incidents": [_incident(incident) for incident in case.incidents],
        "deadlines": {d.step: d.due_on.isoformat() for d in ordered},
        "deadline_details": [
            {
                "step": d.step,
                "started_on": d.started_on.isoformat(),
                "due_on": d.due_on.isoformat(),
                "status": d.status,
                "ended_on": d.ended_on.isoformat() if d.ended_on else None,
                "original_due_on": d.original_due_on.isoformat() if d.original_due_on else None,
                "extension": (
                    {
                        "kind": d.extension_kind,
                        "reason": d.extension_reason,
                        "requested_by": d.extension_requested_by,
                        "agreed_on": d.extended_on.isoformat() if d.extended_on else None,
                    }
                    if d.original_due_on
                    else None
                ),
                "working_days_left": (
                    policy.calendar.working_days_between(today, d.due_on)
                    if d.status == DeadlineStatus.RUNNING
                    else None
                ),
                "overdue": d.status == DeadlineStatus.RUNNING and d.due_on < today,
            }
            for d in ordered
        ],
        "next_deadline": (
            {
                "step": next_due.step,
                "due_on": next_due.due_on.isoformat(),
                "working_days_left": policy.calendar.working_days_between(today, next_due.due_on),
            }
            if next_due
            else None
        ),
        "threshold_suggestion": {
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
        },
        "threshold_decisions": [
            {
                "decision": d.decision,
                "suggested_met": d.suggested_met,
                "rules_held": d.rules_held,
                "rationale": d.rationale,
                "decided_on": d.decided_on.isoformat(),
                "decided_by": d.decided_by,
            }
            for d in case.threshold_decisions
        ],
        "panels": [
            {
                "panel_on": p.panel_on.isoformat(),
                "starts_at": p.starts_at or None,
                "duration_minutes": p.duration_minutes,
                "location": p.location,
                "held_on": p.held_on.isoformat() if p.held_on else None,
                "attendees": p.attendees,
                "victim_attended": p.victim_attended,
                "representative_attended": p.representative_attended,
                "findings": p.findings,
            }
            for p in case.panels
        ],
        "recommendations": [
            {
                "id": r.id,
                "agency_id": r.agency_id,
                "agency": r.agency.name,
                "action": r.action,
                "due_on": r.due_on.isoformat(),
                "status": r.status,
                "agency_response": r.agency_response or None,
                "progress": r.progress or None,
                "closing_reason": r.closing_reason or None,
                "updated_on": _iso(r.updated_on),
                "late": r.status in OUTSTANDING and r.due_on < today,
            }
            for r in case.recommendations
        ],
        "themes": sorted({t.theme for t in case.themes}),
        "appeals": [
            {
                "received_on": a.received_on.isoformat(),
                "grounds": a.grounds,
                "outcome": a.outcome or None,
                "reason": a.reason,
                "decided_on": a.decided_on.isoformat() if a.decided_on else None,
            }
            for a in case.appeals
        ],
        "policing_body_reviews": [
            {
                "requested_on": r.requested_on.isoformat(),
                "grounds": r.grounds,
                "outcome": r.outcome or None,
                "reason": r.reason,
                "decided_on": r.decided_on.isoformat() if r.decided_on else None,
            }
            for r in case.policing_body_reviews
        ],
        "refusal_ground": case.refusal_ground or None,
        "chronology": [
            {
                "agency": entry.agency.name,
                "occurred_on": entry.occurred_on.isoformat(),
                "summary": entry.summary,
                "recorded_by": entry.recorded_by,
            }
            for entry in case.chronology
        ],
        "ended_on": case.ended_on.isoformat() if case.ended_on else None,
        "end_reason": case.end_reason or None,
        "early_close_agreed_on": _iso(case.early_close_agreed_on),
        "allowed_events": process.offered_events(case.state, policy.config, today),
        "messages": [
            {
                "id": message.id,
                "kind": message.kind,
                "recipient": message.recipient,
                "to": _recipient_label(message.recipient, names),
                "status": message.status,
                "attempts": message.attempts,
                "last_error": message.last_error or None,
                "sent_at": message.sent_at.isoformat() if message.sent_at else None,
            }
            for message in messages
        ],
        "history": [
            {
                "id": event.id,
                "at": event.at.isoformat(),
                "actor": event.actor,
                "event": event.event,
                "from_state": event.from_state or None,
                "to_state": event.to_state or None,
                "on": event.step_on.isoformat() if event.step_on else None,
                "data": event.data,
            }
            for event in history
        ],
    }


def _recipient_label(recipient: str, agency_names: dict[int, str]) -> str:
    if (agency_id := agency_of(recipient)) is not None:
        return agency_names.get(agency_id, "an agency")
    labels = {
        "applicant": "the applicant",
        # The copy of a letter by post sent to the applicant's e-mail address as well.
        "applicant_email": "the applicant (by e-mail)",
        "managers": "the managers",
        "manager": "the managers",
        "chair": "the CSP chair",
        "chairs": "the CSP chair",
        "appeal_body": "the appeal body",
    }
    return " and ".join(labels.get(part, part) for part in recipient.split(","))


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _victim(case: CaseReview) -> dict[str, Any]:
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


def _applicant(case: CaseReview) -> dict[str, Any]:
    a = case.applicant
    return {
        "on_behalf": a.on_behalf,
        "name": a.name,
        "relationship": a.relationship_to_victim,
        "consent_given_on": a.consent_given_on.isoformat() if a.consent_given_on else None,
        "email": a.email,
        "phone": a.phone,
        "address": a.address,
        "contact_preference": a.contact_preference,
    }


def _incident(incident: Any) -> dict[str, Any]:
    return {
        "occurred_on": incident.occurred_on.isoformat(),
        "description": incident.description,
        "location": incident.location,
        "hate_related": incident.is_hate_related,
        "complaints": [
            {
                "reported_on": c.reported_on.isoformat(),
                "reported_to": c.reported_to,
                "is_registered_provider": c.is_registered_provider,
                "reporter": c.reporter,
                "reference": c.reference,
            }
            for c in incident.complaints
        ],
    }
