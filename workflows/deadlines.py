"""Which limit each step starts and which it meets, in working days (config.toml).

Acknowledge within 5 of receipt; decide the threshold within 10 of acknowledging; hold the
panel within 28 of a "met" decision (Charnwood procedure, Home Office guidance); send the
findings within 5 of the panel; the applicant may appeal within 20 of the findings or of a
"not met" letter (LLR procedure); the chair decides within 20 of the appeal.
"""

from __future__ import annotations

from datetime import date

from triggers.models import CaseReview, Deadline
from triggers.policy import Policy

STEPS = (
    "acknowledge",
    "threshold_decision",
    "panel",
    "findings",
    "appeal_window",
    "appeal_decision",
)

#: event → (steps it meets, steps it starts). decide_* depend on the outcome: see below.
EFFECTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "acknowledge": (("acknowledge",), ("threshold_decision",)),
    "decide_threshold:met": (("threshold_decision",), ("panel",)),
    "decide_threshold:not_met": (("threshold_decision",), ("appeal_window",)),
    "schedule_panel": ((), ()),
    "record_review": (("panel",), ("findings",)),
    "send_findings": (("findings",), ("appeal_window",)),
    "appeal": (("appeal_window",), ("appeal_decision",)),
    "decide_appeal:upheld": (("appeal_decision",), ("panel",)),
    "decide_appeal:not_upheld": (("appeal_decision",), ()),
    "close": ((), ()),
    "withdraw": ((), ()),
}


def effect_key(event: str, data: dict[str, object]) -> str:
    if event == "decide_threshold":
        return f"{event}:{data['decision']}"
    if event == "decide_appeal":
        return f"{event}:{data['outcome']}"
    return event


def start(case: CaseReview, step: str, on: date, policy: Policy) -> Deadline:
    """Start (or restart, after an upheld appeal) the clock for ``step`` on ``on``."""
    days = getattr(policy.config.deadlines, step)
    due_on = policy.calendar.add_working_days(on, days)
    deadline = find(case, step)
    if deadline is None:
        deadline = Deadline(step=step, started_on=on, due_on=due_on, status="running")
        case.deadlines.append(deadline)
    else:
        deadline.started_on, deadline.due_on = on, due_on
        deadline.status, deadline.ended_on = "running", None
    return deadline


def end(case: CaseReview, step: str, on: date, status: str = "met") -> None:
    deadline = find(case, step)
    if deadline is not None and deadline.status == "running":
        deadline.status, deadline.ended_on = status, on


def stop_all(case: CaseReview, on: date) -> None:
    """A closed or withdrawn case has no limits left running."""
    for deadline in case.deadlines:
        if deadline.status == "running":
            deadline.status, deadline.ended_on = "stopped", on


def apply_effects(
    case: CaseReview, event: str, data: dict[str, object], on: date, policy: Policy
) -> None:
    meets, starts = EFFECTS[effect_key(event, data)]
    for step in meets:
        end(case, step, on)
    for step in starts:
        start(case, step, on, policy)
    if event in ("close", "withdraw") or effect_key(event, data) == "decide_appeal:not_upheld":
        stop_all(case, on)


def find(case: CaseReview, step: str) -> Deadline | None:
    return next((d for d in case.deadlines if d.step == step), None)
