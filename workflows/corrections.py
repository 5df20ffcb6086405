"""Corrections: a recorded fact put right, with a reason, never silently.

A mistyped name, a wrong date of receipt, a wrong ward, a step recorded on the wrong date:
withdrawing and logging again would put a false application and a false withdrawal into the
statutory figures (s.104(10) of the 2014 Act), so the manager corrects the fact instead. The
audit records each value before and after, who and why; the threshold suggestion and every
deadline that ran from a corrected date are worked out again, and what moved is said. The
figures are derived from the corrected rows, so they follow. A step taken on the wrong case
is reversed by ``workflows.service.reverse_step``, also a recorded correction.

A fact is named as the case's description names it: ``received_on``, ``ward``,
``victim.name``, ``applicant.consent_given_on``, ``incidents.0.occurred_on``,
``incidents.0.complaints.1.reference``; a step's date as ``steps.acknowledge.on``; a
step's own words as ``decision.rationale``, ``panel.findings``, ``appeal.grounds``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from triggers.calendar import english_date
from triggers.models import AuditEvent, CaseReview, Deadline
from triggers.policy import Policy
from triggers.statuses import DeadlineStatus
from workflows import deadlines, permissions
from workflows.case_review import process_for
from workflows.errors import InvalidData
from workflows.process import Process
from workflows.schemas import CaseIn, CorrectionIn, EventIn, parse
from workflows.service import Actor, check_version, flush_case, write_audit
from workflows.steps import check_in_range, threshold_suggestion

#: The case's own facts a correction may change, as CaseIn names them → the column.
CASE_FACTS = {
    "received_on": "received_on",
    "channel": "channel",
    "dissatisfaction": "dissatisfaction",
    "single_point_of_contact": "single_point_of_contact",
    "youth_asb": "is_youth_asb",
    "ward": "ward",
}
#: Names the input uses that differ from the column's.
APPLICANT_COLUMNS = {"relationship": "relationship_to_victim"}
INCIDENT_COLUMNS = {"hate_related": "is_hate_related"}
#: A step's own words, on its latest row: fact → (relationship, column, required).
STEP_WORDS = {
    "decision.rationale": ("threshold_decisions", "rationale", True),
    "decision.persistence": ("threshold_decisions", "persistence", False),
    "decision.harm": ("threshold_decisions", "harm", False),
    "decision.adequacy_of_response": ("threshold_decisions", "adequacy_of_response", False),
    "panel.findings": ("panels", "findings", True),
    "panel.location": ("panels", "location", False),
    "appeal.grounds": ("appeals", "grounds", True),
    "appeal.reason": ("appeals", "reason", False),
}
_STEP_DATE = re.compile(r"^steps\.([a-z_]+)\.on$")
#: Audit events of corrections (none of them moves the case on).
CORRECTION_EVENTS = ("correct", "reverse_step")


@dataclass
class Correction:
    """What a correction changed and what moved because of it, for the person who made it."""

    changes: list[dict[str, Any]] = field(default_factory=list)
    #: Deadlines whose due date moved: clock, before, after.
    moved: list[dict[str, Any]] = field(default_factory=list)
    suggestion_before: bool = False
    suggestion_after: bool = False

    def summary(self, labels: Mapping[str, str]) -> list[str]:
        """Sentences for the page: each fact, each deadline that moved, the suggestion."""
        lines = [
            f"{describe_fact(c['fact'])}: {c['before'] or 'nothing'} → {c['after'] or 'nothing'}."
            for c in self.changes
        ]
        for m in self.moved:
            after, before = date.fromisoformat(m["after"]), date.fromisoformat(m["before"])
            lines.append(
                f"{_label(labels, m['clock'])} now due {english_date(after)} "
                f"(was {english_date(before)})."
            )
        if self.suggestion_before != self.suggestion_after:
            lines.append(
                "The rules now suggest the threshold is "
                f"{'met' if self.suggestion_after else 'not met'}."
            )
        return lines


def _label(labels: Mapping[str, str], clock: str) -> str:
    """A moved clock's label in the case's version: one it does not declare is a gap in
    the declaration, said as such, never its raw key shown to the person correcting."""
    try:
        return labels[clock]
    except KeyError:
        raise KeyError(f"the case's process declares no clock '{clock}' (no label)") from None


def describe_fact(fact: str) -> str:
    """A fact's name in words ("Victim name", "Incident 1 date")."""
    parts = fact.split(".")
    words = []
    for part in parts:
        if part.isdigit():
            words[-1] = f"{words[-1]} {int(part) + 1}"
        elif part == "incidents":
            words.append("incident")
        elif part == "complaints":
            words.append("complaint")
        elif part == "steps":
            continue
        elif part == "on":
            words.append("date")
        else:
            words.append(part.replace("_", " "))
    return " ".join(words).capitalize()


