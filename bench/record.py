"""`make bench`: run the benchmarks and write their rows into bench/RESULTS.md.

RESULTS.md keeps the findings in prose, and one generated block per benchmark between
``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->``: the throughput rows, one table per
measure of the scale benchmark (cases, backend, figure), the figures benchmark's rows, the
reads under load (bench/views.py: a row per target and number of clients) and the command
line's (one table per command).
A row measured again replaces the one with the same key (the throughput's backend, history
and clients; a measure's size and backend); rows not measured this time, such as the
1,000,000-case ones that take half an hour, stay with the date they were measured on.

    .venv/bin/python bench/record.py [--only throughput scale figures views cli cpu]
                                     [--sizes 1000 10000 100000] [--figures-cases 100000]
                                     [--cli-sizes 1000 100000]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "RESULTS.md"
BACKENDS = ("sqlite", "postgresql")

THROUGHPUT_HEADER = (
    "| backend | history | clients | events | runs | service | floor | minimal floor | peer "
    "| service / floor | lowest–highest | service / minimal floor | service / peer | measured |\n"
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
    "| --- |"
)
#: How many times each throughput row is measured: one run's ratio is not a verdict.
THROUGHPUT_RUNS = "5"
#: A throughput row's key: backend, history and clients.
THROUGHPUT_KEY = 3


def cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


def table_row(values: Iterable[str]) -> str:
    return "| " + " | ".join(values) + " |"


def size_of(text: str) -> int:
    return int(text.replace(",", ""))


# --- the blocks: parse what is there, merge what was measured, write it back ------------


def block(text: str, name: str) -> str:
    """The body of block ``name`` in ``text`` ("" when RESULTS.md has none yet)."""
    found = re.search(rf"<!-- bench:{name} -->\n(.*?)<!-- /bench:{name} -->", text, re.S)
    return found.group(1) if found else ""


def replace_block(text: str, name: str, body: str) -> str:
    new = f"<!-- bench:{name} -->\n{body}<!-- /bench:{name} -->"
    pattern = rf"<!-- bench:{name} -->\n.*?<!-- /bench:{name} -->"
    if re.search(pattern, text, re.S):
        return re.sub(pattern, lambda _: new, text, flags=re.S)
    return f"{text.rstrip()}\n\n{new}\n"


def merge_throughput(body: str, rows: list[str], measured: str) -> str:
    kept = {
        tuple(cells(line)[:THROUGHPUT_KEY]): line
        for line in body.splitlines()
        if line.startswith("| ") and not line.startswith("| backend") and "---" not in line
    }
    for row in rows:
        kept[tuple(cells(row)[:THROUGHPUT_KEY])] = table_row([*cells(row), measured])
    ordered = sorted(kept.items(), key=lambda item: (item[0][0], size_of(item[0][1]), item[0][2]))
    return THROUGHPUT_HEADER + "\n" + "\n".join(line for _, line in ordered) + "\n"


VIEWS_HEADER = (
    "| target | clients | requests | errors | req/s | p50 ms | p95 ms "
    "| busy backends waiting on a lock | most waiting at once | server CPU ms/request "
    "| measured |\n"
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
)


def merge_views(body: str, rows: list[str], measured: str) -> str:
    """bench/views.py's rows, one per target and client count."""
    kept = {
        tuple(cells(line)[:2]): line
        for line in body.splitlines()
        if line.startswith("| ") and not line.startswith("| target") and "---" not in line
    }
    for row in rows:
        if row.startswith("| target") or "---" in row:
            continue
        kept[tuple(cells(row)[:2])] = table_row([*cells(row), measured])
    ordered = sorted(kept.items(), key=lambda item: (item[0][0], size_of(item[0][1])))
    return VIEWS_HEADER + "\n" + "\n".join(line for _, line in ordered) + "\n"


def scale_measure(row: str) -> tuple[str, str, str, str]:
    """(measure, cases, backend, figure) of a bench/scale.py row; the sweep's row names how
    many letters were due, which goes with its figure so that one table holds every size."""
    measure, size, backend, figure = cells(row)
    due = re.fullmatch(r"sweep: ([\d,]+) letters due \((.*)\)", measure)
    if due:
        measure, figure = f"sweep, {due.group(2)} due", f"{figure}, {due.group(1)} letters"
    return measure, size, backend, figure


