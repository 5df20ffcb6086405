"""Benchmark: how long `casereview` takes to answer in a terminal, as the history grows.

Each size's history is written by bench/scale.py's generator; then every command runs as a
person runs it (a new process each time: the interpreter's start, the imports, the
configuration, the schema check, the query and the output). The runs are interleaved, every
command and every size in turn within each round, so that a busy moment of the shared
machine falls on all of them alike; `python -c pass` runs in the same rounds as the floor
that no command can go under. Each figure is the median of the rounds' wall times, with the
median CPU time of the process (user + system; a PostgreSQL server's own CPU is not in it).

    .venv/bin/python bench/cli.py [--cases 1000 100000] [--database sqlite|postgresql]
                                  [--runs 7] [--keep FOLDER]

``--keep FOLDER`` (SQLite) writes each size's history to FOLDER/SIZE/bench.db and, on the
next run, reuses the one already there: 100,000 cases take minutes to generate, and
profiling a command wants the same database again (``DATABASE_URL=sqlite:///FOLDER/100000/
bench.db .venv/bin/casereview stats``). The reference ``case show`` reads is kept beside it.

Prints one Markdown table row per command and size.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from figures import database  # noqa: E402
from scale import generate  # noqa: E402

from triggers.db import make_engine  # noqa: E402
from triggers.schema import upgrade  # noqa: E402

#: What is timed: a label, and the arguments after `casereview` (None: `python -c pass`).
COMMANDS: tuple[tuple[str, list[str] | None], ...] = (
    ("`python -c pass`", None),
    ("`casereview --help`", ["--help"]),
    ("`casereview case show`", ["case", "show", "{reference}"]),
    ("`casereview stats`", ["stats"]),
    ("`casereview case list`", ["case", "list"]),
    ("`casereview case list --all`", ["case", "list", "--all"]),
)


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, nargs="+", default=[1_000, 100_000])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", type=Path, metavar="FOLDER", help="Keep and reuse (SQLite).")
    args = parser.parse_args()
    if args.keep and args.database != "sqlite":
        parser.error("--keep keeps SQLite files only")
    casereview = str(Path(sys.executable).parent / "casereview")
    drops: list[Callable[[], None]] = []
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "bench.toml"
        config.write_text((ROOT / "config.toml").read_text())
        try:
            histories = {}
            for size in args.cases:
                place = (args.keep or Path(folder)) / str(size)
                place.mkdir(parents=True, exist_ok=True)
                url, drop = database(args.database, place)
                drops.append(drop)
                kept = place / "reference.txt"
                if args.keep and kept.exists():
                    reference = kept.read_text().strip()
                else:
                    (place / "bench.db").unlink(missing_ok=True)
                    engine = make_engine(url)
                    upgrade(engine)
                    reference = generate(engine, size)["reference"]
                    engine.dispose()
                    if args.keep:
                        kept.write_text(reference)
                env = {
                    "DATABASE_URL": url,
                    "CASEREVIEW_CONFIG": str(config),
                    "PATH": os.environ.get("PATH", ""),
                    "HOME": os.environ.get("HOME", folder),
                    "USER": "bench",
                }
                histories[size] = (env, reference)
            wall: dict[tuple[str, int], list[float]] = {}
            cpu: dict[tuple[str, int], list[float]] = {}
            for _ in range(args.runs):
                for size, (env, reference) in histories.items():
                    for label, arguments in COMMANDS:
                        command = (
                            [sys.executable, "-c", "pass"]
                            if arguments is None
                            else [casereview, *(a.format(reference=reference) for a in arguments)]
                        )
                        seconds, used = timed(command, env)
                        wall.setdefault((label, size), []).append(seconds)
                        cpu.setdefault((label, size), []).append(used)
        finally:
            for drop in drops:
                drop()
    for label, _ in COMMANDS:
        for size in args.cases:
            took = statistics.median(wall[label, size]) * 1000
            used = statistics.median(cpu[label, size]) * 1000
            print(
                f"| {label} (median of {args.runs}) | {size:,} | {args.database} | "
                f"{took:.0f} ms (CPU {used:.0f} ms) |",
                flush=True,
            )


if __name__ == "__main__":
    main()
