"""Load: 50 clients for a minute on the production server, 10,000 cases in PostgreSQL.

Three `casereview serve --no-scheduler` workers (waitress) and one `casereview scheduler`
share a PostgreSQL database of 10,000 imported cases. Each client signs in once and then, in
a loop, opens the dashboard, opens a case page and adds a chronology entry through the API to
one of 40 "hot" cases, so that writers collide on purpose. Afterwards the database must hold
exactly one chronology entry per 201 answer (no update lost, none twice), every refused
write must be a 409 "changed by someone else", and the audit chain must verify.

    .venv/bin/python bench/load.py [--clients 50] [--seconds 60] [--cases 10000] [--workers 3]
                                   [--bulk] [--pause SECONDS] [--schedulers 1]
                                   [--limits-storage redis://127.0.0.1:6379/0]

With ``--pause`` each client waits about that long after each answer, as a person reads a
page before the next click; without it the clients never pause, which measures the
server's capacity rather than what a person waits.

With ``--bulk`` the history is written by bench/scale.py's generator instead of the import
(100,000 cases in a minute or two, over many partnerships); the clients are the manager of
the first partnership, and the chronology entries name its police.

Only addresses on this machine (127.0.0.1) are used; the loops are bounded in time.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import requests
from sqlalchemy import create_engine, func, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from figures import history_csv  # noqa: E402

from triggers.accounts import create_token, create_user, hash_password  # noqa: E402
from triggers.audit import verify_chain  # noqa: E402
from triggers.config import load_config  # noqa: E402
from triggers.db import make_engine, make_session_factory, read_session, write_transaction  # noqa: E402
from triggers.models import CaseReview, ChronologyEntry, User  # noqa: E402
from triggers.partnerships import sync_partnership  # noqa: E402
from triggers.policy import Policy  # noqa: E402
from triggers.schema import upgrade  # noqa: E402
from workflows.history_import import check_file, import_cases  # noqa: E402

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
PASSWORD = "kettle-orbit-meadow-lantern"
NOW = datetime.now(UTC)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(url: str, cases: int) -> tuple[list[str], str]:
    """The database: migrated, 10,000 cases imported, a manager with a token."""
    config = load_config(ROOT / "config.toml", environ={})
    policy = Policy.from_config(config)
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    with write_transaction(sessions) as session:
        partnership = sync_partnership(session, config, NOW)
        create_user(session, partnership, "load@example.org", PASSWORD, "manager", NOW)
    csv_text = history_csv(cases, policy, codes=(config.partnership.code,))
    with write_transaction(sessions) as session:
        plan = check_file(io.StringIO(csv_text), session, policy, NOW.date(), partnership)
        import_cases(session, plan, policy, NOW, "load.csv")
    with write_transaction(sessions) as session:
        user = session.scalar(select(User).where(User.email == "load@example.org"))
        token = create_token(session, user, NOW)
        references = list(session.scalars(select(CaseReview.reference).limit(cases)))
    engine.dispose()
    return references, token


def prepare_bulk(url: str, cases: int) -> tuple[list[str], str]:
    """The database: migrated, ``cases`` cases generated in bulk, and partnership 1's manager
    renamed to the load clients' account, with a token."""
    from scale import generate

    engine = make_engine(url)
    upgrade(engine)
    generate(engine, cases)
    sessions = make_session_factory(engine)
    with write_transaction(sessions) as session:
        user = session.scalar(select(User).where(User.email == "manager1@example.org"))
        user.email = "load@example.org"
        user.password_hash = hash_password(PASSWORD)
        token = create_token(session, user, NOW)
        references = list(
            session.scalars(
                select(CaseReview.reference)
                .where(CaseReview.partnership_id == user.partnership_id)
                .order_by(CaseReview.received_on.desc())
                .limit(2_000)
            )
        )
    engine.dispose()
    return references, token


