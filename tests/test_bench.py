"""The benchmark still runs (at a small size: its figures belong in bench/RESULTS.md)."""

import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bench(script: str, *args: str) -> list[str]:
    """Run a benchmark at a small size; return the Markdown rows it printed."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()


def test_the_figures_benchmark_runs_and_counts_what_it_imported():
    rows = bench("figures.py", "--cases", "300")
    assert rows[0].startswith("| import (check + write) | 300 | sqlite |")
    assert "figures for 2020/21" in rows[1] and "median" in rows[1]
    assert "casereview stats --year 2020" in rows[2]


def test_the_throughput_benchmark_runs_every_contender_to_the_end(test_database):
    """Service, both floors and the peer each close every case, twice on one database; the
    audit chain verifies. On the suite's database: on PostgreSQL with two clients, as the
    benchmark runs 8."""
    database = test_database
    clients = "2" if database == "postgresql" else "1"
    (row,) = bench(
        "throughput.py", "--cases", "4", "--database", database, "--clients", clients, "--runs", "2"
    )
    cells = [cell.strip() for cell in row.split("|")[1:-1]]
    assert cells[:5] == [database, "0", clients, "24", "2"]
    service, floor, minimal, peer = (float(cell.replace(",", "")) for cell in cells[5:9])
    assert service > 0 and floor > 0 and minimal > 0 and peer > 0
    lowest, highest = (float(ratio) for ratio in cells[10].split("–"))
    assert lowest <= float(cells[9]) <= highest


def test_the_step_cpu_benchmark_times_both_contenders_and_every_part_of_the_step(test_database):
    """The service's CPU a step beside the floor's, in one process, and where it goes."""
    sys.path.insert(0, str(ROOT / "bench"))
    from step_cpu import PARTS

    database = test_database
    rows = bench("step_cpu.py", "--cases", "2", "--database", database)
    cells = [[cell.strip() for cell in row.split("|")[1:-1]] for row in rows]
    assert cells[0][0] == f"{database}: 2 cases"
    assert cells[2][0] == "client CPU a step" and cells[2][3].startswith("floor / service ")
    assert float(cells[3][1]) > 0 and float(cells[3][2]) > 0  # statements a step
    assert cells[4][0] == "service, timed part by part" and float(cells[4][1].split()[0]) > 0
    parts = [row[0].removeprefix("service: ") for row in cells[5:]]
    assert parts == [name for name, *_ in PARTS]
    shares = [float(row[3].split("%")[0]) for row in cells[5:]]
    assert shares[parts.index("flush (unit of work)")] > 0
    assert 95 <= sum(shares) <= 105


def test_the_peer_model_can_be_withdrawn_at_any_open_step_and_waits_on_its_limits():
    """The BPMN peer runs the same process as the service: a "withdraw" message ends it from
    whichever step it is at, and each step waits on a timer for its limit."""
    sys.path.insert(0, str(ROOT / "bench"))
    from peer.runner import Peer
    from SpiffWorkflow.util.task import TaskState
    from sqlalchemy import create_engine, text

    peer = Peer()
    engine = create_engine("sqlite://")
    with engine.begin() as connection:
        peer.create_table(connection)
        peer.start(connection, 1, "PEER-1")
        assert peer.step(connection, 1, "acknowledge", {}) == "decide_threshold"
        assert peer.step(connection, 1, "decide_threshold", {"decision": "met"}) == (
            "schedule_panel"
        )
        state = connection.scalar(text("SELECT state FROM peer_instances WHERE id = 1"))
        waiting = peer.serializer.deserialize_json(state).get_tasks(state=TaskState.WAITING)
        assert "schedule_panel_limit" in {task.task_spec.name for task in waiting}
        assert peer.step(connection, 1, "withdraw", {"reason": "Moved away."}) == "end"
        state = connection.scalar(text("SELECT state FROM peer_instances WHERE id = 1"))
    assert peer.serializer.deserialize_json(state).is_completed()


def test_the_scale_benchmark_measures_every_operation():
    measures = [row.split("|")[1].strip() for row in bench("scale.py", "--cases", "300")]
    assert measures[0] == "generate" and measures[1].startswith("sweep:")
    assert measures[2:] == [
        "figures for one year, one partnership",
        "figures for one year, all partnerships",
        "dashboard (median of 20)",
        "case page (median of 20)",
        "peak RSS of `casereview sweep`",
        "peak RSS of `casereview serve`",
    ]


def test_the_command_line_benchmark_times_every_command_at_every_size():
    rows = bench("cli.py", "--cases", "50", "150", "--runs", "1")
    measures = [[cell.strip() for cell in row.split("|")[1:-1]] for row in rows]
    assert [(measure, size) for measure, size, _, _ in measures] == [
        (f"{command} (median of 1)", size)
        for command in (
            "`python -c pass`",
            "`casereview --help`",
            "`casereview case show`",
            "`casereview stats`",
            "`casereview case list`",
            "`casereview case list --all`",
        )
        for size in ("50", "150")
    ]
    assert all(figure.endswith(" ms)") and "CPU" in figure for *_, figure in measures)


def test_the_command_line_benchmark_keeps_its_history_and_reuses_it(tmp_path):
    """--keep writes the history once; the next run times the same database, not a new one
    (each run's `case show` adds a view to the audit trail: two runs, two views)."""

    def views() -> int:
        with sqlite3.connect(tmp_path / "40" / "bench.db") as connection:
            (count,) = connection.execute(
                "SELECT count(*) FROM audit_events WHERE event = 'viewed'"
            ).fetchone()
        return count

    first = bench("cli.py", "--cases", "40", "--runs", "1", "--keep", str(tmp_path))
    assert (tmp_path / "40" / "reference.txt").read_text().startswith("P1-")
    assert views() == 1
    again = bench("cli.py", "--cases", "40", "--runs", "1", "--keep", str(tmp_path))
    assert len(again) == len(first) == 6
    assert views() == 2


def test_make_bench_replaces_the_rows_it_measured_and_keeps_the_others(tmp_path):
    """RESULTS.md's generated blocks: a row measured again replaces its namesake, a size not
    run this time (the hour-long 1,000,000) stays with its date, the prose is untouched."""
    sys.path.insert(0, str(ROOT / "bench"))
    import record

    results = tmp_path / "RESULTS.md"
    results.write_text("# Results\n\nProse written by hand.\n")
    million = (
        "| sweep: 164 letters due (1% of open cases) | 1,000,000 | sqlite "
        "| 5,086 ms (31.0 ms a letter) |"
    )
    text = record.replace_block(
        results.read_text(), "scale", record.merge_measures("", [million], "2026-11-01")
    )
    old = "| case page (median of 20) | 10,000 | sqlite | 16 ms |"
    text = record.replace_block(
        text, "scale", record.merge_measures(record.block(text, "scale"), [old], "2026-11-01")
    )
    again = "| case page (median of 20) | 10,000 | sqlite | 12 ms |"
    text = record.replace_block(
        text, "scale", record.merge_measures(record.block(text, "scale"), [again], "2026-11-24")
    )
    assert text.startswith("# Results\n\nProse written by hand.\n")
    assert text.count("<!-- bench:scale -->") == 1
    assert "| 10,000 | sqlite | 12 ms | 2026-11-24 |" in text and "16 ms" not in text
    assert "**sweep, 1% of open cases due**" in text
    assert "| 1,000,000 | sqlite | 5,086 ms (31.0 ms a letter), 164 letters | 2026-11-01 |" in text

    first = "| sqlite | 0 | 1 | 1,200 | 5 | 269 | 737 | 961 | 178 | 0.37 | 0.35–0.38 | 0.28 | 1.5 |"
    body = record.merge_throughput("", [first], "2026-11-01")
    second = (
        "| sqlite | 0 | 1 | 1,200 | 5 | 284 | 734 | 952 | 172 | 0.39 | 0.36–0.40 | 0.30 | 1.6 |"
    )
    eight = (
        "| postgresql | 0 | 8 | 2,400 | 5 | 183 | 423 | 526 | 288 | 0.43 | 0.41–0.47 | 0.35 | 0.6 |"
    )
    body = record.merge_throughput(body, [second, eight], "2026-11-24")
    rows = [line for line in body.splitlines() if line.startswith("| ") and "---" not in line]
    assert rows[0].split(" | ")[4:6] == ["runs", "service"]
    assert rows[1:] == [
        f"{eight} 2026-11-24 |",
        f"{second} 2026-11-24 |",
    ]


def test_the_views_benchmark_reads_under_load_and_finds_every_view_on_the_chain():
    """Closed-loop readers of the API's case GET and the case page, sampled for lock waits;
    the benchmark itself fails when a 200 answer has no view or the chain does not verify.
    On PostgreSQL always: the chain's head is a row lock there (bench/views.py)."""
    rows = bench(
        "views.py", "--cases", "300", "--seconds", "1", "--clients", "1", "2", "--workers", "1"
    )
    table = [row for row in rows if row.startswith("| ") and "---" not in row]
    assert table[0].startswith("| target | clients | requests |")
    assert [row.split("|")[1:3] for row in table[1:]] == [
        [" API case GET ", " 1 "],
        [" API case GET ", " 2 "],
        [" case page ", " 1 "],
        [" case page ", " 2 "],
    ]
    for row in table[1:]:
        cells = [cell.strip() for cell in row.split("|")[1:-1]]
        assert int(cells[2].replace(",", "")) > 0 and cells[3] == "0"  # answered, no errors
        assert cells[7].endswith("samples)")
    assert "every read recorded" in rows[-1] and "Audit chain: intact" in rows[-1]

    sys.path.insert(0, str(ROOT / "bench"))
    import record

    old = "| API case GET | 8 | 500 | 0 | 31.0 | 240.0 | 700.0 | 60.0 % (200 samples) | 7 | 20.0 |"
    body = record.merge_views("", [table[0], old], "2026-11-30")
    new = "| API case GET | 8 | 900 | 0 | 55.0 | 140.0 | 300.0 | 1.0 % (200 samples) | 1 | 18.0 |"
    one = "| API case GET | 1 | 400 | 0 | 25.0 | 40.0 | 60.0 | 0.0 % (200 samples) | 0 | 18.0 |"
    body = record.merge_views(body, [new, one], "2026-12-01")
    assert body.splitlines()[2:] == [f"{one} 2026-12-01 |", f"{new} 2026-12-01 |"]


def test_the_cpu_benchmark_measures_every_page_through_the_real_server(test_database):
    """bench/cpu.py: `casereview serve` on a small history, each page's server CPU and the
    client's p50 and p95, on the suite's database."""
    database = test_database
    rows = bench("cpu.py", "--cases", "300", "--database", database, "--requests", "20")
    cells = [[cell.strip() for cell in row.split("|")[1:-1]] for row in rows]
    assert [row[0] for row in cells] == [
        "dashboard",
        "case page, open cases",
        "case page, closed cases",
        "API case GET",
        "public form: start page",
        "public form: first question",
    ]
    for _, size, backend, figure in cells:
        assert (size, backend) == ("300", database)
        cpu = float(figure.split(" ms CPU")[0])
        assert cpu > 0 and "p50" in figure and "p95" in figure and "20 requests" in figure
