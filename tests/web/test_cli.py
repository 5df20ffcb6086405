"""The `casereview` command as an IT team and a manager use it."""

import json
import subprocess
import sys
from datetime import date

from click.testing import CliRunner

from tests.factories import application, one_incident
from tests.web.conftest import ROOT
from triggers.schema import head_revision
from web.cli import main


def test_init_is_idempotent(run):
    first, second = run("init"), run("init")
    assert first.exit_code == 0 and second.exit_code == 0, first.output
    assert "Database ready" in second.output and f"schema {head_revision()}" in second.output


def test_a_manager_works_a_case_from_the_terminal(run, tmp_path):
    assert (
        run(
            "user",
            "add",
            "Manager@Example.org",
            "--role",
            "manager",
            input="correct horse battery staple\n",
        ).exit_code
        == 0
    )
    token = run("token", "create", "manager@example.org")
    assert token.exit_code == 0 and token.output.startswith("cr_")

    path = tmp_path / "case.json"
    path.write_text(json.dumps(application()))
    opened = run("case", "open", str(path), "--as", "manager@example.org")
    assert opened.exit_code == 0, opened.output
    assert "Logged CT-2025-001; acknowledge by Thursday 27 November 2025." in opened.output

    moved = run(
        "case",
        "event",
        "CT-2025-001",
        "acknowledge",
        "--on",
        "2025-11-21",
        "--as",
        "manager@example.org",
    )
    assert moved.exit_code == 0 and "is now acknowledged" in moved.output
    moved = run(
        "case",
        "event",
        "ct-2025-001",
        "decide_threshold",
        "--on",
        "2025-11-21",
        "--set",
        "decision=met",
        "--set",
        "rationale=Persistent and harmful ASB.",
    )
    assert moved.exit_code == 0, moved.output

    shown = run("case", "show", "CT-2025-001")
    assert "State:        threshold_met" in shown.output
    # 28 working days after Friday 21 November 2025, skipping Christmas and New Year.
    assert "panel                Monday 5 January 2026" in shown.output
    as_json = json.loads(run("case", "show", "CT-2025-001", "--json").output)
    assert as_json["deadlines"]["panel"] == "2026-01-05"
    assert as_json["history"][1]["actor"] == "manager@example.org"


def test_a_refused_event_is_one_clear_line(run, tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(application()))
    run("case", "open", str(path))
    result = run("case", "event", "CT-2025-001", "close", "--set", "reason=Done.")
    assert result.exit_code == 1
    assert "is not allowed while the case is 'received'" in result.output
    assert "Traceback" not in result.output


def test_a_decision_against_the_suggestion_needs_its_own_reason_from_the_terminal(run, tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(application(incidents=one_incident(date(2025, 11, 20)))))
    run("case", "open", str(path))
    run("case", "event", "CT-2025-001", "acknowledge")
    decide = ("case", "event", "CT-2025-001", "decide_threshold", "--set", "decision=met")
    reasoned = ("--set", "rationale=Persistent and harmful ASB.")
    result = run(*decide, *reasoned)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "Explain why the decision differs from the rules' suggestion" in result.output
    assert "State:        acknowledged" in run("case", "show", "CT-2025-001").output
    result = run(*decide, *reasoned, "--set", "against_suggestion=The victim is housebound.")
    assert result.exit_code == 0, result.output
    assert "State:        threshold_met" in run("case", "show", "CT-2025-001").output


def test_closing_early_from_the_command_line_names_the_appeal_window(
    run, sessions, partnership, policy
):
    from tests.factories import case_in_state
    from triggers.db import write_transaction

    with write_transaction(sessions) as session:
        reference = case_in_state(session, partnership, policy, "threshold_not_met").reference
    # Dated the day of the "not met" decision: the 20 working days have not run.
    result = run("case", "event", reference, "close", "--on", "2025-12-01", "--set", "reason=Done.")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "applicant_agreed_on" in result.output and "appeal window is open" in result.output


