"""Benchmark: events applied per second through the real service, against the same writes
done by hand-written SQL (the floor) and the same process run by SpiffWorkflow (the peer),
side by side in one run.

Each contender takes ``--cases`` cases through the six steps from "received" to "closed"
(acknowledge, a "met" decision, schedule the panel, record the review, send the findings,
close), one database transaction per step:

- **service**: ``workflows.service.apply`` with the version check, as the pages and the API
  call it: validation, the transition, deadlines, the audit event on the hash chain, the
  outbox rows, commit;
- **floor**: the same writes by hand-written SQL: the case row updated (with the version
  check), the step's own rows (the deadline met and the next one started, the decision,
  the panel, the recommendation and theme, the agencies' chronology requests), the audit
  event on the chain (its head locked, the hashes computed), the outbox rows, commit.
  ``check`` proves afterwards that it wrote what the service wrote;
- **minimal floor**: only the case row, the audit event and the outbox rows (the writes the
  performance issue names; less than the service writes, so a lower ratio);
- **peer**: ``bench/peer/runner.py``: the instance's JSON read with its row locked,
  SpiffWorkflow rebuilds it, checks its timers, completes the user task with the same data
  the service is given, runs to the next wait, serialises it and writes it back, commit.

    .venv/bin/python bench/throughput.py [--cases 200] [--database sqlite|postgresql]
                                         [--clients 1|8] [--history N] [--runs N]

The cases are taken in five rounds, each contender running its share in turn, so that a
busy moment of a shared machine falls on all alike. With ``--clients 8`` each share is split
over eight processes started together. With ``--runs`` the whole measure is repeated on the
same database (fresh cases each time, the history generated once): a shared machine's speed
drifts over minutes by more than the margins the targets leave, so one run's ratio is not a
verdict. Prints one Markdown table row: each contender's median rate, the median of the
runs' ratios, and the lowest and highest ratio to the floor.
"""

from __future__ import annotations

import argparse
import functools
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from figures import database  # noqa: E402
from peer.runner import Peer  # noqa: E402

from notifications.outbox import ALL_AGENCIES, RECOMMENDATION_OWNERS  # noqa: E402
from triggers.audit import GENESIS, HEAD_ID, chain_fields  # noqa: E402
from triggers.config import load_config  # noqa: E402
from triggers.db import (  # noqa: E402
    SQLITE_IMMEDIATE,
    make_engine,
    make_session_factory,
    write_transaction,
)
from triggers.models import CaseReview  # noqa: E402
from triggers.partnerships import sync_partnership  # noqa: E402
from triggers.policy import Policy  # noqa: E402
from triggers.schema import upgrade  # noqa: E402
from triggers.threshold import ComplaintFacts, IncidentFacts, suggest  # noqa: E402
from workflows.case_review import CASE_REVIEW  # noqa: E402
from workflows.service import Actor, apply, case_for_a_step, open_case  # noqa: E402

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # a Monday
RECEIVED = date(2026, 10, 20)
ACTOR = Actor(label="manager@example.org", role="manager")
AGENCIES = ["Leicestershire Police", "Charnwood Borough Council"]

#: (event, data, state before, state after, the step's name for it)
STEPS: list[tuple[str, dict[str, Any], str, str, str]] = [
    ("acknowledge", {}, "received", "acknowledged", "acknowledge"),
    (
        "decide_threshold",
        {"decision": "met", "rationale": "Persistent harassment over months."},
        "acknowledged",
        "threshold_met",
        "decide_threshold:met",
    ),
    (
        "schedule_panel",
        {"panel_on": "2026-11-02"},
        "threshold_met",
        "panel_scheduled",
        "schedule_panel",
    ),
    (
        "record_review",
        {
            "findings": "Reports were not linked between the agencies.",
            "victim_attended": True,
            "themes": ["inconsistent_recording"],
            "recommendations": [
                {"agency": AGENCIES[0], "action": "Flag the address", "due_on": "2027-01-29"}
            ],
        },
        "panel_scheduled",
        "review_complete",
        "record_review",
    ),
    ("send_findings", {}, "review_complete", "findings_sent", "send_findings"),
    (
        "close",
        # The closing rule: the applicant agreed to close before the appeal window ends, and
        # the action plan's recommendation is settled (its id is added per case).
        {"reason": "Action plan complete.", "applicant_agreed_on": "2026-11-02"},
        "findings_sent",
        "closed",
        "close",
    ),
]
EVENTS_PER_CASE = len(STEPS)


