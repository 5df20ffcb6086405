"""The only way a case review changes: open it, or apply one event of the process to it.

Each call validates the data, checks the case's version, fires the transition, sets the
working-day deadlines, writes the audit event and queues the letters, all in the caller's
one transaction (``triggers.db.write_transaction``): either everything is written or
nothing is. Pure in time: ``now`` is passed in, so "as if it were 25 April 2025" is a test.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.exc import StaleDataError

from notifications.outbox import queue_for_event
from triggers.audit import append_event
from triggers.calendar import english_date
from triggers.models import (
    Agency,
    Appeal,
    Applicant,
    AuditEvent,
    CaseAgency,
    CaseReview,
    CaseTheme,
    ChronologyEntry,
    Complaint,
    Incident,
    Panel,
    Partnership,
    Recommendation,
    ReferenceCounter,
    ThresholdDecision,
    Victim,
)
from triggers.policy import Policy
from triggers.threshold import (
    ACT_CITATION,
    ComplaintFacts,
    IncidentFacts,
    ThresholdSuggestion,
    suggest,
)
from workflows import deadlines, permissions
from workflows.errors import (
    EventNotAllowed,
    InvalidData,
    StaleCase,
    ThresholdFloorMet,
)
from workflows.machine import EVENTS, RECEIVED, allowed_events, fire
from workflows.schemas import (
    EVENT_SCHEMAS,
    AcknowledgeIn,
    AppealIn,
    CaseIn,
    ChronologyIn,
    DecideAppealIn,
    DecideThresholdIn,
    EventIn,
    ReasonIn,
    RecordReviewIn,
    SchedulePanelIn,
    parse,
)

#: Roles that may apply each event; the manager may apply all of them.
EVENT_ROLES: dict[str, set[str]] = {event: {"manager"} for event in EVENTS}
EVENT_ROLES["decide_appeal"] = {"manager", "chair"}
#: The panel records its own meeting (findings, recommendations, who attended).
EVENT_ROLES["record_review"] = {"manager", "panel"}


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
    """Log an activation: the application is recorded and the acknowledgement clock starts."""
    permissions.require(actor, permissions.OPEN_CASE)
    case_in = parse(CaseIn, dict(data))
    today = policy.today(now)
    _check_in_range(case_in.received_on, "received_on", policy)
    if case_in.received_on > today:
        raise InvalidData(
            {"received_on": f"cannot be in the future: today is {english_date(today)}"}
        )
    agencies = _agencies_by_name(session, partnership.id)
    involved = [_agency(agencies, name, f"agencies.{i}") for i, name in enumerate(case_in.agencies)]
    lead = _agency(agencies, case_in.lead_agency, "lead_agency") if case_in.lead_agency else None
    if lead is not None and lead not in involved:
        involved.append(lead)

    case = CaseReview(
        partnership_id=partnership.id,
        reference=_next_reference(session, partnership, case_in.received_on.year),
        state=RECEIVED,
        received_on=case_in.received_on,
        channel=case_in.channel,
        dissatisfaction=case_in.dissatisfaction,
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
    deadlines.start(case, "acknowledge", case.received_on, policy)
    session.add(case)
    session.flush()
    _audit(
        session,
        case,
        actor,
        now,
        "open",
        "",
        RECEIVED,
        case.received_on,
        {
            "channel": case.channel,
            "incidents": len(case.incidents),
            "on_behalf": case.applicant.on_behalf,
        },
    )
    session.flush()
    return case


#: What each step reads besides the case and its deadlines (the letters' recipients, the
#: panel, the incidents for the threshold's rules...): loaded in the case's own query.
STEP_READS: dict[str, tuple[Any, ...]] = {
    "acknowledge": (CaseReview.agencies,),
    "decide_threshold": (CaseReview.incidents,),
    "schedule_panel": (CaseReview.panels, CaseReview.agencies),
    "record_review": (CaseReview.panels, CaseReview.agencies),
    "send_findings": (CaseReview.recommendations,),
    "decide_appeal": (CaseReview.appeals,),
}


def for_a_step(
    query: Select[tuple[CaseReview]], event: str | None = None
) -> Select[tuple[CaseReview]]:
    """A query for a case about to be stepped (by ``event``, when known): its row locked (on
    PostgreSQL) so that two people acting at once take turns, and what the step reads (its
    deadlines, and ``STEP_READS``) loaded in the same query rather than one query each.
    Read it with ``.unique()``."""
    # FOR NO KEY UPDATE, not FOR UPDATE: two steps on one case still take turns, but a
    # case page recording its view meanwhile (the audit head locked, then an event whose
    # foreign key share-locks the case) is not blocked by it: with FOR UPDATE the two
    # waited for each other, and PostgreSQL killed one as a deadlock (bench/load.py).
    return query.options(*_step_loads(event or "")).with_for_update(of=CaseReview, key_share=True)


@functools.cache
def _step_loads(event: str) -> tuple[Any, ...]:
    related = (CaseReview.deadlines, *STEP_READS.get(event, ()))
    return tuple(joinedload(attribute) for attribute in related)


def apply(
    session: Session,
    case: CaseReview,
    event: str,
    data: Mapping[str, Any],
    actor: Actor,
    now: datetime,
    policy: Policy,
) -> Outcome:
    """Move ``case`` by ``event`` with ``data``; raise a WorkflowError and change nothing if not."""
    if event not in EVENTS:
        raise InvalidData({"event": f"must be one of {', '.join(EVENTS)}"})
    # A stale version comes first: the person acted on an old page and must reload.
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version != case.version:
        raise StaleCase(
            f"Case {case.reference} was changed by someone else (it is now at version "
            f"{case.version}, you had version {version}). Reload it and try again."
        )
    allowed = allowed_events(case.state)
    if event not in allowed:
        raise EventNotAllowed(event, case.state, allowed)
    permissions.require(actor, event)
    event_in = parse(EVENT_SCHEMAS[event], dict(data))
    on = _step_date(event_in, case, policy, now)
    reference = case.reference
    try:
        # One flush, just before the audit event (``_audit``): the case row is written (and
        # its version bumped) once.
        with session.no_autoflush:
            return _record_step(session, case, event, event_in, on, actor, now, policy)
    except StaleDataError:
        raise _changed_meanwhile(reference) from None


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
    event: str,
    event_in: EventIn,
    on: date,
    actor: Actor,
    now: datetime,
    policy: Policy,
) -> Outcome:
    outcome = Outcome(case)
    details = _STEPS[event](session, case, event_in, on, actor, policy, outcome)

    values = event_in.model_dump(mode="json", exclude={"on", "version"})
    from_state, step_key = case.state, f"v{case.version}"
    if not fire(case, event, **values):  # pragma: no cover - the schemas make this unreachable
        raise InvalidData({"event": "no transition matched the data given"})
    deadlines.apply_effects(case, event, values, on, policy)
    case.last_step_on = on
    case.updated_at = now
    queue_for_event(
        session,
        case,
        deadlines.effect_key(event, values),
        step_key,
        now,
        {
            "event": event,
            "on": on.isoformat(),
        },
    )
    _audit(session, case, actor, now, event, from_state, case.state, on, {**values, **details})
    return outcome


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
    entry_in = parse(ChronologyIn, dict(data))
    if entry_in.occurred_on > policy.today(now):
        raise InvalidData({"occurred_on": "cannot be in the future"})
    agency = _agency(_agencies_by_name(session, case.partnership_id), entry_in.agency, "agency")
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
    case.updated_at = now
    _audit(
        session,
        case,
        actor,
        now,
        "record_chronology",
        case.state,
        case.state,
        entry_in.occurred_on,
        {"agency": agency.name},
    )
    flush_case(session, case.reference)
    return entry


def threshold_suggestion(case: CaseReview, policy: Policy) -> ThresholdSuggestion:
    """What the rules say about this case's recorded incidents and complaints."""
    return suggest_for(case.incidents, case.received_on, policy)