def case_as_input(case: CaseReview) -> dict[str, Any]:
    """The case's recorded facts in the shape of its input (``CaseIn``), as JSON values."""
    victim, applicant = case.victim, case.applicant
    return {
        "received_on": case.received_on.isoformat(),
        "channel": case.channel,
        "dissatisfaction": case.dissatisfaction,
        "single_point_of_contact": case.single_point_of_contact,
        "youth_asb": case.is_youth_asb,
        "ward": case.ward,
        "victim": {
            name: getattr(victim, name)
            for name in (
                "type",
                "name",
                "address",
                "postcode",
                "email",
                "phone",
                "contact_preference",
                "accessibility_needs",
                "language",
                "is_vulnerable",
                "is_repeat_victim",
            )
        },
        "applicant": {
            "on_behalf": applicant.on_behalf,
            "name": applicant.name,
            "relationship": applicant.relationship_to_victim,
            "consent_given_on": (
                applicant.consent_given_on.isoformat() if applicant.consent_given_on else None
            ),
            "email": applicant.email,
            "phone": applicant.phone,
            "address": applicant.address,
            "contact_preference": applicant.contact_preference,
        },
        "incidents": [
            {
                "occurred_on": incident.occurred_on.isoformat(),
                "description": incident.description,
                "location": incident.location,
                "hate_related": incident.is_hate_related,
                "complaints": [
                    {
                        "reported_on": c.reported_on.isoformat(),
                        "reported_to": c.reported_to,
                        "is_registered_provider": c.is_registered_provider,
                        "reporter": c.reporter,
                        "reference": c.reference,
                    }
                    for c in incident.complaints
                ],
            }
            for incident in case.incidents
        ],
    }


def correct(
    session: Session,
    case: CaseReview,
    data: Mapping[str, Any],
    actor: Actor,
    now: datetime,
    policy: Policy,
) -> Correction:
    """Correct recorded facts of ``case`` with a reason; raise InvalidData, changing
    nothing, if any new value is not one the case could have been given."""
    permissions.require(actor, permissions.CORRECT_CASE)
    values = parse(CorrectionIn, dict(data))
    check_version(case, values.version)
    process = process_for(case.workflow_version)
    today = policy.today(now)
    result = Correction(suggestion_before=threshold_suggestion(case, policy).met)
    due_before = {d.step: d.due_on for d in case.deadlines}

    facts, step_dates, words = {}, {}, {}
    problems: dict[str, str] = {}
    for fact, value in values.changes.items():
        if match := _STEP_DATE.match(fact):
            step_dates[match.group(1)] = (fact, value)
        elif fact in STEP_WORDS:
            words[fact] = value
        else:
            facts[fact] = value
    with session.no_autoflush:
        planned = _plan_facts(case, facts, today, policy, problems)
        redates = [
            _plan_step_date(session, case, process, event, fact, value, today, problems)
            for event, (fact, value) in step_dates.items()
        ]
        planned_words = _plan_words(case, words, problems)
        if problems:
            raise InvalidData(problems)
        result.changes += _write_facts(case, planned, process, policy)
        for redate in redates:
            if redate is not None:
                result.changes.append(_redate_step(case, process, policy, *redate))
        result.changes += _write_words(case, planned_words)
    if not result.changes:
        raise InvalidData({"changes": "each value given is the one already recorded"})
    result.moved = [
        {"clock": d.step, "before": due_before[d.step].isoformat(), "after": d.due_on.isoformat()}
        for d in case.deadlines
        if d.step in due_before and due_before[d.step] != d.due_on
    ]
    result.suggestion_after = threshold_suggestion(case, policy).met
    case.updated_at = now
    write_audit(
        session,
        case,
        actor,
        now,
        "correct",
        case.state,
        case.state,
        today,
        {
            "reason": values.reason,
            "changes": result.changes,
            "moved": result.moved,
            "suggestion": {"before": result.suggestion_before, "after": result.suggestion_after},
        },
    )
    flush_case(session, case.reference)
    return result