def merge_measures(body: str, rows: list[str], measured: str) -> str:
    """One table per measure: cases, backend, figure, the day it was measured."""
    tables: dict[str, dict[tuple[str, str], list[str]]] = {}
    measure = ""
    for line in body.splitlines():
        heading = re.fullmatch(r"\*\*(.+)\*\*", line.strip())
        if heading:
            measure = heading.group(1)
            tables.setdefault(measure, {})
        elif (
            line.startswith("| ")
            and measure
            and not line.startswith("| cases")
            and ("---" not in line)
        ):
            size, backend, *rest = cells(line)
            tables[measure][(size, backend)] = [size, backend, *rest]
    for row in rows:
        measure, size, backend, figure = scale_measure(row)
        tables.setdefault(measure, {})[(size, backend)] = [size, backend, figure, measured]
    parts = []
    for measure, found in tables.items():
        ordered = sorted(found.values(), key=lambda r: (size_of(r[0]), BACKENDS.index(r[1])))
        parts.append(
            f"**{measure}**\n\n| cases | backend | figure | measured |\n"
            "| ---: | --- | --- | --- |\n" + "\n".join(table_row(r) for r in ordered) + "\n"
        )
    return "\n".join(parts)


# --- running them ---------------------------------------------------------------------------


def run(script: str, *args: str) -> list[str]:
    """Run one benchmark; echo and return the Markdown rows it printed."""
    command = [sys.executable, str(BENCH / script), *args]
    print("$", " ".join(command[1:]), flush=True)
    output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
    rows = [line for line in output.splitlines() if line.startswith("| ")]
    for row in rows:
        print(row, flush=True)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--only",
        nargs="+",
        choices=["throughput", "scale", "figures", "views", "cli", "cpu"],
        default=["throughput", "scale", "figures", "views", "cli", "cpu"],
    )
    parser.add_argument("--sizes", nargs="+", type=int, default=[1_000, 10_000, 100_000])
    parser.add_argument("--figures-cases", type=int, default=100_000)
    parser.add_argument("--cli-sizes", nargs="+", type=int, default=[1_000, 100_000])
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    measured = date.today().isoformat()
    if "throughput" in args.only:
        rows = []
        runs = ("--runs", THROUGHPUT_RUNS)
        for db in BACKENDS:
            rows += run("throughput.py", "--cases", "200", "--database", db, *runs)
        rows += run(
            "throughput.py", "--cases", "400", "--database", "postgresql", "--clients", "8", *runs
        )
        for db in BACKENDS:  # the same writes into tables that already hold a history
            rows += run(
                "throughput.py", "--cases", "200", "--database", db, "--history", "100000", *runs
            )
        record(args.results, "throughput", lambda body: merge_throughput(body, rows, measured))
    if "scale" in args.only:
        rows = []
        for size in args.sizes:
            for db in BACKENDS:
                rows += run("scale.py", "--cases", str(size), "--database", db)
        record(args.results, "scale", lambda body: merge_measures(body, rows, measured))
    if "figures" in args.only:
        rows = []
        for db in BACKENDS:
            rows += run("figures.py", "--cases", str(args.figures_cases), "--database", db)
        record(args.results, "figures", lambda body: merge_measures(body, rows, measured))
    if "views" in args.only:  # PostgreSQL only: the chain's head lock is a row lock there
        rows = run("views.py", "--cases", "10000", "--seconds", "15", "--rounds", "2")
        record(args.results, "views", lambda body: merge_views(body, rows, measured))
    if "cli" in args.only:
        rows = []
        sizes = [str(size) for size in args.cli_sizes]
        for db in BACKENDS:
            rows += run("cli.py", "--cases", *sizes, "--database", db)
        record(args.results, "cli", lambda body: merge_measures(body, rows, measured))
    if "cpu" in args.only:  # server CPU per request (issue 22), at the figures' size
        rows = []
        for db in BACKENDS:
            rows += run("cpu.py", "--cases", str(args.figures_cases), "--database", db)
        record(args.results, "cpu", lambda body: merge_measures(body, rows, measured))
    print(f"written: {args.results}")


def record(results: Path, name: str, merge: Callable[[str], str]) -> None:
    """Merge the rows into block ``name`` of the file as it is now: the prose around it may
    have been edited while a long run went on."""
    text = results.read_text() if results.exists() else "# Benchmark results\n"
    results.write_text(replace_block(text, name, merge(block(text, name))))


if __name__ == "__main__":
    main()