def suggest_for(
    incidents: list[Incident], received_on: date, policy: Policy
) -> ThresholdSuggestion:
    """What the rules say about these incidents (with their complaints), for an application
    received on ``received_on``: for a list of cases without loading each case."""
    facts = [
        IncidentFacts(
            occurred_on=incident.occurred_on,
            hate_related=incident.is_hate_related,
            complaints=[
                ComplaintFacts(c.reported_on, c.reporter, c.reported_to)
                for c in incident.complaints
            ],
        )
        for incident in incidents
    ]
    return suggest(facts, received_on, policy.config.threshold)


# --- one function per event: check what the schema cannot, then record the step ---------

StepRecorder = Callable[[Session, CaseReview, Any, date, Actor, Policy, Outcome], dict[str, Any]]


def _acknowledge(session, case, event_in: AcknowledgeIn, on, actor, policy, outcome):  # type: ignore[no-untyped-def]
    case.acknowledged_on = on
    if event_in.single_point_of_contact:
        case.single_point_of_contact = event_in.single_point_of_contact
    for link in case.agencies:
        link.chronology_requested_on = on
    due = deadlines.find(case, "acknowledge")
    if due is not None and on > due.due_on:
        outcome.warnings.append(f"Acknowledged after the limit of {english_date(due.due_on)}.")
    return {}