def start(
    folder: Path, url: str, workers: int, schedulers: int = 1, limits_storage: str = ""
) -> tuple[list[subprocess.Popen], list[int]]:
    config = (
        (ROOT / "config.toml")
        .read_text()
        .replace('sign_in_limit = "10 per minute"', 'sign_in_limit = "10000 per minute"')
    )
    (folder / "config.toml").write_text(config)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "CASEREVIEW_SECRET_KEY": uuid.uuid4().hex,  # shared, so any worker reads a session
        "CASEREVIEW_LOG_LEVEL": "WARNING",
        # Several nodes share their limits through Redis (README, "Running it for real").
        **({"CASEREVIEW_LIMITS_STORAGE": limits_storage} if limits_storage else {}),
    }
    casereview = str(Path(sys.executable).parent / "casereview")
    ports = [free_port() for _ in range(workers)]
    processes = [
        subprocess.Popen(
            [
                casereview,
                "--config",
                str(folder / "config.toml"),
                "serve",
                "--no-scheduler",
                "--port",
                str(port),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(folder / f"serve-{port}.log").open("w"),
        )
        for port in ports
    ]
    # Several schedulers: one leads (the advisory lock), the others wait to take over.
    processes.extend(
        subprocess.Popen(
            [casereview, "--config", str(folder / "config.toml"), "scheduler"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(schedulers)
    )
    # Each node ready (/readyz: the database at the schema head); a busy machine takes a while.
    deadline = time.monotonic() + 180
    for port in ports:
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
    return processes, ports


def client(
    ports, references, hot, token, seconds, results, lock, agency, pause, ready, warm_up
) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random()
    base = f"http://127.0.0.1:{rng.choice(ports)}"
    web = requests.Session()
    page = web.get(f"{base}/sign-in", timeout=30).text
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    signed_in = web.post(
        f"{base}/sign-in",
        timeout=30,
        data={"email": "load@example.org", "password": PASSWORD, "csrf_token": csrf},
    )
    if "Sign out" not in signed_in.text:
        ready.abort()  # the others stop waiting for this one
        raise SystemExit("the load client could not sign in")
    api = {"Authorization": f"Bearer {token}"}
    entry = {"agency": agency, "occurred_on": "2024-05-01", "summary": "Load."}

    def send(kind: str, base: str) -> int:
        if kind == "dashboard":
            return web.get(f"{base}/", timeout=30).status_code
        if kind == "case page":
            return web.get(f"{base}/cases/{rng.choice(references)}", timeout=30).status_code
        url = f"{base}/api/v1/cases/{rng.choice(hot)}/chronology"
        return requests.post(url, headers=api, json=entry, timeout=30).status_code

    def attempt(kind: str, base: str) -> int:
        """The answer's status; 0 when none came (refused, reset or timed out)."""
        try:
            return send(kind, base)
        except requests.RequestException:
            return 0

    # Steady state: every client signed in, and each worker has served each page once
    # (compiled its templates, opened its connections), before anything is counted.
    for kind in ("dashboard", "case page", "event"):
        status = attempt(kind, base)
        with lock:
            warm_up[kind].append(status)
    try:
        ready.wait(timeout=300)
    except threading.BrokenBarrierError:
        return  # a client could not start; main() says so
    if pause:  # people do not all click at the same moment
        time.sleep(rng.uniform(0, pause))
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        base = f"http://127.0.0.1:{rng.choice(ports)}"
        for kind in ("dashboard", "case page", "event"):
            begin = time.perf_counter()
            status = attempt(kind, base)
            elapsed = time.perf_counter() - begin
            with lock:
                results[kind].append((status, elapsed))
            if pause:
                time.sleep(rng.uniform(0.5, 1.5) * pause)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--bulk", action="store_true")
    parser.add_argument("--schedulers", type=int, default=1)
    parser.add_argument(
        "--limits-storage",
        default="",
        help="e.g. redis://127.0.0.1:6379/0: the workers share their limits, as nodes do",
    )
    parser.add_argument(
        "--pause",
        type=float,
        default=0.0,
        help="seconds a client waits after each answer, as a person reading the page (0.5 to "
        "1.5 times this, at random); 0: clients that never pause, the server's capacity",
    )
    args = parser.parse_args()
    name = f"casereview_load_{uuid.uuid4().hex[:8]}"
    admin = create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"{SERVER}/{name}"
    processes: list[subprocess.Popen] = []
    try:
        if args.bulk:
            references, token = prepare_bulk(url, args.cases)
            agency = "Police 1"
        else:
            references, token = prepare(url, args.cases)
            agency = "Leicestershire Police"
        hot = references[:40]
        with tempfile.TemporaryDirectory() as folder:
            processes, ports = start(
                Path(folder), url, args.workers, args.schedulers, args.limits_storage
            )
            results: dict[str, list[tuple[int, float]]] = defaultdict(list)
            lock = threading.Lock()
            ready = threading.Barrier(args.clients)
            warm_up: dict[str, list[int]] = defaultdict(list)
            threads = [
                threading.Thread(
                    target=client,
                    args=(
                        ports,
                        references,
                        hot,
                        token,
                        args.seconds,
                        results,
                        lock,
                        agency,
                        args.pause,
                        ready,
                        warm_up,
                    ),
                )
                for _ in range(args.clients)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            # Stop the servers and the scheduler before their folder (its outbox) goes.
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=30)
            for log in sorted(Path(folder).glob("serve-*.log")):
                for line in log.read_text().splitlines():
                    if " ERROR " in line or " WARNING " in line:
                        print(f"{log.name}: {line}")
        if ready.broken:
            raise SystemExit("the load clients did not all start: nothing was measured")
        report(results, warm_up, url, args)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def report(results, warm_up, url, args) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with read_session(sessions) as session:
        entries = session.scalar(select(func.count()).select_from(ChronologyEntry))
        chain = verify_chain(session)
    engine.dispose()
    print(
        f"| kind | requests | errors (5xx or none) | 409 | p50 ms | p95 ms | p99 ms |  "
        f"({args.clients} clients, {args.seconds} s, {args.cases:,} cases, "
        f"{args.workers} workers + {args.schedulers} scheduler(s), PostgreSQL, "
        f"{'limits in ' + args.limits_storage + ', ' if args.limits_storage else ''}"
        f"{f'a pause of about {args.pause:g} s after each answer' if args.pause else 'no pause'})"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for kind, rows in results.items():
        times = [elapsed for _, elapsed in rows]
        errors = sum(1 for status, _ in rows if status == 0 or status >= 500)
        conflicts = sum(1 for status, _ in rows if status == 409)
        print(
            f"| {kind} | {len(rows):,} | {errors} | {conflicts} | {percentile(times, 0.5):.0f} "
            f"| {percentile(times, 0.95):.0f} | {percentile(times, 0.99):.0f} |"
        )
    answered = sum(len(rows) for rows in results.values())
    print(f"\nRequests a second: {answered / args.seconds:.1f} ({answered:,} in {args.seconds} s).")
    # The warm-up's entries (one per client, not timed) are written too.
    created = sum(1 for status, _ in results["event"] if status == 201)
    created += sum(1 for status in warm_up["event"] if status == 201)
    print(
        f"\nChronology entries written: {entries}; 201 answers: {created} "
        f"({'none lost, none twice' if entries == created else 'MISMATCH'}). "
        f"Audit chain: {'intact' if chain.intact else chain.reason} ({chain.events:,} events)."
    )


if __name__ == "__main__":
    main()
