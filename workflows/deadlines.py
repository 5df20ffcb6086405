"""The working-day clocks of a case: started, met and stopped as the process declares.

Which clock each step starts and which it meets is the process declaration's (a ``Move``'s
``starts``/``meets``/``stops_all``, ``workflows/case_review.py``); the limits are config.toml's
``[deadlines]`` where it names the clock, else the declaration's default. Day 1 is the first
working day after the starting date.
"""

from __future__ import annotations

import dataclasses
import functools
from datetime import date

from sqlalchemy import Label, func, select

from triggers.models import CaseReview, Deadline
from triggers.policy import Policy
from triggers.statuses import DeadlineStatus
from workflows.process import Clock, Move


def limit(clock: Clock, policy: Policy) -> int:
    """The clock's limit in working days: the partnership's, where config.toml sets it."""
    if clock.configurable and clock.key in _configured(type(policy.config.deadlines)):
        return int(getattr(policy.config.deadlines, clock.key))
    if clock.configurable and clock.config_key:
        value: object = policy.config
        for part in clock.config_key.split("."):
            value = getattr(value, part)
        return int(value)  # type: ignore[call-overload]
    return clock.days


@functools.cache
def _configured(deadlines_config: type) -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(deadlines_config))


def start(case: CaseReview, clock: Clock, on: date, policy: Policy) -> Deadline:
    """Start (or restart, after an upheld appeal) ``clock`` on ``on``."""
    due_on = policy.calendar.add_working_days(on, limit(clock, policy))
    deadline = find(case, clock.key)
    if deadline is None:
        deadline = Deadline(
            step=clock.key, started_on=on, due_on=due_on, status=DeadlineStatus.RUNNING
        )
        case.deadlines.append(deadline)
    else:
        deadline.started_on, deadline.due_on = on, due_on
        deadline.status, deadline.ended_on = DeadlineStatus.RUNNING, None
        # A fresh start: an extension agreed for the earlier run does not carry over.
        deadline.original_due_on, deadline.extended_on = None, None
        deadline.extension_kind = deadline.extension_reason = ""
        deadline.extension_requested_by = ""
    return deadline


def end(case: CaseReview, step: str, on: date, status: str = DeadlineStatus.MET) -> None:
    deadline = find(case, step)
    if deadline is not None and deadline.status == DeadlineStatus.RUNNING:
        deadline.status, deadline.ended_on = status, on


def stop_all(case: CaseReview, on: date) -> None:
    """A closed or withdrawn case has no limits left running."""
    for deadline in case.deadlines:
        if deadline.status == DeadlineStatus.RUNNING:
            deadline.status, deadline.ended_on = DeadlineStatus.STOPPED, on


def apply_move(
    case: CaseReview, move: Move, clocks: dict[str, Clock], on: date, policy: Policy
) -> None:
    """What ``move`` does to the case's clocks: meet some, start others, or stop them all."""
    for step in move.meets:
        end(case, step, on)
    for step in move.starts:
        start(case, clocks[step], on, policy)
    if move.stops_all:
        stop_all(case, on)


def find(case: CaseReview, step: str) -> Deadline | None:
    return next((d for d in case.deadlines if d.step == step), None)


def next_due_columns() -> tuple[Label[date | None], Label[str | None]]:
    """The date (``due_on``) and the step (``step``) of the running deadline that comes due
    first, of the case in the enclosing query over CaseReview.

    Correlated subqueries, so that a list of cases reads each one's next deadline in its own
    query, by the case's id, instead of loading every case's deadlines (one query per case)
    or aggregating every running deadline of the installation."""
    running = (Deadline.case_id == CaseReview.id, Deadline.status == DeadlineStatus.RUNNING)
    due_on = (
        select(func.min(Deadline.due_on))
        .where(*running)
        .correlate(CaseReview)
        .scalar_subquery()
        .label("due_on")
    )
    step = (
        select(Deadline.step)
        .where(*running)
        .order_by(Deadline.due_on, Deadline.id)
        .limit(1)
        .correlate(CaseReview)
        .scalar_subquery()
        .label("step")
    )
    return due_on, step
