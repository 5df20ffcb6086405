"""Reminders before each deadline, on the day, and an escalation once it has passed.

Each reminder is a row keyed by case, deadline, due date, stage and recipient, inserted with
ON CONFLICT DO NOTHING: however many sweeps, restarts or schedulers run, each is queued
once. Only the latest stage that has come is queued (after an outage nobody gets five old
reminders at once), and nothing is queued for a deadline that is met or a case that ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from triggers.models import CaseReview, Deadline, OutboxMessage, Recommendation
from triggers.policy import Policy
from triggers.statuses import (
    OUTSTANDING,
    DeadlineStatus,
    OutboxStatus,
    Recipients,
    agency_recipient,
)


class RemindedProcess(Protocol):
    """What reminders need of the process (``workflows.process.Process``): the clocks a
    person has to act on (the appeal window is the applicant's, not the manager's), and the
    states in which a case has ended; its version, which the cases it applies to are on."""

    @property
    def version(self) -> int: ...

    @property
    def reminded_clocks(self) -> tuple[str, ...]: ...

    @property
    def final_states(self) -> frozenset[str]: ...

    def step_for_clock(self, state: str, clock: str, role: str | None) -> str | None: ...


MANAGERS = Recipients.MANAGERS
ESCALATION = Recipients.ESCALATION
#: The role whose step a deadline's reminder links to.
MANAGER = "manager"


@dataclass(frozen=True)
class Stage:
    name: str  # before:5, due or escalation
    on: date
    days: int


def stages(due_on: date, started_on: date, policy: Policy) -> list[Stage]:
    settings = policy.config.reminders
    calendar = policy.calendar
    result = [
        Stage(f"before:{days}", calendar.subtract_working_days(due_on, days), days)
        for days in sorted(set(settings.before), reverse=True)
    ]
    if settings.on_the_day:
        result.append(Stage("due", due_on, 0))
    if settings.escalate:
        result.append(Stage("escalation", calendar.add_working_days(due_on, 1), 0))
    return [stage for stage in result if stage.on >= started_on]


def latest_stage(due_on: date, started_on: date, today: date, policy: Policy) -> Stage | None:
    come = [stage for stage in stages(due_on, started_on, policy) if stage.on <= today]
    return come[-1] if come else None


#: Reminder rows per INSERT statement.
REMINDER_CHUNK = 500


def queue_reminders(
    session: Session, policy: Policy, now: datetime, process: RemindedProcess
) -> int:
    """Queue every reminder that has come by ``now`` for the cases on ``process``'s version
    (each case is reminded of its own version's clocks); return how many were new."""
    today = policy.today(now)
    horizon = policy.calendar.add_working_days(
        today, max(policy.config.reminders.before, default=0)
    )
    rows: list[dict[str, Any]] = []
    deadlines = session.execute(
        select(
            Deadline,
            CaseReview.reference,
            CaseReview.partnership_id,
            CaseReview.id,
            CaseReview.state,
        )
        .join(CaseReview, CaseReview.id == Deadline.case_id)
        .where(
            Deadline.status == DeadlineStatus.RUNNING,
            Deadline.due_on <= horizon,
            CaseReview.workflow_version == process.version,
            Deadline.step.in_(process.reminded_clocks),
            CaseReview.state.not_in(process.final_states),
        )
    )
    for deadline, reference, partnership_id, case_id, state in deadlines:
        stage = latest_stage(deadline.due_on, deadline.started_on, today, policy)
        if stage is not None:
            row = _row(
                case_id,
                partnership_id,
                reference,
                deadline.step,
                deadline.due_on,
                stage,
                ESCALATION if stage.name == "escalation" else MANAGERS,
                now,
            )
            # The form that does it: the same item as the manager's My tasks (issue 20).
            row["payload"]["opens"] = process.step_for_clock(state, deadline.step, MANAGER) or ""
            rows.append(row)
    recommendations = session.execute(
        select(Recommendation, CaseReview.reference, CaseReview.partnership_id)
        .join(CaseReview, CaseReview.id == Recommendation.case_id)
        .where(
            Recommendation.status.in_(OUTSTANDING),
            Recommendation.due_on <= horizon,
            CaseReview.workflow_version == process.version,
            CaseReview.state.not_in(process.final_states),
        )
    )
    for rec, reference, partnership_id in recommendations:
        stage = latest_stage(
            rec.due_on, rec.due_on.replace(year=rec.due_on.year - 1), today, policy
        )
        if stage is not None:
            recipient = MANAGERS if stage.name == "escalation" else agency_recipient(rec.agency_id)
            row = _row(
                rec.case_id,
                partnership_id,
                reference,
                "recommendation",
                rec.due_on,
                stage,
                recipient,
                now,
            )
            row["payload"]["detail"] = f"The recommendation: {rec.action}"
            row["payload"]["opens"] = f"rec-{rec.id}"
            row["dedupe_key"] += f":{rec.id}"
            rows.append(row)
    if not rows:
        return 0
    held = policy.config.reminders.daily_digest
    for row in rows:
        row["status"] = OutboxStatus.DIGEST if held else OutboxStatus.PENDING
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    inserted = 0
    # In chunks: one statement's bind parameters are limited (65,535 on PostgreSQL), and a
    # regional installation back from a day's outage has thousands of reminders at once.
    for start in range(0, len(rows), REMINDER_CHUNK):
        chunk = rows[start : start + REMINDER_CHUNK]
        inserted += len(
            session.execute(
                insert(OutboxMessage)
                .values(chunk)
                .on_conflict_do_nothing()
                .returning(OutboxMessage.id)
            ).all()
        )
    if held:
        _queue_digests(session, now, today)
    return inserted


def _row(
    case_id: int,
    partnership_id: int,
    reference: str,
    step: str,
    due_on: date,
    stage: Stage,
    recipient: str,
    now: datetime,
) -> dict[str, Any]:
    kind = "escalation" if stage.name == "escalation" else "reminder"
    return {
        "case_id": case_id,
        "kind": kind,
        "recipient": recipient,
        "dedupe_key": f"{reference}:{kind}:{step}:{due_on.isoformat()}:{stage.name}:{recipient}",
        "status": OutboxStatus.PENDING,
        "send_after": now,
        "created_at": now,
        "payload": {
            "step": step,
            "stage": stage.name.split(":")[0],
            "days": stage.days,
            "due_on": due_on.isoformat(),
            "partnership_id": partnership_id,
            "detail": "",
        },
        "attempts": 0,
        "last_error": "",
        "claimed_by": "",
    }


def _queue_digests(session: Session, now: datetime, today: date) -> None:
    """One digest a day per partnership and recipient, gathering the held reminders."""
    held = session.execute(
        select(OutboxMessage, CaseReview.reference, CaseReview.partnership_id)
        .join(CaseReview, CaseReview.id == OutboxMessage.case_id)
        .where(OutboxMessage.status == OutboxStatus.DIGEST)
        .order_by(OutboxMessage.id)
    ).all()
    groups: dict[tuple[int, str], list[tuple[OutboxMessage, str]]] = {}
    for row, reference, partnership_id in held:
        for recipient in row.recipient.split(","):
            groups.setdefault((partnership_id, recipient), []).append((row, reference))
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for (partnership_id, recipient), items in groups.items():
        created = session.execute(
            insert(OutboxMessage)
            .values(
                case_id=None,
                kind="digest",
                recipient=recipient,
                dedupe_key=f"digest:{partnership_id}:{recipient}:{today.isoformat()}",
                status=OutboxStatus.PENDING,
                send_after=now,
                created_at=now,
                attempts=0,
                last_error="",
                claimed_by="",
                payload={
                    "partnership_id": partnership_id,
                    "items": [{"reference": reference, **row.payload} for row, reference in items],
                },
            )
            .on_conflict_do_nothing()
            .returning(OutboxMessage.id)
        ).first()
        if created is not None:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_([row.id for row, _ in items]))
                .values(status=OutboxStatus.DIGESTED)
            )