def _decide_threshold(session, case, event_in: DecideThresholdIn, on, actor, policy, outcome):  # type: ignore[no-untyped-def]
    suggestion = threshold_suggestion(case, policy)
    if event_in.decision == "not_met" and suggestion.statutory_floor_met:
        raise ThresholdFloorMet(
            {
                "decision": (
                    "cannot be 'not_met': the recorded complaints meet the statutory threshold "
                    f"under {ACT_CITATION} (at least "
                    f"{policy.config.threshold.statutory_minimum_incidents} qualifying complaints "
                    "about separate incidents), so the threshold must be treated as met"
                )
            }
        )
    if (event_in.decision == "met") != suggestion.met:
        outcome.warnings.append(
            f"The decision '{event_in.decision}' differs from the rules' suggestion "
            f"('{'met' if suggestion.met else 'not_met'}'); the rationale is recorded."
        )
    if event_in.lead_agency:
        agencies = _agencies_by_name(session, case.partnership_id)
        case.lead_agency = _agency(agencies, event_in.lead_agency, "lead_agency")
    session.add(
        ThresholdDecision(
            case=case,
            decision=event_in.decision,
            suggested_met=suggestion.met,
            rules_held=suggestion.rules_held,
            rationale=event_in.rationale,
            persistence=event_in.persistence,
            harm=event_in.harm,
            adequacy_of_response=event_in.adequacy_of_response,
            decided_on=on,
            decided_by=actor.label,
        )
    )
    case.threshold_decided_on = on
    return {"suggested_met": suggestion.met, "rules_held": suggestion.rules_held}


def _schedule_panel(session, case, event_in: SchedulePanelIn, on, actor, policy, outcome):  # type: ignore[no-untyped-def]
    if event_in.panel_on < on:
        raise InvalidData(
            {"panel_on": f"cannot be before the day it was arranged ({english_date(on)})"}
        )
    _check_in_range(event_in.panel_on, "panel_on", policy)
    panel = _open_panel(case)
    if panel is None:
        panel = Panel(panel_on=event_in.panel_on)
        case.panels.append(panel)
    panel.panel_on = event_in.panel_on
    panel.starts_at = event_in.starts_at or panel.starts_at or ""
    panel.duration_minutes = event_in.duration_minutes
    panel.location = event_in.location or panel.location or ""
    limit = deadlines.find(case, "panel")
    if limit is not None and event_in.panel_on > limit.due_on:
        outcome.warnings.append(
            f"The panel on {english_date(event_in.panel_on)} is after the "
            f"{policy.config.deadlines.panel}-working-day limit ({english_date(limit.due_on)})."
        )
    return {}


def _record_review(session, case, event_in: RecordReviewIn, on, actor, policy, outcome):  # type: ignore[no-untyped-def]
    agencies = _agencies_by_name(session, case.partnership_id)
    problems: dict[str, str] = {}
    owners = []
    for index, rec in enumerate(event_in.recommendations):
        try:
            owners.append(_agency(agencies, rec.agency, f"recommendations.{index}.agency"))
        except InvalidData as error:
            problems.update(error.fields)
        if rec.due_on < on:
            problems[f"recommendations.{index}.due_on"] = "cannot be before the review"
    known = policy.config.theme_keys()
    for index, theme in enumerate(event_in.themes):
        if theme not in known:
            problems[f"themes.{index}"] = (
                f"'{theme}' is not a configured theme; themes are: {', '.join(known) or 'none'}"
            )
    if problems:
        raise InvalidData(problems)
    panel = _open_panel(case)
    assert panel is not None  # the state machine only allows this with a panel scheduled
    panel.held_on = on
    panel.findings = event_in.findings
    panel.victim_attended = event_in.victim_attended
    panel.representative_attended = event_in.representative_attended
    panel.attendees = list(event_in.attendees)
    panel.recommendation_count = len(event_in.recommendations)
    for rec, agency in zip(event_in.recommendations, owners, strict=True):
        session.add(
            Recommendation(
                case=case, panel=panel, agency=agency, action=rec.action, due_on=rec.due_on
            )
        )
        if all(link.agency_id != agency.id for link in case.agencies):
            case.agencies.append(CaseAgency(agency=agency))
    for theme in dict.fromkeys(event_in.themes):
        session.add(CaseTheme(case=case, panel=panel, theme=theme))
    return {}