def application(number: int) -> dict[str, Any]:
    return {
        "received_on": RECEIVED.isoformat(),
        "victim": {
            "type": "individual",
            "name": f"Bench Victim {number}",
            "email": f"victim{number}@example.org",
            "contact_preference": "email",
        },
        "incidents": [
            {
                "occurred_on": f"2026-{month:02d}-01",
                "description": "Stones thrown at the window.",
                "complaints": [{"reported_on": f"2026-{month:02d}-03", "reported_to": "police"}],
            }
            for month in (7, 8, 9)
        ],
        "agencies": AGENCIES,
    }


# --- the contenders: each takes a list of case ids (or instance ids) ----------------------

_ENGINES: dict[tuple[int, str], Engine] = {}


def _engine(url: str) -> Engine:
    """One engine per process and database, made before the clock starts (see ``warm``)."""
    key = (os.getpid(), url)
    if key not in _ENGINES:
        _ENGINES[key] = make_engine(url)
    return _ENGINES[key]


@functools.cache
def _policy() -> Policy:
    return Policy.from_config(load_config(ROOT / "config.toml", environ={}))


@functools.cache
def _peer() -> Peer:
    return Peer()


def run_service(url: str, ids: Sequence[int]) -> None:
    policy = _policy()
    engine = _engine(url)
    sessions = make_session_factory(engine)
    for case_id in ids:
        for event, data, *_ in STEPS:
            with write_transaction(sessions) as session:
                case = case_for_a_step(session, event, case_id=case_id)
                assert case is not None
                if event == "close":
                    data = {**data, "recommendations": settled(case)}
                apply(session, case, event, {**data, "version": case.version}, ACTOR, NOW, policy)


def settled(case: CaseReview) -> list[dict[str, Any]]:
    """Each recommendation of the case settled as done, as the closing rule asks."""
    return [{"id": r.id, "status": "done", "reason": "Done."} for r in case.recommendations]


#: The step's own rows, beyond the case, the audit event and the outbox: what the service
#: writes for each step, as hand-written SQL (deadlines met and started, the decision, the
#: panel, the recommendation and theme, the agencies' chronology requests).
DEADLINE_MET = (
    "UPDATE deadlines SET status = 'met', ended_on = :on "
    "WHERE case_id = :id AND step = :step AND status = 'running'"
)
DEADLINE_START = (
    "INSERT INTO deadlines (case_id, step, started_on, due_on, status) "
    "VALUES (:id, :step, :on, :due, 'running')"
)
STEP_ROWS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "acknowledge": [
        ("UPDATE case_agencies SET chronology_requested_on = :on WHERE case_id = :id", {}),
        (DEADLINE_MET, {"step": "acknowledge"}),
        (DEADLINE_START, {"step": "threshold_decision"}),
    ],
    "decide_threshold": [
        (DEADLINE_MET, {"step": "threshold_decision"}),
        (DEADLINE_START, {"step": "panel"}),
        (
            "INSERT INTO threshold_decisions (case_id, decision, suggested_met, rules_held, "
            "rationale, persistence, harm, adequacy_of_response, decided_on, decided_by) "
            "VALUES (:id, 'met', :suggested_met, :rules_held, 'Persistent harassment over "
            "months.', '', '', '', :on, :actor)",
            {},
        ),
    ],
    "schedule_panel": [
        (
            "INSERT INTO panels (case_id, panel_on, starts_at, duration_minutes, location, "
            "attendees, findings, recommendation_count) "
            "VALUES (:id, '2026-11-02', '', 90, '', '[]', '', 0)",
            {},
        ),
    ],
    "record_review": [
        (DEADLINE_MET, {"step": "panel"}),
        (DEADLINE_START, {"step": "findings"}),
        (
            "UPDATE panels SET held_on = :on, findings = 'Reports were not linked between the "
            "agencies.', victim_attended = true, representative_attended = false, "
            "attendees = '[]', recommendation_count = 1 WHERE case_id = :id AND held_on IS NULL",
            {},
        ),
        (
            "INSERT INTO case_themes (case_id, panel_id, theme) SELECT :id, max(id), "
            "'inconsistent_recording' FROM panels WHERE case_id = :id",
            {},
        ),
        (
            "INSERT INTO recommendations (case_id, panel_id, agency_id, action, due_on, status, "
            "agency_response, progress) SELECT :id, max(p.id), max(a.id), 'Flag the address', "
            "'2027-01-29', 'open', '', '' FROM panels p, agencies a WHERE p.case_id = :id "
            "AND a.partnership_id = :partnership_id AND a.name = :agency",
            {},
        ),
    ],
    "send_findings": [
        (DEADLINE_MET, {"step": "findings"}),
        (DEADLINE_START, {"step": "appeal_window"}),
    ],
    "close": [
        (
            "UPDATE deadlines SET status = 'stopped', ended_on = :on "
            "WHERE case_id = :id AND status = 'running'",
            {},
        ),
        (
            "UPDATE recommendations SET status = 'done', closing_reason = 'Done.', "
            "updated_on = :on WHERE case_id = :id",
            {},
        ),
    ],
}
#: The case's own columns each step sets, besides its state, version and step date.
CASE_COLUMNS: dict[str, str] = {
    "acknowledge": ", acknowledged_on = :on",
    "decide_threshold": ", threshold_decided_on = :on",
    "schedule_panel": "",
    "record_review": "",
    "send_findings": ", findings_sent_on = :on",
    "close": ", ended_on = :on, end_reason = 'Action plan complete.', early_close_agreed_on = :on",
}


