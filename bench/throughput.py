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

from sqlalchemy import Engine, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from figures import database  # noqa: E402
from peer.runner import Peer  # noqa: E402

from notifications.outbox import ALL_AGENCIES, RECOMMENDATION_OWNERS  # noqa: E402
from triggers.audit import GENESIS, HEAD_ID, chain_fields  # noqa: E402
from triggers.config import load_config  # noqa: E402
from triggers.db import make_engine, make_session_factory, write_transaction  # noqa: E402
from triggers.models import CaseReview  # noqa: E402
from triggers.partnerships import sync_partnership  # noqa: E402
from triggers.policy import Policy  # noqa: E402
from triggers.schema import upgrade  # noqa: E402
from workflows.case_review import CASE_REVIEW  # noqa: E402
from workflows.service import Actor, apply, for_a_step, open_case  # noqa: E402

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
                query = for_a_step(select(CaseReview).where(CaseReview.id == case_id), event)
                case = session.execute(query).unique().scalar_one()
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
            "VALUES (:id, 'met', true, '[]', 'Persistent harassment over months.', '', '', '', "
            ":on, :actor)",
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
            "agency_response, progress) SELECT :id, max(id), :agency, 'Flag the address', "
            "'2027-01-29', 'open', '', '' FROM panels WHERE case_id = :id",
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
            "UPDATE recommendations SET status = 'done', closing_reason = 'Done.' "
            "WHERE case_id = :id",
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


def run_floor(url: str, ids: Sequence[int]) -> None:
    """The same writes as the service, by hand-written SQL."""
    _floor(url, ids, step_rows=True)


def run_floor_minimal(url: str, ids: Sequence[int]) -> None:
    """Only the case, the audit event and the outbox rows (the issue's parenthesis)."""
    _floor(url, ids, step_rows=False)


def _floor(url: str, ids: Sequence[int], step_rows: bool) -> None:
    policy = _policy()
    engine = _engine(url)
    postgres = engine.dialect.name == "postgresql"
    on = NOW.date()
    with engine.connect() as connection:
        cases = {
            row.id: row
            for row in connection.execute(
                text(
                    "SELECT c.id, c.reference, c.partnership_id, c.version FROM case_reviews c "
                    "WHERE c.id IN (" + ",".join(str(i) for i in ids) + ")"
                )
            )
        }
        agencies = {
            case_id: [
                a
                for (a,) in connection.execute(
                    text("SELECT agency_id FROM case_agencies WHERE case_id = :id ORDER BY id"),
                    {"id": case_id},
                )
            ]
            for case_id in ids
        }
    for case_id in ids:
        case, version = cases[case_id], cases[case_id].version
        for event, data, before, after, _ in STEPS:
            with engine.begin() as connection:
                if not postgres:  # take the write lock first, as the service does
                    connection.exec_driver_sql("SELECT 1")
                changed = connection.execute(
                    text(
                        "UPDATE case_reviews SET state = :after, version = version + 1, "
                        "updated_at = :now, last_step_on = :on"
                        + (CASE_COLUMNS[event] if step_rows else "")
                        + " WHERE id = :id AND version = :version AND state = :before"
                    ),
                    {
                        "after": after,
                        "before": before,
                        "now": NOW,
                        "on": on,
                        "id": case_id,
                        "version": version,
                    },
                ).rowcount
                assert changed == 1, (case_id, event)
                version += 1
                if step_rows:
                    for sql, extra in STEP_ROWS[event]:
                        values = {"id": case_id, "on": on, "actor": ACTOR.label, **extra}
                        if ":due" in sql:
                            days = getattr(policy.config.deadlines, extra["step"])
                            values["due"] = policy.calendar.add_working_days(on, days)
                        if ":agency" in sql:
                            values["agency"] = agencies[case_id][0]
                        connection.execute(text(sql), values)
                lock = " FOR UPDATE" if postgres else ""
                previous = connection.scalar(
                    text(f"SELECT last_hash FROM audit_chain WHERE id = :id{lock}"), {"id": HEAD_ID}
                )
                row = {
                    "partnership_id": case.partnership_id,
                    "case_id": case_id,
                    "at": NOW,
                    "actor": ACTOR.label,
                    "event": event,
                    "from_state": before,
                    "to_state": after,
                    "step_on": on,
                    "data": data,
                }
                links = chain_fields(previous or GENESIS, row)
                link = links["hash"]
                connection.execute(
                    text(
                        "INSERT INTO audit_events (partnership_id, case_id, at, actor, event, "
                        "from_state, to_state, step_on, data, client_address, text_hash, "
                        "content_hash, prev_hash, hash) VALUES (:partnership_id, :case_id, "
                        ":at, :actor, :event, :from_state, :to_state, :step_on, :data, '', "
                        ":text_hash, :content_hash, :prev_hash, :hash)"
                    ),
                    {
                        **row,
                        "data": json.dumps(data),
                        **links,
                    },
                )
                connection.execute(
                    text("UPDATE audit_chain SET last_hash = :hash WHERE id = :id"),
                    {"hash": link, "id": HEAD_ID},
                )
                outbox = []
                for letter in CASE_REVIEW.move_for(event, data, before).letters:
                    kind, audience = letter.kind, letter.to
                    if audience == ALL_AGENCIES:
                        recipients = [f"agency:{a}" for a in agencies[case_id]]
                    elif audience == RECOMMENDATION_OWNERS:
                        recipients = [f"agency:{agencies[case_id][0]}"]
                    else:
                        recipients = [audience]
                    for recipient in recipients:
                        outbox.append(
                            {
                                "case_id": case_id,
                                "kind": kind,
                                "recipient": recipient,
                                "key": f"{case.reference}:floor-{event}:{kind}:{recipient}",
                                "now": NOW,
                            }
                        )
                if outbox:
                    connection.execute(
                        text(
                            "INSERT INTO outbox (case_id, kind, recipient, dedupe_key, status, "
                            "send_after, created_at, payload, attempts, last_error, claimed_by) "
                            "VALUES (:case_id, :kind, :recipient, :key, 'pending', :now, :now, "
                            "'{}', 0, '', '')"
                        ),
                        outbox,
                    )


