"""The only way a case review changes: open it, or apply one event of the process to it.

Each call validates the data, checks the case's version, fires the transition, sets the
working-day deadlines, writes the audit event and queues the letters, all in the caller's
one transaction (``triggers.db.write_transaction``): either everything is written or
nothing is. Pure in time: ``now`` is passed in, so "as if it were 25 April 2025" is a test.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, joinedload, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from notifications.outbox import queue_confirmation, queue_for_event
from triggers.audit import append_at_commit, append_event
from triggers.calendar import english_date
from triggers.db import write_transaction
from triggers.models import (
    Applicant,
    ApplicationDraft,
    AuditEvent,
    CaseAgency,
    CaseReview,
    ChronologyEntry,
    Complaint,
    Incident,
    OutboxMessage,
    Partnership,
    ReferenceCounter,
    Victim,
)
from triggers.policy import Policy
from triggers.statuses import DeadlineStatus, OutboxStatus
from workflows import deadlines, panel_notices, permissions
from workflows.case_review import CASE_REVIEW, newest, process_for
from workflows.dashboard import Viewer
from workflows.drafts import mark_sent
from workflows.errors import (
    EventNotAllowed,
    InvalidData,
    PermissionDenied,
    StaleCase,
)
from workflows.process import Move, Operation, Process
from workflows.steps import agencies_by_name, agency_named, check_in_range
from workflows.steps import suggest_for as suggest_for
from workflows.steps import threshold_suggestion as threshold_suggestion

# The input's schemas (pydantic) are imported when a case is opened or changed: reading a
# case (`casereview case show`, which records the view) needs none of them.
if TYPE_CHECKING:
    from workflows.schemas import EventIn


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in person (with a role) or a process (role None)."""

    label: str
    user_id: int | None = None
    role: str | None = None
    #: The IP address the person acted from, through the web or the API (for the audit).
    address: str = ""
    #: The agency an agency representative or panel member speaks for
    #: (``workflows.permissions``).
    agency_id: int | None = None
    #: The web or API request acting (its X-Request-ID), recorded on the audit event.
    request_id: str = ""


@dataclass
class Outcome:
    case: CaseReview
    #: Things the person should know that did not stop the step (a late panel date...).
    warnings: list[str] = field(default_factory=list)


def open_case(
    session: Session,
    partnership: Partnership,
    data: Mapping[str, Any],
    actor: Actor,
    now: datetime,
    policy: Policy,
) -> CaseReview:
    """Log an activation: the application is recorded and the acknowledgement clock starts.
    A new case runs on the newest version of the process."""
    permissions.require(actor, permissions.OPEN_CASE)
    from workflows.schemas import CaseIn, parse

    case_in = parse(CaseIn, dict(data))
    process = newest()
    today = policy.today(now)
    check_in_range(case_in.received_on, "received_on", policy)
    if case_in.received_on > today:
        raise InvalidData(
            {"received_on": f"cannot be in the future: today is {english_date(today)}"}
        )
    agencies = agencies_by_name(session, partnership.id)
    involved = [
        agency_named(agencies, name, f"agencies.{i}") for i, name in enumerate(case_in.agencies)
    ]
    lead = (
        agency_named(agencies, case_in.lead_agency, "lead_agency") if case_in.lead_agency else None
    )
    if lead is not None and lead not in involved:
        involved.append(lead)

    case = CaseReview(
        partnership_id=partnership.id,
        reference=_next_reference(session, partnership, case_in.received_on.year),
        state=process.initial,
        workflow_version=process.version,
        received_on=case_in.received_on,
        channel=case_in.channel,
        dissatisfaction=case_in.dissatisfaction,
        correspondence_language=case_in.correspondence_language,
        single_point_of_contact=case_in.single_point_of_contact,
        is_youth_asb=case_in.youth_asb,
        is_hate_related=any(incident.hate_related for incident in case_in.incidents),
        ward=case_in.ward,
        lead_agency=lead,
        last_step_on=case_in.received_on,
        created_at=now,
        updated_at=now,
    )
    victim = case_in.victim
    case.victim = Victim(**victim.model_dump())
    applicant = case_in.applicant.model_dump()
    applicant["relationship_to_victim"] = applicant.pop("relationship")
    case.applicant = Applicant(**applicant)
    for incident in case_in.incidents:
        case.incidents.append(
            Incident(
                occurred_on=incident.occurred_on,
                description=incident.description,
                location=incident.location,
                is_hate_related=incident.hate_related,
                complaints=[Complaint(**c.model_dump()) for c in incident.complaints],
            )
        )
    case.agencies = [CaseAgency(agency=agency) for agency in involved]
    deadlines.start(case, process.clock[process.first_clock], case.received_on, policy)
    session.add(case)
    session.flush()
    write_audit(
        session,
        case,
        actor,
        now,
        "open",
        "",
        process.initial,
        case.received_on,
        {
            "channel": case.channel,
            "incidents": len(case.incidents),
            "on_behalf": case.applicant.on_behalf,
        },
    )
    session.flush()
    return case


