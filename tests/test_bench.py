"""The benchmark still runs (at a small size: its figures belong in bench/RESULTS.md)."""

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


def test_the_throughput_benchmark_runs_all_three_contenders_to_the_end():
    """Service, floor and peer each close every case; the audit chain verifies after them."""
    (row,) = bench("throughput.py", "--cases", "3")
    cells = [cell.strip() for cell in row.split("|")[1:-1]]
    assert cells[:4] == ["sqlite", "0", "1", "18"]
    service, floor, peer = (float(cell.replace(",", "")) for cell in cells[4:7])
    assert service > 0 and floor > 0 and peer > 0


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