#: What the floor reads with the case's row for each step, the row locked as the service
#: locks it (``for_a_step``): what the step's content needs (the agencies its letters go to,
#: the incidents and complaints the threshold suggestion counts, the recommendations the
#: close settles and the appeal window it closes early), one statement a step.
FLOOR_READS: dict[str, str] = {
    "acknowledge": ", a.agency_id FROM case_reviews c "
    "LEFT JOIN case_agencies a ON a.case_id = c.id WHERE c.id = :id",
    "decide_threshold": ", i.id AS incident, i.occurred_on, i.is_hate_related, p.reported_on, "
    "p.reporter, p.reported_to, p.is_registered_provider FROM case_reviews c "
    "LEFT JOIN incidents i ON i.case_id = c.id LEFT JOIN complaints p ON p.incident_id = i.id "
    "WHERE c.id = :id",
    "schedule_panel": ", a.agency_id FROM case_reviews c "
    "LEFT JOIN case_agencies a ON a.case_id = c.id WHERE c.id = :id",
    "record_review": " FROM case_reviews c WHERE c.id = :id",
    "send_findings": ", r.agency_id FROM case_reviews c "
    "LEFT JOIN recommendations r ON r.case_id = c.id WHERE c.id = :id",
    "close": ", r.id AS recommendation, d.due_on AS window_ends_on FROM case_reviews c "
    "LEFT JOIN recommendations r ON r.case_id = c.id "
    "LEFT JOIN deadlines d ON d.case_id = c.id AND d.step = 'appeal_window' "
    "AND d.status = 'running' WHERE c.id = :id",
}


@functools.cache
def _floor_statements(postgres: bool) -> dict[str, Any]:
    """The floor's statements, built once per process (as a prepared query would be)."""
    lock = " FOR NO KEY UPDATE OF c" if postgres else ""
    case = "SELECT c.version, c.state, c.reference, c.partnership_id, c.received_on"
    statements: dict[str, Any] = {
        f"read:{event}": text(case + sql + lock) for event, sql in FLOOR_READS.items()
    }
    for event, *_ in STEPS:
        for rows, columns in ((True, CASE_COLUMNS[event]), (False, "")):
            statements[f"case:{event}:{rows}"] = text(
                "UPDATE case_reviews SET state = :after, version = version + 1, "
                "updated_at = :now, last_step_on = :on"
                + columns
                + " WHERE id = :id AND version = :version AND state = :before"
            )
        for index, (sql, _) in enumerate(STEP_ROWS[event]):
            statements[f"{event}:{index}"] = text(sql)
    statements["head"] = text(
        "SELECT last_hash FROM audit_chain WHERE id = :id" + (" FOR UPDATE" if postgres else "")
    )
    statements["audit"] = text(
        "INSERT INTO audit_events (partnership_id, case_id, at, actor, event, from_state, "
        "to_state, step_on, data, client_address, request_id, text_hash, content_hash, "
        "prev_hash, hash) VALUES (:partnership_id, :case_id, :at, :actor, :event, "
        ":from_state, :to_state, :step_on, :data, '', '', :text_hash, :content_hash, "
        ":prev_hash, :hash)"
    )
    statements["move_head"] = text("UPDATE audit_chain SET last_hash = :hash WHERE id = :id")
    statements["outbox"] = text(
        "INSERT INTO outbox (case_id, kind, recipient, dedupe_key, status, send_after, "
        "created_at, payload, attempts, last_error, claimed_by) VALUES (:case_id, :kind, "
        ":recipient, :key, :status, :now, :now, :payload, 0, '', '')"
    )
    return statements