def send_online_application(
    session: Session,
    draft: ApplicationDraft,
    partnership: Partnership,
    data: Mapping[str, Any],
    actor: Actor,
    now: datetime,
    policy: Policy,
) -> dict[str, Any]:
    """An application sent from the public form: the case is opened, the applicant's
    confirmation queued and the draft marked sent, in the caller's one transaction. Returns
    what the confirmation page shows (kept with the draft, so a second send shows it again)."""
    case = open_case(session, partnership, data, actor, now, policy)
    emailed = queue_confirmation(session, case, now) is not None
    due = deadlines.find(case, process_for(case.workflow_version).first_clock)
    sent = {
        "reference": case.reference,
        "acknowledge_by": due.due_on.isoformat() if due else "",
        "emailed": emailed,
    }
    mark_sent(draft, sent, now)
    return sent


def for_a_step(
    query: Select[tuple[CaseReview]], event: str | None = None, process: Process = CASE_REVIEW
) -> Select[tuple[CaseReview]]:
    """A query for a case about to be stepped (by ``event``, when known): its row locked (on
    PostgreSQL) so that two people acting at once take turns, and what the step reads (its
    deadlines, and what the step ``reads``) loaded in the same query rather than one query each.
    Read it with ``.unique()``."""
    # FOR NO KEY UPDATE, not FOR UPDATE: two steps on one case still take turns, but a
    # case page recording its view meanwhile (the audit head locked, then an event whose
    # foreign key share-locks the case) is not blocked by it: with FOR UPDATE the two
    # waited for each other, and PostgreSQL killed one as a deadlock (bench/load.py).
    loads = _step_loads(process, event or "")
    return query.options(*loads).with_for_update(of=CaseReview, key_share=True)


def case_for_a_step(
    session: Session,
    event: str | None,
    *,
    reference: str | None = None,
    case_id: int | None = None,
    viewer: Viewer | None = None,
    process: Process = CASE_REVIEW,
) -> CaseReview | None:
    """The case (by ``reference`` or ``case_id``) about to be stepped by ``event``, as
    ``for_a_step`` loads it; with a ``viewer``, only if that person may see it.

    The statement is built once per event, key and role, its values bound at execution: a
    query built per request is compiled from its cache key, and the key of a query with its
    joined loads and lock was computed again on every step (a fifth of the service's time
    in a step, bench/throughput.py)."""
    by = "reference" if reference is not None else "id"
    role = (viewer.role,) if viewer is not None else None
    # An event the process does not know loads as no event (``apply`` refuses it): the
    # statements are kept per event, and a request must not be able to add to them.
    known = event if event in process.step else ""
    statement = _step_statement(process, known, by, role)
    values = {"key": reference if reference is not None else case_id}
    if viewer is not None:
        values |= {"partnership_id": viewer.partnership_id, "agency_id": viewer.agency_id}
    return session.execute(statement, values).unique().scalar()