# --- the application's facts -----------------------------------------------------------


def _plan_facts(
    case: CaseReview,
    facts: dict[str, Any],
    today: date,
    policy: Policy,
    problems: dict[str, str],
) -> list[tuple[str, Any, Any]]:
    """(fact, before, after) for each fact that changes, after checking the whole
    application as it would then be, by the same rules as a new one (``CaseIn``)."""
    if not facts:
        return []
    current = case_as_input(case)
    proposed = copy.deepcopy(current)
    for fact, value in facts.items():
        if not _settable(proposed, fact):
            problems[fact] = "is not a fact that can be corrected"
            continue
        _set(proposed, fact, value)
    if problems:
        return []
    try:
        checked = parse(CaseIn, proposed).model_dump(mode="json")
    except InvalidData as error:
        problems.update(error.fields)
        return []
    planned = []
    for fact in facts:
        before, after = _get(current, fact), _get(checked, fact)
        if before != after:
            planned.append((fact, before, after))
    received = next((after for fact, _, after in planned if fact == "received_on"), None)
    if received is not None:
        day = date.fromisoformat(received)
        check_in_range(day, "received_on", policy)
        if day > today:
            problems["received_on"] = f"cannot be in the future: today is {english_date(today)}"
        elif case.acknowledged_on is not None and day > case.acknowledged_on:
            problems["received_on"] = (
                f"cannot be after the acknowledgement, on {english_date(case.acknowledged_on)}"
            )
    return planned


def _write_facts(
    case: CaseReview, planned: list[tuple[str, Any, Any]], process: Process, policy: Policy
) -> list[dict[str, Any]]:
    changes = []
    for fact, before, after in planned:
        target, column = _column(case, fact)
        value = date.fromisoformat(after) if column.endswith("_on") and after else after
        setattr(target, column, value)
        changes.append({"fact": fact, "before": before, "after": after})
        if fact == "received_on":
            _restart(case, process.first_clock, value, process, policy)
    case.is_hate_related = any(incident.is_hate_related for incident in case.incidents)
    return changes


def _column(case: CaseReview, fact: str) -> tuple[Any, str]:
    parts = fact.split(".")
    if parts[0] in CASE_FACTS:
        return case, CASE_FACTS[parts[0]]
    if parts[0] == "victim":
        return case.victim, parts[1]
    if parts[0] == "applicant":
        return case.applicant, APPLICANT_COLUMNS.get(parts[1], parts[1])
    incident = case.incidents[int(parts[1])]
    if parts[2] == "complaints":
        return incident.complaints[int(parts[3])], parts[4]
    return incident, INCIDENT_COLUMNS.get(parts[2], parts[2])


def _settable(data: Any, fact: str) -> bool:
    """Whether ``fact`` names one value already in ``data`` (not a list, not an object)."""
    target = data
    for part in fact.split("."):
        if isinstance(target, list) and part.isdigit() and int(part) < len(target):
            target = target[int(part)]
        elif isinstance(target, dict) and part in target:
            target = target[part]
        else:
            return False
    return not isinstance(target, (list, dict)) and fact.split(".")[0] in (
        *CASE_FACTS,
        "victim",
        "applicant",
        "incidents",
    )


def _get(data: Any, fact: str) -> Any:
    for part in fact.split("."):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


def _set(data: Any, fact: str, value: Any) -> None:
    *path, last = fact.split(".")
    for part in path:
        data = data[int(part)] if isinstance(data, list) else data[part]
    data[last] = value


# --- a step's date and words ---------------------------------------------------------


def step_events(session: Session, case: CaseReview, process: Process) -> list[AuditEvent]:
    """The steps of the process taken on the case, in order, leaving out those reversed."""
    rows = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.case_id == case.id,
            AuditEvent.event.in_([*process.events, "reverse_step"]),
        )
        .order_by(AuditEvent.id)
    ).all()
    return steps_taken(rows, process)