def test_invalid_data_lists_each_field(run):
    result = run("case", "open", "-", input=json.dumps({"received_on": "tomorrow"}))
    assert result.exit_code == 1
    assert "received_on: must be a date written YYYY-MM-DD" in result.output
    assert "victim: is required" in result.output


def test_bad_json_and_unknown_case(run):
    assert "is not valid JSON" in run("case", "open", "-", input="{oops").output
    result = run("case", "show", "CT-1999-001")
    assert result.exit_code == 1 and "there is no case CT-1999-001" in result.output


def test_a_short_password_is_refused(run):
    result = run("user", "add", "a@example.org", "--role", "viewer", input="short\n")
    assert result.exit_code == 1 and "at least 12 characters" in result.output


def test_a_bad_config_file_is_reported_without_a_traceback(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("[deadlines]\nacknowledge = 'five'\n")
    result = subprocess.run(
        [sys.executable, "-m", "web.cli", "--config", str(config), "init"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 2
    assert "'deadlines.acknowledge' must be a whole number" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_database_is_reported_clearly(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "web.cli", "--config", str(ROOT / "config.toml"), "init"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        env={"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none", "PATH": ""},
    )
    assert result.returncode == 1
    assert "the database cannot be used" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_refuses_a_database_that_is_not_set_up(tmp_path):
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["serve"],
        env={
            "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",
            "CASEREVIEW_CONFIG": str(ROOT / "config.toml"),
        },
    )
    assert result.exit_code == 1
    assert "run `casereview init` first" in result.output


def test_agency_users_are_added_with_their_agency(run):
    result = run(
        "user",
        "add",
        "pc@example.org",
        "--role",
        "agency",
        "--agency",
        "leicestershire police",
        input="correct horse battery staple\n",
    )
    assert result.exit_code == 0, result.output
    assert "as agency for Leicestershire Police" in result.output
    missing = run(
        "user", "add", "p2@example.org", "--role", "panel", input="correct horse battery staple\n"
    )
    assert missing.exit_code == 2 and "need --agency NAME" in missing.output
    wrong = run(
        "user",
        "add",
        "p3@example.org",
        "--role",
        "panel",
        "--agency",
        "MI5",
        input="correct horse battery staple\n",
    )
    assert wrong.exit_code == 2 and "'MI5' is not one of" in wrong.output


def test_backup_from_the_command_line(run, tmp_path):
    assert run("init").exit_code == 0
    first = run("backup", str(tmp_path / "nightly.backup"))
    assert first.exit_code == 0, first.output
    assert "Backed up 0 cases, 0 audit events, 0 messages to" in first.output
    again = run("backup", str(tmp_path / "nightly.backup"))
    assert again.exit_code == 1 and "already exists" in again.output
    refused = run("restore", str(tmp_path / "nightly.backup"))
    assert refused.exit_code == 1 and "the database is not empty" in refused.output


def test_case_show_says_how_it_came_whom_to_write_to_and_in_which_language(run, tmp_path):
    on_behalf = application(
        channel="online",
        correspondence_language="cy",
        applicant={
            "on_behalf": True,
            "name": "Sam Jones",
            "relationship": "Neighbour",
            "consent_given_on": "2025-11-19",
            "phone": "0116 496 0000",
            "contact_preference": "phone",
        },
    )
    path = tmp_path / "case.json"
    path.write_text(json.dumps(on_behalf))
    assert run("case", "open", str(path)).exit_code == 0
    shown = run("case", "show", "CT-2025-001").output
    assert "Received:     Thursday 20 November 2025 online (the application form)" in shown
    assert "Contact:      Sam Jones (applying for the victim), by phone: 0116 496 0000" in shown
    assert "Letters in:   Welsh (Cymraeg)" in shown
    assert "Single point of contact: not yet named" in shown
    assert "by online" not in shown


def test_case_show_writes_to_the_victim_when_they_applied(run, tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(application(channel="email")))
    run("case", "open", str(path))
    shown = run("case", "show", "CT-2025-001").output
    assert "Received:     Thursday 20 November 2025 by e-mail" in shown
    assert "Contact:      Alex Morgan, by e-mail: alex@example.org" in shown
