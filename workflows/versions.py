"""Process versions that cases keep (in the spirit of Camunda's instance migration).

A case runs on the version of the process it was opened under (``workflow_version``): its
steps and its clocks. A new version applies to new cases; moving open cases to another
version is an explicit, audited command (``casereview process migrate --to N``), refused
where a case's state does not exist in the target version, or where a clock still running on
it is not a clock of that version (nothing would ever remind it, nor a step meet it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from triggers.models import CaseReview
from triggers.statuses import DeadlineStatus
from workflows.case_review import process_for
from workflows.errors import InvalidData
from workflows.service import Actor, write_audit


@dataclass(frozen=True)
class Migration:
    reference: str
    state: str
    from_version: int


def migrate(session: Session, to: int, label: str, now: datetime, dry_run: bool) -> list[Migration]:
    """Move every open case to version ``to``; all of them or, if any case's state does not
    exist in that version or a clock running on it is not one of that version's, none (the
    refusal names them, a dry run too). Each move is an audit event."""
    target = process_for(to)
    cases = session.scalars(
        select(CaseReview)
        .where(CaseReview.workflow_version != to)
        .options(selectinload(CaseReview.deadlines))
        .order_by(CaseReview.id)
    ).all()
    open_cases = [c for c in cases if c.state not in process_for(c.workflow_version).final_states]
    stranded = [c.reference for c in open_cases if c.state not in target.state_names]
    if stranded:
        raise InvalidData(
            {
                "to": f"version {to} has no state for these cases, so none was moved: "
                + ", ".join(stranded)
            }
        )
    clocks = [
        f"{c.reference} ({deadline.step})"
        for c in open_cases
        for deadline in c.deadlines
        if deadline.status == DeadlineStatus.RUNNING and deadline.step not in target.clock
    ]
    if clocks:
        raise InvalidData(
            {
                "to": f"version {to} has no clock running on these cases (nothing would remind "
                "it), so none was moved: " + ", ".join(clocks)
            }
        )
    moved = [Migration(c.reference, c.state, c.workflow_version) for c in open_cases]
    if dry_run:
        return moved
    actor = Actor(label=label)
    for case in open_cases:
        before = case.workflow_version
        case.workflow_version, case.updated_at = to, now
        write_audit(
            session,
            case,
            actor,
            now,
            "migrate_process",
            case.state,
            case.state,
            None,
            {"from_version": before, "to_version": to},
        )
    return moved
