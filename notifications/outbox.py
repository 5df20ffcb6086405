"""Who is told what at each step, written to the outbox in the same transaction as the step.

The statutory process is a chain of letters: acknowledgement, the threshold outcome (a
"not met" letter explains the appeal route), the panel invitation (the victim may send a
representative), the findings with the appeal rights, the appeal outcome, and the closure
letter saying when and why the case closes (2025 statutory guidance). Writing the rows in
the step's own transaction means a letter is never lost and never sent for a step that was
rolled back; the senders (a later part) deliver them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from triggers.models import CaseAgency, CaseReview, OutboxMessage, Recommendation

APPLICANT = "applicant"
#: The applicant's e-mail address whatever way they chose to be contacted: the confirmation
#: of an online application goes there at once (a letter would arrive after the
#: acknowledgement itself).
APPLICANT_EMAIL = "applicant_email"
CHAIR = "chair"
MANAGER = "manager"
ALL_AGENCIES = "agencies"
RECOMMENDATION_OWNERS = "recommendation_owners"

#: event (with outcome) → [(kind of message, to whom)].
MESSAGES: dict[str, list[tuple[str, str]]] = {
    "acknowledge": [("acknowledgement", APPLICANT), ("chronology_request", ALL_AGENCIES)],
    "decide_threshold:met": [("threshold_met", APPLICANT)],
    "decide_threshold:not_met": [("threshold_not_met", APPLICANT)],
    "schedule_panel": [("panel_invitation", APPLICANT), ("panel_invitation", ALL_AGENCIES)],
    "record_review": [],
    "share_action_plan": [("action_plan_draft", APPLICANT)],
    "send_findings": [("findings", APPLICANT), ("action_plan", RECOMMENDATION_OWNERS)],
    "appeal": [("appeal_received", APPLICANT), ("appeal_referral", CHAIR)],
    "decide_appeal:upheld": [("appeal_outcome", APPLICANT)],
    "decide_appeal:not_upheld": [("appeal_outcome", APPLICANT), ("closure", APPLICANT)],
    "close": [("closure", APPLICANT)],
    "withdraw": [("closure", APPLICANT)],
}


def recipients(case: CaseReview, audience: str) -> list[str]:
    if audience == ALL_AGENCIES:
        return [f"agency:{_agency_id(link)}" for link in case.agencies]
    if audience == RECOMMENDATION_OWNERS:
        owners = sorted({_agency_id(rec) for rec in case.recommendations})
        return [f"agency:{agency_id}" for agency_id in owners]
    return [audience]


def _agency_id(row: CaseAgency | Recommendation) -> int:
    """The agency's id without loading the agency (a row added in this step has none yet)."""
    return row.agency_id if row.agency_id is not None else row.agency.id


def queue_for_event(
    session: Session,
    case: CaseReview,
    effect: str,
    step_key: str,
    now: datetime,
    payload: dict[str, Any],
) -> int:
    """Write the messages an event sends; ``step_key`` makes each one unique to this step.

    One multi-row INSERT in the step's transaction (not an ORM object each: on SQLite those
    are inserted one statement at a time); returns how many were written."""
    rows = [
        {
            "case_id": case.id,
            "kind": kind,
            "recipient": recipient,
            "dedupe_key": f"{case.reference}:{step_key}:{kind}:{recipient}",
            "status": "pending",
            "send_after": now,
            "created_at": now,
            "payload": payload,
        }
        for kind, audience in MESSAGES.get(effect, [])
        for recipient in recipients(case, audience)
    ]
    if rows:  # the table, not the class: the ORM's bulk path costs more than the INSERT
        session.execute(insert(OutboxMessage.__table__), rows)
    return len(rows)


def queue_confirmation(session: Session, case: CaseReview, now: datetime) -> OutboxMessage | None:
    """The e-mail confirming an online application, if the applicant gave an address."""
    person = case.applicant if case.applicant.on_behalf else case.victim
    if not person.email:
        return None
    message = OutboxMessage(
        case_id=case.id,
        kind="application_received",
        recipient=APPLICANT_EMAIL,
        dedupe_key=f"{case.reference}:online:application_received",
        status="pending",
        send_after=now,
        created_at=now,
        payload={},
    )
    session.add(message)
    return message