@functools.cache
def _step_statement(
    process: Process, event: str, by: str, role: tuple[str | None] | None
) -> Select[tuple[CaseReview]]:
    key = CaseReview.reference if by == "reference" else CaseReview.id
    query = select(CaseReview).where(key == bindparam("key"))
    if role is not None:
        query = permissions.visible_to(
            query,
            partnership_id=bindparam("partnership_id"),  # type: ignore[arg-type]
            role=role[0],  # type: ignore[arg-type]
            agency_id=bindparam("agency_id"),  # type: ignore[arg-type]
        )
    return for_a_step(query, event or None, process)


@functools.cache
def _step_loads(process: Process, event: str) -> tuple[Any, ...]:
    reads = process.step[event].reads if event in process.step else ()
    related = (CaseReview.deadlines, *(getattr(CaseReview, name) for name in reads))
    return tuple(joinedload(attribute) for attribute in related)


def apply(
    session: Session,
    case: CaseReview,
    event: str,
    data: Mapping[str, Any],
    actor: Actor,
    now: datetime,
    policy: Policy,
    process: Process | None = None,
) -> Outcome:
    """Move ``case`` by ``event`` with ``data``; raise a WorkflowError and change nothing if not.

    The case moves by the version of the process it was opened under (or ``process``)."""
    process = process or process_for(case.workflow_version)
    if event not in process.step:
        raise InvalidData({"event": f"must be one of {', '.join(process.events)}"})
    # A stale version comes first: the person acted on an old page and must reload.
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version != case.version:
        raise StaleCase(
            f"Case {case.reference} was changed by someone else (it is now at version "
            f"{case.version}, you had version {version}). Reload it and try again."
        )
    if event not in process.allowed_events(case.state):
        offered = process.offered_events(case.state, policy.config, policy.today(now))
        raise EventNotAllowed(event, case.state, offered)
    step = process.step[event]
    if actor.role is not None and actor.role not in step.roles:  # the case's version's roles
        raise PermissionDenied(f"Your role ({actor.role}) may not {event.replace('_', ' ')}.")
    from workflows.schemas import parse

    event_in = parse(step.schema, dict(data))
    on = step_date(event_in, case, policy, now)
    if step.unavailable is not None and (why := step.unavailable(policy.config, on)):
        raise InvalidData({"event": why})
    reference = case.reference
    try:
        # One flush, just before the audit event (``write_audit``): the case row is written (and
        # its version bumped) once.
        with session.no_autoflush:
            return _record_step(session, case, process, event, event_in, on, actor, now, policy)
    except StaleDataError:
        raise _changed_meanwhile(reference) from None


def check_version(case: CaseReview, version: int | None) -> None:
    """Refuse a change made on an old reading of the case (someone else changed it since)."""
    if version is not None and version != case.version:
        raise StaleCase(
            f"Case {case.reference} was changed by someone else (it is now at version "
            f"{case.version}, you had version {version}). Reload it and try again."
        )


def flush_case(session: Session, reference: str) -> None:
    """Write a case's changes; if someone else changed it first, say so (never a trace)."""
    try:
        session.flush()
    except StaleDataError:
        raise _changed_meanwhile(reference) from None


def _changed_meanwhile(reference: str) -> StaleCase:
    return StaleCase(
        f"Case {reference} was changed by someone else at the same moment. Reload it and try again."
    )


def _record_step(
    session: Session,
    case: CaseReview,
    process: Process,
    event: str,
    event_in: EventIn,
    on: date,
    actor: Actor,
    now: datetime,
    policy: Policy,
) -> Outcome:
    outcome = Outcome(case)
    details = process.step[event].record(session, case, event_in, on, actor, policy, outcome)

    values = event_in.model_dump(mode="json", exclude={"on", "version"})
    from_state, step_key = case.state, f"v{case.version}"
    move = advance(case, process, event, values, on, policy)
    case.updated_at = now
    queue_for_event(
        session,
        case,
        move.letters,
        step_key,
        now,
        {
            "event": event,
            "on": on.isoformat(),
        },
        held=policy.config.mail.hold_for_approval,
    )
    write_audit(session, case, actor, now, event, from_state, case.state, on, {**values, **details})
    return outcome