@functools.cache
def _floor_values() -> dict[str, dict[str, Any]]:
    """Each step's audit data as the service records it, what depends on the case left
    out: the validated input with the schema's defaults (``apply`` dumps the event's
    model), built once, as a constant of the benchmark. The floor adds per step what the
    case decides: the threshold suggestion, the recommendations settled, the appeal window."""
    from workflows.schemas import parse

    values = {}
    for event, data, *_ in STEPS:
        if event == "close":
            data = {**data, "recommendations": [{"id": 1, "status": "done", "reason": "Done."}]}
        schema = CASE_REVIEW.step[event].schema
        values[event] = parse(schema, dict(data)).model_dump(mode="json", exclude={"on", "version"})
    return values


def run_floor(url: str, ids: Sequence[int]) -> None:
    """The same writes as the service, by hand-written SQL."""
    _floor(url, ids, step_rows=True)


def run_floor_minimal(url: str, ids: Sequence[int]) -> None:
    """Only the case, the audit event and the outbox rows (the issue's parenthesis)."""
    _floor(url, ids, step_rows=False)


def _floor(url: str, ids: Sequence[int], step_rows: bool) -> None:
    """Each step in its own transaction, as a request makes it: the case read with what the
    step needs (its row locked), the case updated with its version check, the step's own
    rows, the letters, the audit event with what the service records, commit."""
    policy = _policy()
    engine = _engine(url)
    postgres = engine.dialect.name == "postgresql"
    statements = _floor_statements(postgres)
    values_of = _floor_values()
    held = policy.config.mail.hold_for_approval
    on, now = NOW.date(), NOW.replace(tzinfo=None)  # stored as naive UTC (UTCDateTime)
    for case_id in ids:
        for event, _, before, after, _ in STEPS:
            with engine.connect() as connection:
                # SQLite: the write lock first (BEGIN IMMEDIATE), as write_transaction takes it.
                connection.execution_options(**{SQLITE_IMMEDIATE: True})
                with connection.begin():
                    _floor_step(
                        connection,
                        statements,
                        values_of[event],
                        case_id,
                        event,
                        before,
                        after,
                        on,
                        now,
                        step_rows,
                        policy,
                        held,
                    )


