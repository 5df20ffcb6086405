"""Benchmark: what a sweep, a year's figures, the dashboard and a case page cost as the
history grows, and the memory of a sweep and of `casereview serve`.

The data is written in bulk (SQLAlchemy Core, thousands of rows per statement), not through
the service, so that a million cases take minutes: ten years of applications over many
partnerships (one per 3,000 cases, so that each partnership's history is about the same
at every size, as in a regional installation), each with its victim, applicant, two
incidents with their complaints, agencies, deadlines, a threshold decision and a panel where
the case got that far, three audit events (a valid hash chain) and three letters. Cases
received in the last 60 days are open, in every state; older ones are closed or withdrawn.
1% of the open cases have a letter due when the sweep runs.

    .venv/bin/python bench/scale.py [--cases 10000] [--database sqlite|postgresql]

Prints one Markdown table row per measure.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select, update

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from figures import database  # noqa: E402

from triggers.accounts import hash_password  # noqa: E402
from triggers.audit import GENESIS, HEAD_ID, chain_fields  # noqa: E402
from triggers.config import load_config  # noqa: E402
from triggers.db import make_engine, make_session_factory, read_session, refresh_statistics  # noqa: E402
from triggers.figures import performance_year, report  # noqa: E402
from triggers.models import (  # noqa: E402
    Agency,
    Applicant,
    AuditChain,
    AuditEvent,
    CaseAgency,
    CaseReview,
    Complaint,
    Deadline,
    Incident,
    OutboxMessage,
    Panel,
    Partnership,
    ThresholdDecision,
    User,
    Victim,
)
from triggers.policy import Policy  # noqa: E402
from triggers.schema import upgrade  # noqa: E402

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # a Monday
TODAY = NOW.date()
YEARS = 10
OPEN_DAYS = 60
PASSWORD = "bench password for the pages"
CHUNK = 5_000
OPEN_STATES = ("received", "acknowledged", "threshold_met", "panel_scheduled", "findings_sent")
AGENCY_KINDS = ("council", "police", "housing_provider", "health")


def _chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def generate(engine: Engine, cases: int) -> dict[str, Any]:
    """Write ``cases`` cases and everything around them; return what the measures need."""
    rng = random.Random(104)
    partnerships = max(1, round(cases / 3_000))
    password_hash = hash_password(PASSWORD)
    with engine.begin() as connection:
        connection.execute(
            insert(Partnership),
            [
                {"id": p, "name": f"Partnership {p}", "code": f"P{p}", "created_at": NOW}
                for p in range(1, partnerships + 1)
            ],
        )
        connection.execute(
            insert(Agency),
            [
                {
                    "id": (p - 1) * 4 + k + 1,
                    "partnership_id": p,
                    "name": f"{kind.title()} {p}",
                    "kind": kind,
                    "email": f"{kind}{p}@example.org",
                }
                for p in range(1, partnerships + 1)
                for k, kind in enumerate(AGENCY_KINDS)
            ],
        )
        connection.execute(
            insert(User),
            [
                {
                    "partnership_id": p,
                    "email": f"manager{p}@example.org",
                    "password_hash": password_hash,
                    "role": "manager",
                    "is_active": True,
                    "created_at": NOW,
                }
                for p in range(1, partnerships + 1)
            ],
        )
    span = YEARS * 365
    previous = GENESIS
    open_ids: list[int] = []
    numbers: dict[tuple[int, int], int] = {}
    tables: dict[str, list[dict[str, Any]]] = {}
    ids = {"incident": 0}

    def flush(connection: Any) -> None:
        for model in (
            CaseReview,
            Victim,
            Applicant,
            CaseAgency,
            Incident,
            Complaint,
            Deadline,
            ThresholdDecision,
            Panel,
            AuditEvent,
            OutboxMessage,
        ):
            rows = tables.pop(model.__tablename__, [])
            if rows:
                connection.execute(insert(model), rows)

    def add(model: Any, row: dict[str, Any]) -> None:
        tables.setdefault(model.__tablename__, []).append(row)

    with engine.begin() as connection:
        for case_id in range(1, cases + 1):
            partnership = case_id % partnerships + 1
            received = TODAY - timedelta(days=rng.randrange(span))
            key = (partnership, received.year)
            numbers[key] = numbers.get(key, 0) + 1
            reference = f"P{partnership}-{received.year}-{numbers[key]:04d}"
            recent = (TODAY - received).days < OPEN_DAYS
            if recent:
                state = rng.choice(OPEN_STATES)
                open_ids.append(case_id)
            else:
                state = "withdrawn" if rng.random() < 0.05 else "closed"
            add(
                CaseReview,
                {
                    "id": case_id,
                    "partnership_id": partnership,
                    "reference": reference,
                    "state": state,
                    "received_on": received,
                    "channel": rng.choice(("online", "phone", "email", "letter")),
                    "dissatisfaction": "Nothing changed after many reports.",
                    "ward": f"Ward {rng.randrange(12)}",
                    "acknowledged_on": None if state == "received" else received + timedelta(3),
                    "last_step_on": received,
                    "ended_on": None if recent else received + timedelta(days=40),
                    "created_at": NOW,
                    "updated_at": NOW,
                    "version": 1,
                },
            )
            add(
                Victim,
                {
                    "case_id": case_id,
                    "type": "individual",
                    "name": f"Victim {case_id}",
                    "email": f"victim{case_id}@example.org",
                    "contact_preference": "email",
                },
            )
            add(Applicant, {"case_id": case_id})
            agency = (partnership - 1) * 4 + 1
            for offset in (0, 1):
                add(CaseAgency, {"case_id": case_id, "agency_id": agency + offset})
            for weeks in (8, 3):
                ids["incident"] += 1
                occurred = received - timedelta(weeks=weeks)
                add(
                    Incident,
                    {
                        "id": ids["incident"],
                        "case_id": case_id,
                        "occurred_on": occurred,
                        "description": "Stones thrown at the window.",
                    },
                )
                add(
                    Complaint,
                    {
                        "incident_id": ids["incident"],
                        "reported_on": occurred + timedelta(days=2),
                        "reported_to": "police",
                        "reporter": f"Victim {case_id}",
                    },
                )
            running = {
                "received": "acknowledge",
                "acknowledged": "threshold_decision",
                "threshold_met": "panel",
                "panel_scheduled": "panel",
                "findings_sent": "appeal_window",
            }.get(state)
            add(
                Deadline,
                {
                    "case_id": case_id,
                    "step": "acknowledge",
                    "started_on": received,
                    "due_on": max(received + timedelta(days=7), TODAY + timedelta(days=2))
                    if running == "acknowledge"
                    else received + timedelta(days=7),
                    "status": "running" if running == "acknowledge" else "met",
                },
            )
            if running and running != "acknowledge":
                add(
                    Deadline,
                    {
                        "case_id": case_id,
                        "step": running,
                        "started_on": received + timedelta(days=3),
                        # Mostly ahead, as in a partnership that keeps up; a few due soon.
                        "due_on": TODAY + timedelta(days=rng.randrange(1, 40)),
                        "status": "running",
                    },
                )
            decided = state not in ("received", "acknowledged", "withdrawn")
            if decided:
                add(
                    ThresholdDecision,
                    {
                        "case_id": case_id,
                        "decision": "met",
                        "suggested_met": True,
                        "rules_held": [],
                        "rationale": "Persistent.",
                        "decided_on": received + timedelta(days=10),
                        "decided_by": "manager",
                    },
                )
            if state in ("panel_scheduled", "findings_sent", "closed"):
                add(
                    Panel,
                    {
                        "case_id": case_id,
                        "panel_on": received + timedelta(days=30),
                        "held_on": None
                        if state == "panel_scheduled"
                        else received + timedelta(days=30),
                    },
                )
            for number, event in enumerate(("open", "acknowledge", "decide_threshold")):
                at = datetime.combine(received, datetime.min.time(), UTC) + timedelta(hours=number)
                row = {
                    "partnership_id": partnership,
                    "case_id": case_id,
                    "at": at,
                    "actor": "manager@example.org",
                    "event": event,
                    "from_state": "",
                    "to_state": state,
                    "step_on": received,
                    "data": {},
                    "client_address": "",
                }
                row.update(chain_fields(previous, row))
                previous = row["hash"]
                add(AuditEvent, row)
            for kind in ("acknowledgement", "chronology_request", "threshold_met"):
                add(
                    OutboxMessage,
                    {
                        "case_id": case_id,
                        "kind": kind,
                        "recipient": "applicant",
                        "dedupe_key": f"{reference}:{kind}",
                        "status": "sent",
                        "send_after": NOW - timedelta(days=1),
                        "created_at": NOW - timedelta(days=1),
                        "sent_at": NOW - timedelta(days=1),
                        "payload": {},
                    },
                )
            if case_id % CHUNK == 0:
                flush(connection)
            if case_id % 100_000 == 0:  # a million takes minutes: say how far it has got
                print(f"generated {case_id:,} of {cases:,} cases", file=sys.stderr, flush=True)
        flush(connection)
        head = {"id": HEAD_ID, "last_hash": previous}
        if connection.execute(update(AuditChain).values(last_hash=previous)).rowcount == 0:
            connection.execute(insert(AuditChain).values(**head))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":  # ids were given: move the sequences past them
            for table in ("partnerships", "agencies", "case_reviews", "incidents"):
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        refresh_statistics(connection)
    first = f"P1-{min(y for p, y in numbers if p == 1)}-0001"
    return {"partnerships": partnerships, "open_ids": open_ids, "reference": first}


class NullSender:
    """Accepts every message: the sweep's own cost, without a mail server's."""

    name = "null"

    def __init__(self) -> None:
        self.sent = 0

    def send(self, message: Any) -> None:
        self.sent += 1


def measure_sweep(url: str, open_ids: list[int]) -> tuple[float, int]:
    """One sweep in the steady state: a first sweep (not timed) sends the reminders that have
    come by now, as the minute-by-minute sweeps would have; then 1% of the open cases get a
    letter due, and the next sweep is timed. Returns its seconds and how many it sent."""
    from workflows.sweep import sweep

    policy = Policy.from_config(load_config(ROOT / "config.toml", environ={}))
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    sweep(sessions, policy, NullSender(), NOW)  # type: ignore[arg-type]
    due = open_ids[:: max(1, len(open_ids) // max(1, len(open_ids) // 100))][
        : max(1, len(open_ids) // 100)
    ]
    with engine.begin() as connection:
        connection.execute(
            insert(OutboxMessage),
            [
                {
                    "case_id": case_id,
                    "kind": "threshold_met",
                    "recipient": "applicant",
                    "dedupe_key": f"due:{case_id}",
                    "status": "pending",
                    "send_after": NOW,
                    "created_at": NOW,
                    "payload": {},
                }
                for case_id in due
            ],
        )
    sender = NullSender()
    later = NOW + timedelta(minutes=1)
    started = time.perf_counter()
    result = sweep(sessions, policy, sender, later)  # type: ignore[arg-type]
    took = time.perf_counter() - started
    engine.dispose()
    assert result.sent == len(due), (result, len(due))
    return took, result.sent


def measure_figures(url: str) -> tuple[float, float]:
    """Median seconds of one year's figures for one partnership, and for all of them."""
    config = load_config(ROOT / "config.toml", environ={})
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    year = performance_year(TODAY.year - 5)
    medians = []
    for one in (True, False):
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            with read_session(sessions) as session:
                partnership = session.get(Partnership, 1) if one else None
                report(session, year, config, partnership)
            timings.append(time.perf_counter() - started)
        medians.append(statistics.median(timings))
    engine.dispose()
    return medians[0], medians[1]


