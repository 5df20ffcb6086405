"""The sweep: queue the reminders that have come, delete expired online drafts, then
deliver what is due in the outbox.

Run every minute by the scheduler, or once by `casereview sweep` (from cron, or "as if it
were" a given time). Safe to run twice at once: rows are claimed with
``FOR UPDATE SKIP LOCKED`` (a materialised CTE, so PostgreSQL cannot re-run the claim per
row) and marked sent only by the claimant. A process killed mid-send leaves its claim;
after the lease another sweep sends it again, with the same Message-ID.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session, sessionmaker

from notifications.compose import CannotCompose, compose
from notifications.reminders import queue_reminders
from notifications.senders import OutgoingMessage, Sender, SendError
from triggers.audit import append_event
from triggers.db import read_session, write_transaction
from triggers.models import CaseReview, MessageDelivery, OutboxMessage
from triggers.policy import Policy
from triggers.statuses import DeliveryOutcome, OutboxStatus
from workflows.case_review import PROCESSES, newest, process_for
from workflows.drafts import delete_expired_drafts
from workflows.process import Process

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)


@dataclass
class SweepResult:
    queued: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    released: int = 0
    drafts_deleted: int = 0


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def sweep(
    sessions: sessionmaker[Session],
    policy: Policy,
    sender: Sender,
    now: datetime,
    *,
    worker: str | None = None,
    batch: int = 20,
    limit: int = 10_000,
) -> SweepResult:
    """One sweep; returns what it did. Never raises for a failed send: it records it."""
    worker = worker or worker_name()
    result = SweepResult()
    with write_transaction(sessions) as session:
        # Each case is reminded by the version of the process it runs on.
        result.queued = sum(
            queue_reminders(session, policy, now, process) for process in PROCESSES.values()
        )
    with write_transaction(sessions) as session:
        result.released = release_stale_claims(session, now)
    with write_transaction(sessions) as session:
        expiry = timedelta(minutes=policy.config.online.draft_expiry_minutes)
        result.drafts_deleted = delete_expired_drafts(session, now, expiry)
    handled = 0
    while handled < limit:
        with write_transaction(sessions) as session:
            claimed = claim(session, worker, now, batch)
        if not claimed:
            break
        for row_id in claimed:
            outcome = deliver(sessions, policy, sender, row_id, worker, now)
            setattr(result, outcome, getattr(result, outcome) + 1)
        handled += len(claimed)
    if result.queued or result.sent or result.retrying or result.failed or result.drafts_deleted:
        log.info("sweep %s: %s", worker, result)
    return result


def claim(session: Session, worker: str, now: datetime, batch: int) -> list[int]:
    due = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.send_after <= now)
        .order_by(OutboxMessage.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
        .cte("due")
        .prefix_with("MATERIALIZED")
    )
    rows = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == due.c.id)
        .values(status=OutboxStatus.SENDING, claimed_by=worker, claimed_at=now)
        .returning(OutboxMessage.id)
    ).all()
    return sorted(row[0] for row in rows)


def release_stale_claims(session: Session, now: datetime, lease: timedelta = LEASE) -> int:
    """Claims older than the lease belong to a sweep that died: put them back."""
    rows = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < now - lease)
        .values(status=OutboxStatus.PENDING, claimed_by="")
        .returning(OutboxMessage.id)
    ).all()
    if rows:
        log.warning("released %d stale claim(s): their sweep stopped mid-send", len(rows))
    return len(rows)


def deliver(
    sessions: sessionmaker[Session],
    policy: Policy,
    sender: Sender,
    row_id: int,
    worker: str,
    now: datetime,
) -> str:
    """Compose and send one claimed row; record it as sent, retrying or failed."""
    message: OutgoingMessage | None = None
    try:
        with read_session(sessions) as session:
            row = session.get_one(OutboxMessage, row_id)
            process = process_of_message(session, row)
            message = compose(session, row, policy.config, policy.today(now), process)
        sender.send(message)
    except (SendError, CannotCompose) as error:
        return _record_failure(sessions, policy, row_id, worker, now, str(error))
    except Exception as error:  # a bug must not stop the other messages going out
        log.exception("unexpected error sending outbox row %s", row_id)
        return _record_failure(
            sessions,
            policy,
            row_id,
            worker,
            now,
            f"unexpected error: {type(error).__name__}: {error}",
        )
    with write_transaction(sessions) as session:
        done = session.execute(
            update(OutboxMessage)
            .where(
                and_(
                    OutboxMessage.id == row_id,
                    OutboxMessage.claimed_by == worker,
                    OutboxMessage.status == OutboxStatus.SENDING,
                )
            )
            .values(
                status=OutboxStatus.SENT,
                sent_at=now,
                attempts=OutboxMessage.attempts + 1,
                last_error="",
            )
            .returning(OutboxMessage.case_id, OutboxMessage.kind, OutboxMessage.recipient)
        ).first()
        if done is not None:
            session.add(_as_sent(row_id, now, message))
        if done is not None and done.case_id is not None:
            case = session.get_one(CaseReview, done.case_id)
            append_event(
                session,
                {
                    "partnership_id": case.partnership_id,
                    "case_id": case.id,
                    "at": now,
                    "actor": f"{sender.name} sender",
                    "event": "message_sent",
                    "from_state": case.state,
                    "to_state": case.state,
                    "step_on": policy.today(now),
                    "data": {
                        "kind": done.kind,
                        "recipient": done.recipient,
                        "to": list(message.to),
                        "subject": message.subject,
                        "message_id": message.message_id,
                        "by_post": "X-Casereview-Post" in message.headers,
                        "by_phone": "X-Casereview-Phone" in message.headers,
                    },
                },
            )
    return DeliveryOutcome.SENT


def process_of_message(session: Session, row: OutboxMessage) -> Process:
    """The version of the process whose words a message uses: its case's (the newest for a
    message with no case, such as an audit checkpoint)."""
    case = session.get(CaseReview, row.case_id) if row.case_id is not None else None
    return process_for(case.workflow_version) if case is not None else newest()


def _record_failure(
    sessions: sessionmaker[Session],
    policy: Policy,
    row_id: int,
    worker: str,
    now: datetime,
    error: str,
) -> str:
    mail = policy.config.mail
    with write_transaction(sessions) as session:
        row = session.get_one(OutboxMessage, row_id)
        if row.claimed_by != worker or row.status != OutboxStatus.SENDING:
            return DeliveryOutcome.RELEASED
        row.attempts += 1
        row.last_error = error[:2000]
        row.claimed_by = ""
        failed = row.attempts >= mail.max_attempts
        session.add(
            MessageDelivery(
                message_id=row.id,
                at=now,
                outcome=DeliveryOutcome.FAILED if failed else DeliveryOutcome.RETRYING,
                error=error[:2000],
                sent_to="",
                subject="",
                headers={},
                body="",
            )
        )
        if failed:
            row.status = OutboxStatus.FAILED
            log.error(
                "outbox row %s (%s) failed after %d attempts: %s",
                row.id,
                row.kind,
                row.attempts,
                error,
            )
            return DeliveryOutcome.FAILED
        row.status = OutboxStatus.PENDING
        row.send_after = now + timedelta(seconds=mail.retry_after_seconds * 2 ** (row.attempts - 1))
        log.warning(
            "outbox row %s (%s) attempt %d failed, retrying after %s: %s",
            row.id,
            row.kind,
            row.attempts,
            row.send_after.isoformat(),
            error,
        )
        return DeliveryOutcome.RETRYING


def retry_by_hand(session: Session, row_id: int, now: datetime) -> OutboxMessage:
    """Put a failed message back in the queue, to go at the next sweep."""
    row = session.get(OutboxMessage, row_id)
    if row is None:
        raise LookupError(f"there is no outbox message {row_id}")
    if row.status not in (OutboxStatus.FAILED, OutboxStatus.PENDING):
        raise ValueError(f"message {row_id} is {row.status}; only a failed one can be retried")
    row.status, row.send_after, row.attempts, row.claimed_by = OutboxStatus.PENDING, now, 0, ""
    return row


def _as_sent(row_id: int, now: datetime, message: OutgoingMessage | None) -> MessageDelivery:
    """The delivery that went, holding the message as sent: what a person reads on the case
    page (the e-mail's text and headers, and a posted letter's PDF as printed)."""
    assert message is not None
    pdf = next((a.data for a in message.attachments if a.content_type == "application/pdf"), None)
    return MessageDelivery(
        message_id=row_id,
        at=now,
        outcome=DeliveryOutcome.SENT,
        error="",
        sent_to=", ".join(message.to),
        subject=message.subject,
        headers={"Message-ID": message.message_id, **message.headers},
        body=message.body,
        pdf=pdf,
    )