def _send_findings(session, case, event_in: EventIn, on, actor, policy, outcome):  # type: ignore[no-untyped-def]
    if case.recommendations and case.action_plan_shared_on is None:
        outcome.warnings.append(
            "The draft action plan was not shared with the victim for comment before the "
            "findings (2025 statutory guidance)."
        )
    case.findings_sent_on = on
    return {}


def _appeal(session, case, event_in: AppealIn, on, actor, policy, outcome):  # type: ignore[no-untyped-def]
    window = deadlines.find(case, "appeal_window")
    if window is not None and on > window.due_on:
        outcome.warnings.append(
            f"The appeal came after the window closed on {english_date(window.due_on)}."
        )
    session.add(Appeal(case=case, received_on=on, grounds=event_in.grounds))
    return {}


def _decide_appeal(session, case, event_in: DecideAppealIn, on, actor, policy, outcome):  # type: ignore[no-untyped-def]
    appeal = case.appeals[-1]
    appeal.outcome, appeal.reason = event_in.outcome, event_in.reason
    appeal.decided_on, appeal.decided_by = on, actor.label
    if event_in.outcome == "not_upheld":
        case.ended_on, case.end_reason = on, f"Appeal not upheld: {event_in.reason}"
    return {}


def _end(session, case, event_in: ReasonIn, on, actor, policy, outcome):  # type: ignore[no-untyped-def]
    case.ended_on, case.end_reason = on, event_in.reason
    return {}


_STEPS: dict[str, StepRecorder] = {
    "acknowledge": _acknowledge,
    "decide_threshold": _decide_threshold,
    "schedule_panel": _schedule_panel,
    "record_review": _record_review,
    "send_findings": _send_findings,
    "appeal": _appeal,
    "decide_appeal": _decide_appeal,
    "close": _end,
    "withdraw": _end,
}


# --- helpers --------------------------------------------------------------------------


def _step_date(event_in: EventIn, case: CaseReview, policy: Policy, now: datetime) -> date:
    today = policy.today(now)
    on = event_in.on or today
    if on > today:
        raise InvalidData({"on": f"cannot be in the future: today is {english_date(today)}"})
    if on < case.last_step_on:
        raise InvalidData(
            {"on": f"cannot be before the previous step, on {english_date(case.last_step_on)}"}
        )
    return on


def _check_in_range(day: date, name: str, policy: Policy) -> None:
    try:
        policy.calendar.add_working_days(day, 250)
    except (ValueError, IndexError):
        raise InvalidData(
            {name: "is outside the years this service can count working days in"}
        ) from None


def _open_panel(case: CaseReview) -> Panel | None:
    return next((panel for panel in reversed(case.panels) if panel.held_on is None), None)


def _agencies_by_name(session: Session, partnership_id: int) -> dict[str, Agency]:
    rows = session.scalars(select(Agency).where(Agency.partnership_id == partnership_id))
    return {agency.name.casefold(): agency for agency in rows}


def _agency(agencies: dict[str, Agency], name: str, field_name: str) -> Agency:
    agency = agencies.get(name.strip().casefold())
    if agency is None:
        names = ", ".join(sorted(a.name for a in agencies.values())) or "none configured"
        raise InvalidData(
            {field_name: f"'{name}' is not one of this partnership's agencies: {names}"}
        )
    return agency


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


def _audit(
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
            "event": event,
            "from_state": from_state,
            "to_state": to_state,
            "step_on": on,
            "data": data,
        },
    )


def record_view(session: Session, case: CaseReview, actor: Actor, now: datetime, what: str) -> None:
    """Reading a case's personal data is accounted for as well as changing it (UK GDPR
    accountability): who saw which case, when, from where, and through what."""
    _audit(session, case, actor, now, "viewed", case.state, case.state, None, {"what": what})


def audit_event(
    case: CaseReview,
    actor: str,
    now: datetime,
    event: str,
    from_state: str,
    to_state: str,
    on: date | None,
    data: dict[str, Any],
    address: str = "",
) -> AuditEvent:
    """One entry of the case's append-only history (``case`` may not be flushed yet)."""
    return AuditEvent(
        partnership_id=case.partnership_id,
        case=case,
        client_address=address,
        at=now,
        actor=actor,
        event=event,
        from_state=from_state,
        to_state=to_state,
        step_on=on,
        data=data,
    )
