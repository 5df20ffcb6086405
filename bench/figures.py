"""Benchmark: the yearly figures over a large history of imported cases.

Target (the figures issue): `casereview stats` for one year over 100,000 imported cases in
well under a second on SQLite, because the figures are SQL aggregates over one range of
receipt dates, not Python loops over rows. Also measured: the import itself, and the same
figures on PostgreSQL.

    .venv/bin/python bench/figures.py [--cases 100000] [--database sqlite|postgresql]

Prints one Markdown table row per measure; `make bench` writes them to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from triggers.config import config_from_dict, load_config  # noqa: E402
from triggers.db import make_engine, make_session_factory, read_session, write_transaction  # noqa: E402
from triggers.figures import performance_year, report  # noqa: E402
from triggers.partnerships import sync_partnership  # noqa: E402
from triggers.policy import Policy  # noqa: E402
from triggers.schema import upgrade  # noqa: E402
from web.demo import WARDS, history_row  # noqa: E402
from workflows.history_import import COLUMNS, check_file, import_cases  # noqa: E402

PARTNERSHIPS = (
    ("CT", "Charnwood CSP"),
    ("ML", "Melton CSP"),
    ("HB", "Hinckley CSP"),
    ("NW", "North West Leicestershire CSP"),
    ("OW", "Oadby and Wigston CSP"),
)
FIRST_YEAR, YEARS = 2015, 10
NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def history_csv(
    cases: int, policy: Policy, codes: tuple[str, ...] = tuple(c for c, _ in PARTNERSHIPS)
) -> str:
    """``cases`` rows spread over ten performance years and the partnerships ``codes``."""
    rng = random.Random(2014)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS))
    writer.writeheader()
    themes = policy.config.theme_keys()
    span = (date(FIRST_YEAR + YEARS, 4, 1) - date(FIRST_YEAR, 4, 1)).days
    numbered: dict[tuple[str, int], int] = {}
    for number in range(1, cases + 1):
        received = date(FIRST_YEAR, 4, 1) + timedelta(days=rng.randrange(span))
        row = history_row(rng, received, policy.calendar, themes)
        code = codes[number % len(codes)]
        # A reference the import accepts: the partnership's code, the year, and a number in
        # the "H" series that casereview never gives itself (workflows.history_import).
        key = (code, received.year)
        numbered[key] = numbered.get(key, 0) + 1
        reference = f"{code}-{received.year}-H{numbered[key]:03d}"
        row.update(reference=reference, ward=rng.choice(WARDS), partnership=code)
        writer.writerow(row)
    return buffer.getvalue()


def database(kind: str, folder: Path) -> tuple[str, callable]:
    if kind == "sqlite":
        return f"sqlite:///{folder / 'bench.db'}", lambda: None
    name = f"casereview_bench_{uuid.uuid4().hex[:8]}"
    server = create_engine(
        "postgresql+psycopg://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT"
    )
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", drop


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    config = load_config(ROOT / "config.toml", environ={})
    policy = Policy.from_config(config)
    with tempfile.TemporaryDirectory() as folder:
        url, drop = database(args.database, Path(folder))
        try:
            rows = run(url, args.cases, config, policy, Path(folder))
        finally:
            drop()
    for row in rows:
        print(row, flush=True)


def run(url: str, cases: int, config, policy: Policy, folder: Path) -> list[str]:  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    with write_transaction(sessions) as session:
        default = None
        for code, name in PARTNERSHIPS:
            partner = config_from_dict({"partnership": {"name": name, "code": code}})
            created = sync_partnership(session, partner, NOW)
            default = default or created
    text_csv = history_csv(cases, policy)
    started = time.perf_counter()
    with write_transaction(sessions) as session:
        plan = check_file(
            io.StringIO(text_csv), session, policy, NOW.date(), session.merge(default)
        )
        checked = time.perf_counter()
        import_cases(session, plan, policy, NOW, "bench.csv")
    imported = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    backend = engine.dialect.name
    year = performance_year(FIRST_YEAR + YEARS // 2)
    timings = []
    for _ in range(7):
        begin = time.perf_counter()
        with read_session(sessions) as session:
            result = report(session, year, config)
        timings.append(time.perf_counter() - begin)
    received = result.total.count("applications_received")
    engine.dispose()

    # The command a manager types, end to end (a new process: imports, config, connection).
    rows = [
        f"| import (check + write) | {cases:,} | {backend} | "
        f"{checked - started:.1f} s + {imported - checked:.1f} s "
        f"({cases / (imported - started):,.0f} cases/s), peak RSS {peak_mb:,.0f} MB |",
        f"| figures for {year.label}, all 5 partnerships and each ({received:,} of the year) | "
        f"{cases:,} | {backend} | median {statistics.median(timings) * 1000:.0f} ms "
        f"(min {min(timings) * 1000:.0f}, max {max(timings) * 1000:.0f}) |",
    ]
    for row in rows:
        print(row, flush=True)
    (folder / "bench.toml").write_text((ROOT / "config.toml").read_text())
    begin = time.perf_counter()
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "casereview"),
            "--config",
            str(folder / "bench.toml"),
            "stats",
            "--year",
            str(year.start_year),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"DATABASE_URL": url, "PATH": ""},
    )
    command = time.perf_counter() - begin
    if done.returncode != 0:
        raise SystemExit(f"casereview stats failed: {done.stderr.strip()}")
    return [
        f"| `casereview stats --year {year.start_year} --format json` (new process) | "
        f"{cases:,} | {backend} | {command:.2f} s |"
    ]


if __name__ == "__main__":
    main()
