"""The benchmark still runs (at a small size: its figures belong in bench/RESULTS.md)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_figures_benchmark_runs_and_counts_what_it_imported():
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "figures.py"), "--cases", "300"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    rows = result.stdout.splitlines()
    assert rows[0].startswith("| import (check + write) | 300 | sqlite |")
    assert "figures for 2020/21" in rows[1] and "median" in rows[1]
    assert "casereview stats --year 2020" in rows[2]


def test_the_throughput_benchmark_runs_all_three_contenders_to_the_end():
    """Service, floor and peer each close every case; the audit chain verifies after them."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "throughput.py"), "--cases", "3"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    cells = [cell.strip() for cell in result.stdout.strip().split("|")[1:-1]]
    assert cells[:3] == ["sqlite", "1", "18"]
    service, floor, peer = (float(cell.replace(",", "")) for cell in cells[3:6])
    assert service > 0 and floor > 0 and peer > 0