def measure_pages(url: str, partnerships: int) -> tuple[float, float]:
    """Median seconds of the dashboard and of a case page for a partnership's manager."""
    import dataclasses

    from triggers.config import DatabaseConfig
    from web.app import create_app

    config = load_config(ROOT / "config.toml", environ={})
    server = dataclasses.replace(config.server, sign_in_limit="10000 per minute")
    config = dataclasses.replace(config, database=DatabaseConfig(url=url), server=server)
    app = create_app(config)
    app.extensions["casereview"].clock = lambda: NOW
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    signed = client.post(
        "/sign-in",
        data={"email": "manager1@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert signed.status_code == 302, signed.get_data(as_text=True)
    with read_session(app.extensions["casereview"].sessions) as session:
        references = session.scalars(
            select(CaseReview.reference).where(CaseReview.partnership_id == 1).limit(20)
        ).all()
    dashboard, case_page = [], []
    for index in range(20):
        started = time.perf_counter()
        assert client.get("/").status_code == 200
        dashboard.append(time.perf_counter() - started)
        started = time.perf_counter()
        assert client.get(f"/cases/{references[index % len(references)]}").status_code == 200
        case_page.append(time.perf_counter() - started)
    app.extensions["casereview"].engine.dispose()
    return statistics.median(dashboard), statistics.median(case_page)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _hwm_mb(status: str) -> float:
    """VmHWM (the process's own peak RSS) from /proc/PID/status. Not ru_maxrss: a child
    forked from this (large) process inherits its parent's figure there."""
    return int(status.split("VmHWM:")[1].split()[0]) / 1024


def peak_rss_mb(
    command: list[str], env: dict[str, str], reference: str | None, port: int = 0
) -> float:
    """Peak RSS of a `casereview` command; for `serve`, after a manager has signed in and
    looked at the dashboard and a case page ten times each."""
    if reference is None:  # a command that ends: it writes its own figure as it exits
        with tempfile.NamedTemporaryFile("r", suffix=".status") as out:
            code = (
                "import atexit, sys\n"
                f"atexit.register(lambda: open({out.name!r}, 'w')"
                ".write(open('/proc/self/status').read()))\n"
                "from web.cli import main\n"
                f"sys.argv = ['casereview', *{command[1:]!r}]\n"
                "main()\n"
            )
            done = subprocess.run(
                [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
            )
            if done.returncode != 0:
                raise SystemExit(f"{' '.join(command[1:])} failed:\n{done.stderr[-3000:]}")
            return _hwm_mb(Path(out.name).read_text())
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _exercise(f"http://127.0.0.1:{port}", reference)
        return _hwm_mb(Path(f"/proc/{process.pid}/status").read_text())
    finally:
        process.terminate()
        process.wait(timeout=30)


def _exercise(base: str, reference: str) -> None:
    import http.cookiejar
    import re
    import urllib.parse
    import urllib.request

    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    for _ in range(100):
        try:
            page = opener.open(f"{base}/sign-in", timeout=5).read().decode()
            break
        except OSError:
            time.sleep(0.2)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    form = {"email": "manager1@example.org", "password": PASSWORD, "csrf_token": token}
    opener.open(f"{base}/sign-in", urllib.parse.urlencode(form).encode(), timeout=30).read()
    for _ in range(10):
        assert b"Case reviews" in opener.open(f"{base}/", timeout=60).read()
        opener.open(f"{base}/cases/{reference}", timeout=60).read()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url, drop = database(args.database, Path(folder))
        try:
            engine = make_engine(url)
            upgrade(engine)
            started = time.perf_counter()
            facts = generate(engine, args.cases)
            made = time.perf_counter() - started
            engine.dispose()
            sweep_s, sent = measure_sweep(url, facts["open_ids"])
            one_s, figures_s = measure_figures(url)
            dashboard_s, case_s = measure_pages(url, facts["partnerships"])
            (Path(folder) / "bench.toml").write_text((ROOT / "config.toml").read_text())
            casereview = str(Path(sys.executable).parent / "casereview")
            env = {"DATABASE_URL": url, "PATH": os.environ.get("PATH", "")}
            config = ["--config", str(Path(folder) / "bench.toml")]
            sweep_mb = peak_rss_mb([casereview, *config, "sweep"], env, None)
            port = _free_port()
            serve_mb = peak_rss_mb(
                [casereview, *config, "serve", "--port", str(port), "--no-scheduler"],
                env,
                facts["reference"],
                port,
            )
        finally:
            drop()
    size, backend = f"{args.cases:,}", args.database
    rows = [
        f"| generate | {size} | {backend} | {made:.1f} s ({facts['partnerships']} partnerships, "
        f"{len(facts['open_ids']):,} open) |",
        f"| sweep: {sent:,} letters due (1% of open cases) | {size} | {backend} | "
        f"{sweep_s * 1000:.0f} ms ({sweep_s * 1000 / max(sent, 1):.1f} ms a letter) |",
        f"| figures for one year, one partnership | {size} | {backend} | {one_s * 1000:.0f} ms |",
        f"| figures for one year, all partnerships | {size} | {backend} | "
        f"{figures_s * 1000:.0f} ms |",
        f"| dashboard (median of 20) | {size} | {backend} | {dashboard_s * 1000:.0f} ms |",
        f"| case page (median of 20) | {size} | {backend} | {case_s * 1000:.0f} ms |",
        f"| peak RSS of `casereview sweep` | {size} | {backend} | {sweep_mb:.0f} MB |",
        f"| peak RSS of `casereview serve` | {size} | {backend} | {serve_mb:.0f} MB |",
    ]
    for row in rows:
        print(row, flush=True)


if __name__ == "__main__":
    main()