def steps_taken(rows: Iterable[Any], process: Process) -> list[Any]:
    """Of a case's audit events in order (anything with ``id``, ``event`` and ``data``), the
    steps of the process, leaving out those reversed."""
    rows = [row for row in rows if row.event in process.events or row.event == "reverse_step"]
    reversed_ids = {row.data.get("reverses") for row in rows if row.event == "reverse_step"}
    return [row for row in rows if row.event != "reverse_step" and row.id not in reversed_ids]


def _plan_step_date(
    session: Session,
    case: CaseReview,
    process: Process,
    event: str,
    fact: str,
    value: Any,
    today: date,
    problems: dict[str, str],
) -> tuple[str, AuditEvent, date, bool] | None:
    if event not in process.corrections:
        problems[fact] = f"'{event}' is not a step whose date can be corrected"
        return None
    try:
        new = parse(EventIn, {"on": value}).on
    except InvalidData as error:
        problems[fact] = error.fields.get("on", "must be a date written YYYY-MM-DD")
        return None
    steps = step_events(session, case, process)
    index = next((i for i in reversed(range(len(steps))) if steps[i].event == event), None)
    if index is None or new is None:
        problems[fact] = f"the case has no step '{event}' to correct"
        return None
    step = steps[index]
    earliest = steps[index - 1].step_on if index > 0 else case.received_on
    latest = steps[index + 1].step_on if index + 1 < len(steps) else today
    if earliest is not None and new < earliest:
        problems[fact] = f"cannot be before the step before it, on {english_date(earliest)}"
    elif latest is not None and new > latest:
        what = "the step after it" if index + 1 < len(steps) else "today"
        problems[fact] = f"cannot be after {what}, {english_date(latest)}"
    elif step.step_on == new:
        return None
    return (fact, step, new, index == len(steps) - 1)


def _redate_step(
    case: CaseReview,
    process: Process,
    policy: Policy,
    fact: str,
    step: AuditEvent,
    new: date,
    is_latest: bool,
) -> dict[str, Any]:
    """Move the step's date, the clocks it met or started, and its own date columns."""
    old = step.step_on
    assert old is not None  # a step of the process always has its date
    move = process.move_for(step.event, step.data, step.from_state)
    for key in move.meets:
        deadline = deadlines.find(case, key)
        if deadline is not None and deadline.ended_on == old:
            deadline.ended_on = new
    for key in move.starts:
        deadline = deadlines.find(case, key)
        if deadline is not None and deadline.started_on == old:
            _restart(case, key, new, process, policy)
    if move.stops_all:
        for deadline in case.deadlines:
            if deadline.status == DeadlineStatus.STOPPED and deadline.ended_on == old:
                deadline.ended_on = new
    process.corrections[step.event].redate(case, old, new)
    if is_latest:
        case.last_step_on = new
    return {"fact": fact, "before": old.isoformat(), "after": new.isoformat()}


def _plan_words(
    case: CaseReview, words: dict[str, Any], problems: dict[str, str]
) -> list[tuple[str, Any, str, str]]:
    planned = []
    for fact, value in words.items():
        relation, column, required = STEP_WORDS[fact]
        rows = getattr(case, relation)
        if relation == "panels":  # the findings are the latest review's, not a panel to come
            rows = [panel for panel in rows if panel.held_on is not None]
        if not rows:
            problems[fact] = "the case has no such step recorded yet"
            continue
        text = value.strip() if isinstance(value, str) else None
        if text is None:
            problems[fact] = "must be text"
        elif required and not text:
            problems[fact] = "must not be empty"
        elif len(text) > 10_000:
            problems[fact] = "must be at most 10000 characters"
        elif getattr(rows[-1], column) != text:
            planned.append((fact, rows[-1], column, text))
    return planned


def _write_words(
    case: CaseReview, planned: list[tuple[str, Any, str, str]]
) -> list[dict[str, Any]]:
    changes = []
    for fact, row, column, text in planned:
        changes.append({"fact": fact, "before": getattr(row, column), "after": text})
        setattr(row, column, text)
    return changes


def _restart(case: CaseReview, key: str, on: date, process: Process, policy: Policy) -> None:
    """A clock that ran from a corrected date runs from the right one: its due date moves,
    whether it is still running or was met (late or in time) already."""
    deadline: Deadline | None = deadlines.find(case, key)
    if deadline is None:
        return
    deadline.started_on = on
    deadline.due_on = policy.calendar.add_working_days(
        on, deadlines.limit(process.clock[key], policy)
    )
