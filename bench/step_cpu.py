"""Benchmark: where the client's CPU goes in a step, part by part, beside the floor's whole
step (issue 22's third point: the service's step at 0.7 of the fair floor).

    .venv/bin/python bench/step_cpu.py [--cases 40] [--database sqlite|postgresql]

Cases are opened as ``bench/throughput.py`` opens them, and its contenders take them through
the same six steps, in one process: first the service and the floor in alternating rounds,
each round's process CPU time (``time.process_time``: this client's own work, which is what
the service adds to the floor, without the database server's time or the waits) added to
its contender; then the service again on cases of its own, each part of its step timed
apart. A shared machine's wall time moves by more than the differences looked for; one
process's CPU time, with the two contenders taking turns, does not.

The parts are the functions a step passes through (``PARTS``), each timed without the parts
it calls: the transaction's begin and close, the case's load, the checks before the step,
the step's own records, the move (transition and clocks), the letters, the unit of work's
flush, the audit append, the commit. Prints Markdown rows: the two contenders' CPU a step
and its ratio, each part's share, and the statements each sends a step.
"""

from __future__ import annotations

import argparse
import functools
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import throughput  # noqa: E402
from figures import database  # noqa: E402

import workflows.service  # noqa: E402

#: Each part of the service's step: (its name, the module or class, the function's name there).
PARTS: list[tuple[str, Any, str]] = [
    ("begin and close", throughput, "write_transaction"),
    ("load the case", throughput, "case_for_a_step"),
    ("checks before the step", throughput, "apply"),
    ("the step's own records", workflows.service, "_record_step"),
    ("the move (transition, clocks)", workflows.service, "advance"),
    ("the letters", workflows.service, "queue_for_event"),
    ("flush (unit of work)", workflows.service, "flush_case"),
    ("audit append", workflows.service, "append_event"),
    ("commit", Session, "commit"),
]


class Parts:
    """CPU time spent in each part, each without the parts it calls (timed while ``timing``)."""

    def __init__(self) -> None:
        self.spent: Counter[str] = Counter()
        self._inner: list[float] = []

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        if name == "begin and close":
            return self._wrap_transaction(name, function)

        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            return self._call(name, function, *args, **kwargs)

        return timed

    def _wrap_transaction(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        """A context manager: its entering and leaving are the part, its body is not."""

        @contextmanager
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Iterator[Any]:
            manager = function(*args, **kwargs)
            value = self._call(name, manager.__enter__)
            try:
                yield value
            except BaseException as error:
                if not self._call(name, manager.__exit__, type(error), error, None):
                    raise
            else:
                self._call(name, manager.__exit__, None, None, None)

        return timed

    def _call(self, name: str, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        self._inner.append(0.0)
        try:
            return function(*args, **kwargs)
        finally:
            spent = time.process_time() - started
            inner = self._inner.pop()
            self.spent[name] += spent - inner
            if self._inner:
                self._inner[-1] += spent

    @contextmanager
    def timing(self) -> Iterator[None]:
        originals = [(owner, attribute, getattr(owner, attribute)) for _, owner, attribute in PARTS]
        for (name, owner, attribute), (_, _, original) in zip(PARTS, originals, strict=True):
            setattr(owner, attribute, self.wrap(name, original))
        try:
            yield
        finally:
            for owner, attribute, original in originals:
                setattr(owner, attribute, original)


def statements_a_step(url: str, run: Callable[[str, Sequence[int]], None], ids: list[int]) -> float:
    """The statements ``run`` sends a step (an executemany counts once)."""
    engine = throughput._engine(url)
    sent = 0

    def count(*_: Any) -> None:
        nonlocal sent
        sent += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        run(url, ids)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return sent / (len(ids) * throughput.EVENTS_PER_CASE)


def measure(url: str, cases: int, rounds: int = 6) -> list[str]:
    ids = throughput.prepare(url, 2 * cases + 2)
    service, floor = ids["service"], ids["floor"]
    throughput._engine(url).connect().close()
    contenders = {"service": throughput.run_service, "floor": throughput.run_floor}
    # The first case of each warms its caches (compiled statements, the process) untimed.
    statements = {
        name: statements_a_step(url, run, ids[name][:1]) for name, run in contenders.items()
    }
    cpu = dict.fromkeys(contenders, 0.0)
    timed = {"service": service[1 : cases + 1], "floor": floor[1 : cases + 1]}
    for round_ in range(rounds):
        order = list(contenders) if round_ % 2 == 0 else list(reversed(contenders))
        for name in order:
            started = time.process_time()
            contenders[name](url, timed[name][round_::rounds])
            cpu[name] += time.process_time() - started
    parts = Parts()
    with parts.timing():
        throughput.run_service(url, service[cases + 1 :])
    steps = cases * throughput.EVENTS_PER_CASE
    service_ms, floor_ms = (1000 * cpu[name] / steps for name in ("service", "floor"))
    rows = [
        f"| client CPU a step | {service_ms:.2f} ms | {floor_ms:.2f} ms | "
        f"floor / service {floor_ms / service_ms:.2f} |",
        f"| statements a step | {statements['service']:.1f} | {statements['floor']:.1f} | |",
    ]
    timed_total = sum(parts.spent.values())
    rows.append(f"| service, timed part by part | {1000 * timed_total / steps:.2f} ms | | |")
    for name, *_ in PARTS:
        spent = parts.spent[name]
        rows.append(
            f"| service: {name} | {1000 * spent / steps:.3f} ms | | "
            f"{spent / timed_total:.0%} of the service's step |"
        )
    throughput._engine(url).dispose()
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=40, help="cases a contender (and parts)")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        url, drop = database(args.database, Path(folder))
        try:
            rows = measure(url, args.cases)
        finally:
            drop()
    print(f"| {args.database}: {args.cases} cases | service | floor | |")
    print("| --- | ---: | ---: | --- |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
