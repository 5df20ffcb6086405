"""`casereview return` and the statistics page's download: one row per application, the
steps' dates and outcomes, and no personal data."""

import csv
import io
import json
from datetime import date

from tests.factories import MANAGER, SAMPLE_NOW, case_in_state
from tests.web.test_figures_cli import SEEDS
from triggers.data_return import COLUMNS, return_rows
from triggers.db import read_session, write_transaction
from triggers.figures import performance_year
from workflows.service import write_audit


def test_the_return_has_a_row_per_application_and_no_personal_data(
    run, tmp_path, sessions, partnership, policy
):
    with write_transaction(sessions) as session:
        case_in_state(session, partnership, policy, "closed")
        case_in_state(session, partnership, policy, "threshold_not_met")
    result = run("return", "--year", "2025", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "2 application(s)" in result.output
    text = (tmp_path / "data-return-2025-26.csv").read_text()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == COLUMNS and len(rows) == 2
    closed, not_met = rows
    assert (closed["threshold_decision"], closed["ended_as"]) == ("met", "closed")
    assert closed["routes_held"] == "statutory_three_incidents"
    assert (closed["recommendations"], closed["agencies_police"]) == ("1", "1")
    # Received 20 November, acknowledged 1 December: after the 5 working days.
    assert closed["acknowledged_within_limit"] == "no"
    assert (not_met["threshold_decision"], not_met["state"]) == ("not_met", "threshold_not_met")
    for personal in ("Alex Morgan", "alex@example.org", "Jo Bloggs", "Persistent harassment"):
        assert personal not in text
    document = json.loads((tmp_path / "data-return-2025-26.json").read_text())
    assert document["year"] == "2025/26" and len(document["applications"]) == 2


def test_the_local_policing_body_review_fills_in_from_its_events(sessions, partnership, policy):
    """The review's steps come from another branch: read by their event names alone."""
    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, "threshold_not_met")
        for event, on, data in (
            ("request_policing_body_review", "2025-12-01", {"grounds": "x"}),
            ("decide_policing_body_review", "2025-12-01", {"outcome": "upheld"}),
        ):
            day = date.fromisoformat(on)
            write_audit(
                session, case, MANAGER, SAMPLE_NOW, event, case.state, case.state, day, data
            )
    with read_session(sessions) as session:
        (row,) = return_rows(session, performance_year(2025))
    assert row["policing_body_review_requested_on"] == "2025-12-01"
    assert row["policing_body_review_outcome"] == "upheld"


def test_the_seeds_year_imported_returns_every_case(run, tmp_path):
    assert run("import", str(SEEDS)).exit_code == 0
    assert run("return", "--year", "2020", "--out", str(tmp_path)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "data-return-2020-21.csv").read_text())))
    assert len(rows) == 5 and {row["threshold_decision"] for row in rows} == {"met"}