def advance(
    case: CaseReview,
    process: Process,
    event: str,
    values: Mapping[str, Any],
    on: date,
    policy: Policy,
) -> Move:
    """The move itself, once the step is checked and recorded: the transition fired, the
    clocks started and stopped, the day of the last step. What a live step and an imported
    one share (``workflows.history_import`` replays through it), so that both end the same."""
    before = case.state
    if not process.fire(case, event, **values):  # pragma: no cover - the schemas prevent it
        raise InvalidData({"event": "no transition matched the data given"})
    move = process.move_for(event, values, before)
    deadlines.apply_move(case, move, process.clock, on, policy)
    case.last_step_on = on
    return move


def require_allowed(case: CaseReview, name: str) -> Operation:
    """The operation ``name`` of the case's version of the process, refused (as a step
    would be) where that version does not allow it in the case's state. Called first, before
    the data is read: the state is the first refusal. An operation not declared is a gap in
    the process, found by its consistency test (tests/workflows/test_process.py)."""
    process = process_for(case.workflow_version)
    operation = process.operation[name]
    if case.state not in process.allowed_in(operation):
        raise EventNotAllowed(name, case.state, process.allowed_events(case.state))
    return operation


def change_beside(
    session: Session,
    case: CaseReview,
    name: str,
    actor: Actor,
    now: datetime,
    on: date,
    data: dict[str, Any],
) -> None:
    """The one path for a change of a case that does not move it (the chronology, the
    action plan, the notes, the agencies and incidents): refused where the case's version of
    the process does not allow it in the case's state (``require_allowed``), audited, its
    letters queued, written. The caller has checked the permission and the data, and made
    the change on ``case``."""
    operation = require_allowed(case, name)
    case.updated_at = now
    write_audit(session, case, actor, now, name, case.state, case.state, on, data)
    if operation.letters:
        queue_for_event(
            session,
            case,
            operation.letters,
            f"{name}-v{case.version}",
            now,
            {"event": name, "on": on.isoformat()},
        )
    flush_case(session, case.reference)


def record_chronology(
    session: Session,
    case: CaseReview,
    data: Mapping[str, Any],
    actor: Actor,
    now: datetime,
    policy: Policy,
) -> ChronologyEntry:
    """Add one agency's record of contact with the victim to the case's chronology."""
    permissions.require(actor, permissions.ADD_CHRONOLOGY)
    from workflows.schemas import ChronologyIn, parse

    entry_in = parse(ChronologyIn, dict(data))
    if entry_in.occurred_on > policy.today(now):
        raise InvalidData({"occurred_on": "cannot be in the future"})
    agency = agency_named(agencies_by_name(session, case.partnership_id), entry_in.agency, "agency")
    # Before the agency is linked to the case: writing for it would let its people see it.
    permissions.require_act_for(actor, permissions.ADD_CHRONOLOGY, agency.id)
    entry = ChronologyEntry(
        agency=agency,
        occurred_on=entry_in.occurred_on,
        summary=entry_in.summary,
        recorded_at=now,
        recorded_by=actor.label,
    )
    case.chronology.append(entry)
    if all(link.agency_id != agency.id for link in case.agencies):
        case.agencies.append(CaseAgency(agency=agency))
    change_beside(
        session,
        case,
        "record_chronology",
        actor,
        now,
        entry_in.occurred_on,
        {"agency": agency.name},
    )
    return entry


# --- helpers --------------------------------------------------------------------------


def step_date(event_in: EventIn, case: CaseReview, policy: Policy, now: datetime) -> date:
    today = policy.today(now)
    on = event_in.on or today
    if on > today:
        raise InvalidData({"on": f"cannot be in the future: today is {english_date(today)}"})
    if on < case.last_step_on:
        raise InvalidData(
            {"on": f"cannot be before the previous step, on {english_date(case.last_step_on)}"}
        )
    return on