def _floor_step(
    connection: Connection,
    statements: dict[str, Any],
    values: dict[str, Any],
    case_id: int,
    event: str,
    before: str,
    after: str,
    on: date,
    now: datetime,
    step_rows: bool,
    policy: Policy,
    held: Sequence[str],
) -> None:
    read = connection.execute(statements[f"read:{event}"], {"id": case_id}).all()
    case = read[0]
    assert case.state == before, (case_id, event, case.state)
    details: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    if event == "decide_threshold":
        incidents: dict[int, IncidentFacts] = {}
        for row in sorted(read, key=lambda r: (r.occurred_on, r.incident)):
            incident = incidents.setdefault(
                row.incident, IncidentFacts(_day(row.occurred_on), bool(row.is_hate_related), [])
            )
            if row.reported_on is not None:
                incident.complaints.append(  # type: ignore[attr-defined]
                    ComplaintFacts(
                        _day(row.reported_on),
                        row.reporter,
                        row.reported_to,
                        bool(row.is_registered_provider),
                    )
                )
        suggestion = suggest(
            list(incidents.values()), _day(case.received_on), policy.config.threshold
        )
        details = {"suggested_met": suggestion.met, "rules_held": suggestion.rules_held}
        extra = {"suggested_met": suggestion.met, "rules_held": json.dumps(suggestion.rules_held)}
    elif event == "close":
        item = values["recommendations"][0]
        settled = sorted({row.recommendation for row in read if row.recommendation is not None})
        values = {**values, "recommendations": [{**item, "id": i} for i in settled]}
        if case.window_ends_on is not None:
            details = {"appeal_window_ends_on": _day(case.window_ends_on).isoformat()}
    changed = connection.execute(
        statements[f"case:{event}:{step_rows}"],
        {
            "after": after,
            "before": before,
            "now": now,
            "on": on,
            "id": case_id,
            "version": case.version,
        },
    ).rowcount
    assert changed == 1, (case_id, event)
    if step_rows:
        for index, (sql, fixed) in enumerate(STEP_ROWS[event]):
            bound = {"id": case_id, "on": on, "actor": ACTOR.label, **fixed, **extra}
            if ":due" in sql:
                days = getattr(policy.config.deadlines, fixed["step"])
                bound["due"] = policy.calendar.add_working_days(on, days)
            if ":agency" in sql:
                bound["agency"], bound["partnership_id"] = AGENCIES[0], case.partnership_id
            connection.execute(statements[f"{event}:{index}"], bound)
    letters = []
    payload = json.dumps({"event": event, "on": on.isoformat()})
    for letter in CASE_REVIEW.move_for(event, values, before).letters:
        if letter.to == ALL_AGENCIES:
            recipients = [f"agency:{row.agency_id}" for row in read if row.agency_id is not None]
        elif letter.to == RECOMMENDATION_OWNERS:
            owners = sorted({row.agency_id for row in read if row.agency_id is not None})
            recipients = [f"agency:{agency_id}" for agency_id in owners]
        else:
            recipients = [letter.to]
        for recipient in recipients:
            letters.append(
                {
                    "case_id": case_id,
                    "kind": letter.kind,
                    "recipient": recipient,
                    "key": f"{case.reference}:v{case.version}:{letter.kind}:{recipient}",
                    "status": "held" if letter.kind in held else "pending",
                    "now": now,
                    "payload": payload,
                }
            )
    if letters:
        connection.execute(statements["outbox"], letters)
    previous = connection.scalar(statements["head"], {"id": HEAD_ID})
    row = {
        "partnership_id": case.partnership_id,
        "case_id": case_id,
        "at": now,
        "actor": ACTOR.label,
        "event": event,
        "from_state": before,
        "to_state": after,
        "step_on": on,
        "data": {**values, **details},
    }
    links = chain_fields(previous or GENESIS, row)
    connection.execute(statements["audit"], {**row, "data": json.dumps(row["data"]), **links})
    connection.execute(statements["move_head"], {"hash": links["hash"], "id": HEAD_ID})


