"""Who is told what at each step, written to the outbox in the same transaction as the step.

The statutory process is a chain of letters: acknowledgement, the threshold outcome (a
"not met" letter explains the appeal route), the panel invitation (the victim may send a
representative), the findings with the appeal rights, the appeal outcome, and the closure
letter saying when and why the case closes (2025 statutory guidance). Writing the rows in
the step's own transaction means a letter is never lost and never sent for a step that was
rolled back; the senders (a later part) deliver them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import insert
from sqlalchemy.orm import Session

from triggers.models import CaseAgency, CaseReview, OutboxMessage, Recommendation
from triggers.statuses import Audience, OutboxStatus, agency_recipient

# The audiences a declared letter goes to (triggers.statuses.Audience), by their old names.
APPLICANT = Audience.APPLICANT
#: The applicant's e-mail address whatever way they chose to be contacted: the confirmation
#: of an online application goes there at once (a letter would arrive after the
#: acknowledgement itself).
APPLICANT_EMAIL = Audience.APPLICANT_EMAIL
CHAIR = Audience.CHAIR
#: Whoever hears appeals ([review_routes.appeal] in config.toml): its own address, or the
#: partnership's CSP chair accounts when it has none.
APPEAL_BODY = Audience.APPEAL_BODY
MANAGER = Audience.MANAGER
ALL_AGENCIES = Audience.ALL_AGENCIES
RECOMMENDATION_OWNERS = Audience.RECOMMENDATION_OWNERS
#: The local policing body ([review_routes.local_policing_body] in config.toml).
POLICING_BODY = Audience.POLICING_BODY
#: Those invited to the case's panel (the applicant and the case's agencies) while one is
#: arranged and has not met; nobody otherwise.
PANEL_INVITEES = Audience.PANEL_INVITEES


class Letter(Protocol):
    """A letter a step sends, as the process declares it (``workflows.process.Letter``)."""

    @property
    def kind(self) -> str: ...

    @property
    def to(self) -> str: ...


def recipients(case: CaseReview, audience: str) -> list[str]:
    if audience == ALL_AGENCIES:
        return [agency_recipient(_agency_id(link)) for link in case.agencies]
    if audience == PANEL_INVITEES:
        if all(panel.held_on is not None for panel in case.panels):
            return []
        return [APPLICANT, *recipients(case, ALL_AGENCIES)]
    if audience == RECOMMENDATION_OWNERS:
        owners = sorted({_agency_id(rec) for rec in case.recommendations})
        return [agency_recipient(agency_id) for agency_id in owners]
    return [audience]


def _agency_id(row: CaseAgency | Recommendation) -> int:
    """The agency's id without loading the agency (a row added in this step has none yet)."""
    return row.agency_id if row.agency_id is not None else row.agency.id


def queue_for_event(
    session: Session,
    case: CaseReview,
    letters: Iterable[Letter],
    step_key: str,
    now: datetime,
    payload: dict[str, Any],
    held: Iterable[str] = (),
) -> int:
    """Write the ``letters`` a step sends; ``step_key`` makes each one unique to this step.
    A kind in ``held`` waits (status ``held``) for a manager's approval instead of going.

    One multi-row INSERT in the step's transaction (not an ORM object each: on SQLite those
    are inserted one statement at a time); returns how many were written."""
    rows = [
        {
            "case_id": case.id,
            "kind": kind,
            "recipient": recipient,
            "dedupe_key": f"{case.reference}:{step_key}:{kind}:{recipient}",
            "status": OutboxStatus.HELD if kind in held else OutboxStatus.PENDING,
            "send_after": now,
            "created_at": now,
            "payload": payload,
        }
        for letter in letters
        for kind in (letter.kind,)
        for recipient in recipients(case, letter.to)
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
        status=OutboxStatus.PENDING,
        send_after=now,
        created_at=now,
        payload={},
    )
    session.add(message)
    return message