def _next_reference(session: Session, partnership: Partnership, year: int) -> str:
    """CT-2025-007: numbered per partnership and year, never reused, safe under concurrency."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(ReferenceCounter)
        .values(partnership_id=partnership.id, year=year, last_number=0)
        .on_conflict_do_nothing()
    )
    number = session.execute(
        update(ReferenceCounter)
        .where(ReferenceCounter.partnership_id == partnership.id, ReferenceCounter.year == year)
        .values(last_number=ReferenceCounter.last_number + 1)
        .returning(ReferenceCounter.last_number)
    ).scalar_one()
    return f"{partnership.code}-{year}-{number:03d}"


def write_audit(
    session: Session,
    case: CaseReview,
    actor: Actor,
    now: datetime,
    event: str,
    from_state: str,
    to_state: str,
    on: date | None,
    data: dict[str, Any],
) -> None:
    """One event on the audit chain for a case that has its id (inserted at once).

    The session's pending writes go first: the chain's head is the one row every writer of
    the installation queues for, so it is locked last and held only for the event and the
    commit, not for the step's own rows as well."""
    flush_case(session, case.reference)
    append_event(
        session,
        {
            "partnership_id": case.partnership_id,
            "case_id": case.id,
            "at": now,
            "actor": actor.label,
            "client_address": actor.address,
            "request_id": actor.request_id,
            "event": event,
            "from_state": from_state,
            "to_state": to_state,
            "step_on": on,
            "data": data,
        },
    )


def record_view(
    session: Session,
    case: CaseReview,
    actor: Actor,
    now: datetime,
    what: str,
    *,
    at_once: bool = False,
) -> None:
    """Reading a case's personal data is accounted for as well as changing it (UK GDPR
    accountability): who saw which case, when, from where, and through what.

    Appended when the reading transaction commits, after the page or the answer is built:
    the chain's head is the one row every writer of the installation queues for, and must
    not be held while Python works. ``at_once`` appends it now instead, for an export that
    lists its own view (the audit trail, a subject access export)."""
    if at_once:
        write_audit(
            session, case, actor, now, "viewed", case.state, case.state, None, {"what": what}
        )
        return
    record_view_of(session, ViewedCase.of(case), actor, now, what)


@dataclass(frozen=True)
class ViewedCase:
    """What a view's audit event records of its case: kept from the session that read the
    case, so that the view is appended in a short transaction of its own without reading the
    case again (the case page, ``record_view_of``)."""

    partnership_id: int
    id: int
    state: str

    @classmethod
    def of(cls, case: CaseReview) -> ViewedCase:
        return cls(case.partnership_id, case.id, case.state)


def record_view_of(
    session: Session, case: ViewedCase, actor: Actor, now: datetime, what: str
) -> None:
    """``record_view`` of a case read in another session: appended when ``session``'s
    transaction commits."""
    append_at_commit(
        session,
        {
            "partnership_id": case.partnership_id,
            "case_id": case.id,
            "at": now,
            "actor": actor.label,
            "client_address": actor.address,
            "request_id": actor.request_id,
            "event": "viewed",
            "from_state": case.state,
            "to_state": case.state,
            "data": {"what": what},
        },
    )


def record_view_after_reading(
    sessions: sessionmaker[Session], case: ViewedCase, actor: Actor, now: datetime, what: str
) -> None:
    """``record_view_of`` in a short write transaction of its own, for a read path whose
    reads are done (the case page, the API's case GET). Read in a writing transaction
    instead, the case would hold SQLite's one write lock while the page or the answer is
    built; apart, the writer holds it only for the append and the commit (on PostgreSQL one
    statement, committed by the server as it ends: ``write_transaction``'s ``one_statement``)."""
    with write_transaction(sessions, one_statement=True) as session:
        record_view_of(session, case, actor, now, what)