def _day(value: date | str) -> date:
    """A date column read by a hand-written statement (SQLite returns its text)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


PEER_DATA = {
    "decide_threshold": {"decision": "met"},
    "send_findings": {"next_step": "close"},
}


def run_peer(url: str, ids: Sequence[int]) -> None:
    peer = _peer()
    engine = _engine(url)
    for instance_id in ids:
        for event, data, *_ in STEPS:
            # SQLite: the write lock first (BEGIN IMMEDIATE); a plain BEGIN and "SELECT 1"
            # took no lock, and 8 clients failed with "database is locked".
            with engine.connect() as connection:
                connection.execution_options(**{SQLITE_IMMEDIATE: True})
                with connection.begin():
                    peer.step(connection, instance_id, event, {**data, **PEER_DATA.get(event, {})})


# --- set-up and timing ---------------------------------------------------------------------


def prepare(url: str, cases: int, history: int = 0) -> dict[str, list[int]]:
    """Open ``cases`` cases for the service and as many for each floor (not timed), and
    start as many peer instances (the peer's table made anew); return each contender's ids.
    ``history`` cases are generated first (bench/scale.py), so that the writes land in
    tables of that size: pass it for a run's first measure only."""
    config = load_config(ROOT / "config.toml", environ={})
    policy = _policy()
    engine = make_engine(url)
    upgrade(engine)
    if history:
        from scale import generate

        generate(engine, history)
    sessions = make_session_factory(engine)
    ids: list[int] = []
    with write_transaction(sessions) as session:
        partnership = sync_partnership(session, config, NOW)
        for number in range(3 * cases):
            ids.append(open_case(session, partnership, application(number), ACTOR, NOW, policy).id)
    peer = _peer()
    with engine.begin() as connection:
        peer.create_table(connection)
        for number in range(1, cases + 1):
            peer.start(connection, number, f"PEER-{number}")
    settle(engine)
    engine.dispose()
    return {
        "service": ids[:cases],
        "floor": ids[cases : 2 * cases],
        "floor_minimal": ids[2 * cases :],
        "peer": list(range(1, cases + 1)),
    }


def settle(engine: Engine) -> None:
    """Bring the database to the steady state of an installation long past its imports
    before any clock starts: on PostgreSQL the fresh rows vacuumed and analysed now, where
    autovacuum would otherwise do it during the first contender's share (measured: every
    part of the service's step, Python included, 1.5 times slower just after a
    100,000-case history was written); on SQLite the write-ahead log checkpointed."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM (ANALYZE)"))
    else:
        raw = engine.raw_connection()  # outside a transaction, where a checkpoint can finish
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()


def timed(
    run: Callable[[str, Sequence[int]], None], url: str, ids: list[int], clients: int
) -> float:
    """Seconds for ``run`` to take every case through, split over ``clients`` processes
    (fewer when there are fewer cases than clients: a client with none would have nothing
    to time)."""
    chunks = [chunk for chunk in (ids[i::clients] for i in range(clients)) if chunk]
    if len(chunks) <= 1:
        started = time.perf_counter()
        run(url, ids)
        return time.perf_counter() - started
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(chunks) + 1)

    def worker(chunk: list[int]) -> None:
        _engine(url).connect().close()  # connected before the clock starts
        barrier.wait()
        run(url, chunk)

    processes = [context.Process(target=worker, args=(chunk,)) for chunk in chunks]
    for process in processes:
        process.start()
    try:
        barrier.wait(timeout=120)
    except threading.BrokenBarrierError:
        raise SystemExit(f"the {run.__name__} clients did not all start") from None
    started = time.perf_counter()
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise SystemExit(f"a {run.__name__} client failed")
    return time.perf_counter() - started


def measure(
    url: str, cases: int, clients: int, history: int = 0, rounds: int = 5
) -> tuple[dict[str, float], dict[str, list[int]]]:
    """Events per second for each contender, in one run on one database.

    The cases are taken in ``rounds`` rounds, each contender running its share in turn in
    every round, so that a slow minute of a shared machine falls on all of them alike; each
    round starts with the next contender, so that none is always the first."""
    ids = prepare(url, cases, history)
    contenders = {
        "service": run_service,
        "floor": run_floor,
        "floor_minimal": run_floor_minimal,
        "peer": run_peer,
    }
    seconds = dict.fromkeys(contenders, 0.0)
    _engine(url).connect().close()  # connected before any clock (prepare built the rest)
    order = list(contenders)
    for round_ in range(rounds):
        turn = round_ % len(order)
        for name in order[turn:] + order[:turn]:
            share = ids[name][round_::rounds]
            if share:
                seconds[name] += timed(contenders[name], url, share, clients)
    _engine(url).dispose()
    events = cases * EVENTS_PER_CASE
    return {name: events / spent for name, spent in seconds.items()}, ids


#: The rows a step writes, table by table, and the columns left out of the comparison: the
#: ids, which must differ between two cases, and the hashes, which cover the case's id
#: (``verify_chain`` recomputes them). Everything else must be equal, column by column.
COMPARED: dict[str, tuple[str, ...]] = {
    "case_reviews": ("id", "reference"),
    "case_agencies": ("id", "case_id"),
    "deadlines": ("id", "case_id"),
    "threshold_decisions": ("id", "case_id"),
    "panels": ("id", "case_id"),
    "recommendations": ("id", "case_id", "panel_id"),
    "case_themes": ("id", "case_id", "panel_id"),
    "outbox": ("id", "case_id"),
    "audit_events": ("id", "case_id", "text_hash", "content_hash", "prev_hash", "hash"),
}


def written(connection: Connection, case_id: int) -> dict[str, list[str]]:
    """What is written for one case, table by table, comparable with another case's: each
    row's columns but the ids and hashes, read through the models' types (JSON as values,
    timestamps as UTC), the case's own reference and recommendation ids replaced by
    placeholders; rows sorted, since a collection without an order (the agencies) may come
    back in any."""
    from triggers.models import Base

    reference = connection.scalar(
        text("SELECT reference FROM case_reviews WHERE id = :id"), {"id": case_id}
    )
    recommendations = connection.scalars(
        text("SELECT id FROM recommendations WHERE case_id = :id ORDER BY id"), {"id": case_id}
    ).all()
    tables = {}
    for name, left_out in COMPARED.items():
        table = Base.metadata.tables[name]
        key = table.c.id if name == "case_reviews" else table.c.case_id
        rows = []
        for row in connection.execute(select(table).where(key == case_id)).mappings():
            kept = {column: value for column, value in row.items() if column not in left_out}
            if name == "audit_events" and row["event"] == "close":
                data = dict(kept["data"])
                data["recommendations"] = [
                    {**item, "id": f"recommendation {recommendations.index(item['id'])}"}
                    for item in data["recommendations"]
                ]
                kept["data"] = data
            rows.append(
                json.dumps(kept, sort_keys=True, default=str).replace(reference, "{reference}")
            )
        tables[name] = sorted(rows)
    return tables


def check(url: str, cases: int, ids: dict[str, list[int]]) -> None:
    """Every case closed by each contender; the floor wrote what the service wrote, case by
    case, table by table, row by row and column by column; and the audit chain is intact
    after them all."""
    from triggers.audit import verify_chain
    from triggers.db import read_session

    engine = make_engine(url)
    with engine.connect() as connection:
        opened = ",".join(
            str(i) for name in ("service", "floor", "floor_minimal") for i in ids[name]
        )
        closed = connection.scalar(
            text(f"SELECT count(*) FROM case_reviews WHERE state = 'closed' AND id IN ({opened})")
        )
        assert closed == 3 * cases, closed
        for service_id, floor_id in zip(ids["service"], ids["floor"], strict=True):
            by_service, by_floor = written(connection, service_id), written(connection, floor_id)
            for table, rows in by_service.items():
                if rows != by_floor[table]:
                    raise AssertionError(
                        f"the floor wrote other {table} than the service (cases {service_id} "
                        f"and {floor_id}):\n  service: {rows}\n  floor:   {by_floor[table]}"
                    )
    with read_session(make_session_factory(engine)) as session:
        report = verify_chain(session)
        assert report.intact, report
    peer = _peer()
    with engine.connect() as connection:
        states = connection.execute(text("SELECT state FROM peer_instances")).scalars().all()
    assert all(peer.serializer.deserialize_json(s).is_completed() for s in states)
    engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--history", type=int, default=0, help="cases already there")
    parser.add_argument("--runs", type=int, default=1, help="measures on the same database")
    args = parser.parse_args(argv)
    runs: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        url, drop = database(args.database, Path(folder))
        try:
            for number in range(args.runs):
                history = args.history if number == 0 else 0  # generated once, then kept
                rates, ids = measure(url, args.cases, args.clients, history)
                check(url, args.cases, ids)
                runs.append(rates)
        finally:
            drop()
    print(row(args.database, args.history, args.clients, args.cases * EVENTS_PER_CASE, runs))


def row(backend: str, history: int, clients: int, events: int, runs: list[dict[str, float]]) -> str:
    """The Markdown row of ``runs`` (each contender's events a second in each run): the
    median rates, the median of the runs' ratios, and the range of the ratio to the floor."""
    median = statistics.median

    def ratios(other: str) -> list[float]:
        return [rates["service"] / rates[other] for rates in runs]

    rate = {name: median([rates[name] for rates in runs]) for name in runs[0]}
    to_floor = ratios("floor")
    spread = f"{min(to_floor):.2f}–{max(to_floor):.2f}" if len(runs) > 1 else "one run"
    return (
        f"| {backend} | {history:,} | {clients} | {events:,} | {len(runs)} | "
        f"{rate['service']:,.0f} | {rate['floor']:,.0f} | {rate['floor_minimal']:,.0f} | "
        f"{rate['peer']:,.0f} | {median(to_floor):.2f} | {spread} | "
        f"{median(ratios('floor_minimal')):.2f} | {median(ratios('peer')):.1f} |"
    )


if __name__ == "__main__":
    main()
