"""Letters held for a manager's approval before they go (issue 20).

A partnership may hold chosen kinds of letter (``mail.hold_for_approval``): the step queues
them as ``held``; a manager reads the letter as it will go, may change its text for this
case, and approves it (it goes at the next sweep) or cancels it. Every edit, approval and
cancellation is an audit event of the case, and an edit keeps the text it replaced, so the
trail shows what was written by the template and what a person changed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from triggers.models import CaseReview, OutboxMessage
from triggers.statuses import OutboxStatus
from triggers.text import control_problem
from workflows import permissions
from workflows.errors import InvalidData
from workflows.service import Actor, write_audit

HELD = OutboxStatus.HELD
#: A letter's text: long enough for any letter, short enough to stay a letter.
LONGEST_LETTER = 20_000


def _held(session: Session, row: OutboxMessage, actor: Actor) -> CaseReview:
    permissions.require(actor, permissions.APPROVE_LETTERS)
    if row.status != HELD:
        raise InvalidData({"letter": f"this letter is {row.status}, not waiting for approval"})
    return session.get_one(CaseReview, row.case_id)


def edit_held(
    session: Session, row: OutboxMessage, body: str, original: str, actor: Actor, now: datetime
) -> None:
    """Replace the letter's text for this case; ``original`` is the text as it stood."""
    case = _held(session, row, actor)
    body = body.replace("\r\n", "\n").strip() + "\n"
    if not body.strip():
        raise InvalidData({"body": "Enter the letter's text"})
    if len(body) > LONGEST_LETTER:
        raise InvalidData({"body": f"The letter must be {LONGEST_LETTER:,} characters or fewer"})
    if problem := control_problem(body):
        raise InvalidData({"body": problem})
    row.payload = {**row.payload, "edited_body": body}
    write_audit(
        session,
        case,
        actor,
        now,
        "letter_edited",
        case.state,
        case.state,
        None,
        {"message": row.id, "kind": row.kind, "original": original, "edited": body},
    )


def approve_held(session: Session, row: OutboxMessage, actor: Actor, now: datetime) -> None:
    case = _held(session, row, actor)
    row.status, row.send_after = OutboxStatus.PENDING, now
    write_audit(
        session,
        case,
        actor,
        now,
        "letter_approved",
        case.state,
        case.state,
        None,
        {"message": row.id, "kind": row.kind, "edited": "edited_body" in row.payload},
    )


def cancel_held(session: Session, row: OutboxMessage, actor: Actor, now: datetime) -> None:
    case = _held(session, row, actor)
    row.status = OutboxStatus.CANCELLED
    write_audit(
        session,
        case,
        actor,
        now,
        "letter_cancelled",
        case.state,
        case.state,
        None,
        {"message": row.id, "kind": row.kind},
    )
