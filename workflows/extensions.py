"""Agreed extensions and pauses of a deadline (Home Office statutory guidance, 2025).

The victim asks for more time, a key agency cannot attend, the panel is postponed: the
manager moves a running deadline to a later date with the reason, and with the victim's
agreement where the victim asked. The deadline row keeps the date it first fell on, so the
case page shows both and the figures count a step done by the new date as "within the
agreed extension", not late; the reminders and letters read the new date (a reminder is
keyed by its due date, so the moved deadline is reminded afresh). It changes no state, so it
sits beside ``service.apply`` as an operation of the process declaration, and is audited
the same way: one event with the old and new dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from pydantic import model_validator
from sqlalchemy.orm import Session

from triggers.calendar import english_date
from triggers.models import CaseReview, Deadline
from triggers.policy import Policy
from triggers.statuses import DeadlineStatus
from workflows import deadlines, permissions
from workflows.errors import InvalidData
from workflows.schemas import FieldProblem, IsoDate, Name, RequiredText, Strict, parse
from workflows.service import Actor, change_beside, require_allowed, step_date
from workflows.steps import check_in_range

#: Who asked for more time.
RequestedBy = Literal["victim", "agency", "panel", "partnership"]


class ExtendDeadlineIn(Strict):
    #: The clock's key (acknowledge, panel, appeal_window...).
    deadline: Name
    kind: Literal["extension", "pause"]
    #: The new last day.
    due_on: IsoDate
    reason: RequiredText
    requested_by: RequestedBy
    #: Where the victim asked: that they agreed to the new date (recorded, not assumed).
    victim_agreed: bool = False
    #: The day it was agreed; today when left out.
    on: IsoDate | None = None

    @model_validator(mode="after")
    def _the_victims_agreement(self) -> ExtendDeadlineIn:
        if self.requested_by == "victim" and not self.victim_agreed:
            raise FieldProblem(
                {"victim_agreed": "must be recorded where the victim asked for the extension"}
            )
        return self


def extend_deadline(
    session: Session,
    case: CaseReview,
    data: Mapping[str, Any],
    actor: Actor,
    now: datetime,
    policy: Policy,
) -> Deadline:
    """Move one running deadline of ``case`` to a later date, with its reason."""
    permissions.require(actor, permissions.EXTEND_DEADLINE)
    require_allowed(case, "extend_deadline")
    values = parse(ExtendDeadlineIn, dict(data))
    deadline = deadlines.find(case, values.deadline)
    if deadline is None or deadline.status != DeadlineStatus.RUNNING:
        running = [d.step for d in case.deadlines if d.status == DeadlineStatus.RUNNING]
        running_text = ", ".join(running) or "none"
        raise InvalidData(
            {
                "deadline": f"'{values.deadline}' is not a running deadline of this case "
                f"(running: {running_text})"
            }
        )
    check_in_range(values.due_on, "due_on", policy)
    if values.due_on <= deadline.due_on:
        raise InvalidData(
            {"due_on": f"must be after the present date, {english_date(deadline.due_on)}"}
        )
    if not policy.calendar.is_working_day(values.due_on):
        raise InvalidData({"due_on": "must be a working day"})
    on = step_date(values, case, policy, now)  # type: ignore[arg-type]
    before = deadline.due_on
    if deadline.original_due_on is None:
        deadline.original_due_on = before
    deadline.due_on = values.due_on
    deadline.extension_kind = values.kind
    deadline.extension_reason = values.reason
    deadline.extension_requested_by = values.requested_by
    deadline.extended_on = on
    change_beside(
        session,
        case,
        "extend_deadline",
        actor,
        now,
        on,
        {
            "deadline": deadline.step,
            "kind": values.kind,
            "from": before.isoformat(),
            "to": values.due_on.isoformat(),
            "reason": values.reason,
            "requested_by": values.requested_by,
            "victim_agreed": values.victim_agreed,
        },
    )
    return deadline