PEER_DATA = {
    "decide_threshold": {"decision": "met"},
    "send_findings": {"next_step": "close"},
}


def run_peer(url: str, ids: Sequence[int]) -> None:
    peer = _peer()
    engine = _engine(url)
    for instance_id in ids:
        for event, data, *_ in STEPS:
            with engine.begin() as connection:
                if engine.dialect.name == "sqlite":
                    connection.exec_driver_sql("SELECT 1")
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


#: What a step writes besides the case and its audit event, counted per contender: the
#: floor must have written what the service wrote, or the ratio compares unlike work.
WRITTEN = {
    "deadlines": "SELECT step || ':' || status, count(*) FROM deadlines WHERE case_id IN ({})",
    "decisions": "SELECT decision, count(*) FROM threshold_decisions WHERE case_id IN ({})",
    "panels": "SELECT CAST(recommendation_count AS VARCHAR), count(*) FROM panels "
    "WHERE case_id IN ({}) AND held_on IS NOT NULL",
    "recommendations": "SELECT status, count(*) FROM recommendations WHERE case_id IN ({})",
    "themes": "SELECT theme, count(*) FROM case_themes WHERE case_id IN ({})",
    "outbox": "SELECT kind, count(*) FROM outbox WHERE case_id IN ({})",
    "audit": "SELECT event, count(*) FROM audit_events WHERE case_id IN ({})",
}


def check(url: str, cases: int, ids: dict[str, list[int]]) -> None:
    """Every case closed by each contender, the floor wrote what the service wrote, and the
    audit chain is intact after them all."""
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
        for what, sql in WRITTEN.items():
            written = {
                name: dict(
                    connection.execute(
                        text(sql.format(",".join(map(str, ids[name]))) + " GROUP BY 1")
                    ).all()
                )
                for name in ("service", "floor")
            }
            assert written["service"] == written["floor"], (what, written)
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