def reverse_step(
    session: Session,
    case: CaseReview,
    data: Mapping[str, Any],
    actor: Actor,
    now: datetime,
    policy: Policy,
) -> Outcome:
    """Reverse the case's latest step (taken on the wrong case, or in error): the case goes
    back to the state before it, the clocks it met run again and those it started are taken
    off, the rows it wrote are taken back (the declaration's ``corrections``), and the
    letters it queued that are not yet sent are cancelled. Recorded as a correction with its
    reason; the step's own audit event stays. Only the latest step: an earlier one is reached
    by reversing those after it first, so the history never forks."""
    from workflows.corrections import step_events  # the corrections read the service

    permissions.require(actor, permissions.CORRECT_CASE)
    from workflows.schemas import ReverseStepIn, parse

    values = parse(ReverseStepIn, dict(data))
    check_version(case, values.version)
    process = process_for(case.workflow_version)
    steps = step_events(session, case, process)
    if not steps:
        raise InvalidData({"event": "the case has no step to reverse"})
    step = steps[-1]
    if values.event != step.event:
        raise InvalidData(
            {
                "event": f"only the latest step can be reversed, and that is '{step.event}' "
                f"(reverse it first to reach '{values.event}')"
            }
        )
    if step.event not in process.corrections:
        raise InvalidData({"event": f"'{step.event}' is not a step that can be reversed"})
    outcome = Outcome(case)
    on = step.step_on
    move = process.move_for(step.event, step.data, step.from_state)
    with session.no_autoflush:
        taken_back = process.corrections[step.event].undo(session, case, step)
        for key in move.meets:
            deadline = deadlines.find(case, key)
            met = deadline is not None and deadline.status == DeadlineStatus.MET
            if met and deadline.ended_on == on:
                deadline.status, deadline.ended_on = DeadlineStatus.RUNNING, None
        for key in move.starts:
            deadline = deadlines.find(case, key)
            if deadline is not None and deadline.started_on == on:
                case.deadlines.remove(deadline)
        if move.stops_all:
            for deadline in case.deadlines:
                if deadline.status == DeadlineStatus.STOPPED and deadline.ended_on == on:
                    deadline.status, deadline.ended_on = DeadlineStatus.RUNNING, None
        cancelled, already_sent = _cancel_letters(session, case, step)
        from_state = case.state
        case.state = step.from_state
        # Whoever a panel letter of the step reached hears of the panel as it now stands.
        told = panel_notices.tell_after_reversal(
            session, case, step, taken_back, process.final_states, now, policy
        )
        earlier = [row.step_on for row in steps[:-1] if row.step_on is not None]
        case.last_step_on = max([case.received_on, *earlier])
        case.updated_at = now
    if already_sent:
        outcome.warnings.append(
            "Already sent, so not cancelled: "
            + ", ".join(kind.replace("_", " ") for kind in already_sent)
            + ". Tell the people who received them."
        )
    if told:
        outcome.warnings.append(
            "The people the panel letters reached are sent the panel as it now stands."
        )
    write_audit(
        session,
        case,
        actor,
        now,
        "reverse_step",
        from_state,
        case.state,
        policy.today(now),
        {
            "reason": values.reason,
            "reverses": step.id,
            "step": step.event,
            "step_on": on.isoformat() if on else None,
            "letters_cancelled": cancelled,
            "letters_already_sent": already_sent,
            **({"panel_letters_queued": told} if told else {}),
            **taken_back,
        },
    )
    flush_case(session, case.reference)
    return outcome


def _cancel_letters(
    session: Session, case: CaseReview, step: AuditEvent
) -> tuple[list[str], list[str]]:
    """Cancel the letters ``step`` queued that have not gone (written in its transaction, so
    at its moment); return the kinds cancelled and those already sent."""
    rows = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.case_id == case.id, OutboxMessage.created_at == step.at
        )
    ).all()
    cancelled, sent = [], []
    for row in rows:
        if row.payload.get("event") != step.event:  # another step in the same moment
            continue
        # A letter held for approval has not gone either: it must not wait to be approved.
        if row.status in (OutboxStatus.PENDING, OutboxStatus.FAILED, OutboxStatus.HELD):
            row.status = OutboxStatus.CANCELLED
            cancelled.append(row.kind)
        else:
            sent.append(row.kind)
    return cancelled, sent
