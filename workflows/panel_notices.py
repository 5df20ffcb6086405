"""Keeping each invitee's calendar true to the panel (issue 20).

The panel invitation carries an iCalendar part (RFC 5546): a moved panel invites again
with the same UID and a higher SEQUENCE, and a panel called off (the case withdrawn before
it met) sends each invitee a cancellation (METHOD:CANCEL), as the process declares
(``workflows/case_review.py``). Two things the declaration cannot see are kept here: an
invitation not yet sent when its panel is called off never goes (it would arrive after the
cancellation, or on its own), and a reversed step whose panel letters had already gone is
followed by a letter of the panel as it now stands, to the same people.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from notifications.outbox import queue_for_event
from notifications.panel_calendar import PANEL_NOTICES
from triggers.models import AuditEvent, CaseReview, OutboxMessage
from triggers.policy import Policy
from triggers.statuses import OutboxStatus
from workflows.process import Letter

#: A letter that has not reached anyone yet and can still be stopped.
UNSENT = (OutboxStatus.PENDING, OutboxStatus.FAILED, OutboxStatus.HELD)
#: A letter that has gone (or is going now): its reader must be told of a change.
GONE = (OutboxStatus.SENT, OutboxStatus.SENDING)


def stop_unsent_invitations(session: Session, case: CaseReview) -> list[int]:
    """Stop the case's panel invitations that have not gone; their ids, so that a reversed
    withdrawal lets them go again (``restart``)."""
    ids = session.scalars(
        update(OutboxMessage)
        .where(
            OutboxMessage.case_id == case.id,
            OutboxMessage.kind == "panel_invitation",
            OutboxMessage.status.in_(UNSENT),
        )
        .values(status=OutboxStatus.CANCELLED)
        .returning(OutboxMessage.id)
    ).all()
    return sorted(ids)


def restart(session: Session, case: CaseReview, ids: list[int]) -> None:
    """Let invitations stopped by a withdrawal go again, once that withdrawal is reversed."""
    if ids:
        session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.case_id == case.id,
                OutboxMessage.id.in_(ids),
                OutboxMessage.status == OutboxStatus.CANCELLED,
            )
            .values(status=OutboxStatus.PENDING)
        )


def tell_after_reversal(
    session: Session,
    case: CaseReview,
    step: AuditEvent,
    taken_back: dict[str, Any],
    final_states: frozenset[str],
    now: datetime,
    policy: Policy,
) -> list[str]:
    """After ``step`` was reversed: each person a panel letter of that step had reached gets
    one of the panel as it now stands: invited again (the panel back on its earlier day, or
    a withdrawal undone) or its cancellation (a panel taken off). Returns whom, for the
    audit."""
    rows = session.execute(
        select(OutboxMessage.recipient, OutboxMessage.payload).where(
            OutboxMessage.case_id == case.id,
            OutboxMessage.created_at == step.at,
            OutboxMessage.kind.in_(PANEL_NOTICES),
            OutboxMessage.status.in_(GONE),
        )
    )
    reached = {row.recipient for row in rows if row.payload.get("event") == step.event}
    standing = case.state not in final_states and any(p.held_on is None for p in case.panels)
    kind = "panel_invitation" if standing else "panel_cancelled"
    # One already on its way (an invitation a reversed withdrawal let go again) is enough.
    reached -= set(
        session.scalars(
            select(OutboxMessage.recipient).where(
                OutboxMessage.case_id == case.id,
                OutboxMessage.kind == kind,
                OutboxMessage.status.in_(UNSENT),
            )
        )
    )
    if not reached:
        return []
    payload: dict[str, Any] = {"event": "reverse_step", "on": policy.today(now).isoformat()}
    if not standing and "panel" in taken_back:  # the panel row is gone: its time is kept
        payload["panel"] = taken_back["panel"]
    queue_for_event(
        session,
        case,
        [Letter(kind, recipient) for recipient in sorted(reached)],
        f"reverse-v{case.version}",
        now,
        payload,
        held=policy.config.mail.hold_for_approval,
    )
    return [f"{kind} to {recipient}" for recipient in sorted(reached)]
