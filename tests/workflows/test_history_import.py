"""Importing past years' cases from a spreadsheet: all rows or none, each in its state."""

import io
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.factories import SAMPLE_NOW, new_case
from triggers.audit import verify_chain
from triggers.db import read_session, write_transaction
from triggers.figures import performance_year, report
from triggers.models import AuditEvent, CaseReview, Deadline
from workflows.history_import import ImportRefused, check_file, import_cases

SEEDS = Path(__file__).resolve().parents[1] / "data" / "charnwood_2020_21.csv"
TODAY = SAMPLE_NOW.date()
HEADER = (
    "reference,received_on,acknowledged_on,threshold_decision,threshold_decided_on,"
    "panel_held_on,recommendations,findings_sent_on,appeal_received_on,appeal_outcome,"
    "closed_on,withdrawn_on,themes\n"
)


def run_import(sessions, policy, partnership, text: str, *, dry_run: bool = False):
    with write_transaction(sessions) as session:
        plan = check_file(io.StringIO(text), session, policy, TODAY, session.merge(partnership))
        if not dry_run:
            import_cases(session, plan, policy, SAMPLE_NOW, "cases.csv")
        return plan


def count(sessions, model) -> int:
    with read_session(sessions) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_the_seeds_published_year_2020_21(sessions, policy, partnership, config):
    """Charnwood 2020/21: 5 activations, all met, all 5 reviewed with action plans, 1 appeal;
    2 more received in Q1 2021/22 awaiting assessment."""
    run_import(sessions, policy, partnership, SEEDS.read_text())
    with read_session(sessions) as session:
        year = report(session, performance_year(2020), config).as_dict()
        next_year = report(session, performance_year(2021), config).as_dict()
    assert year["year"] == "2020/21"
    assert (year["period_start"], year["period_end"]) == ("2020-04-01", "2021-03-31")
    assert year["applications_received"] == 5
    assert year["threshold_met"] == 5
    assert year["threshold_not_met"] == 0
    assert year["awaiting_decision"] == 0
    assert year["reviews_carried_out"] == 5
    assert year["reviews_with_recommendations"] == 5
    assert year["appeals_received"] == 1
    assert year["appeals_upheld"] == 0
    assert year["acknowledged_within_limit"] == 5
    assert (year["panels_held"], year["panels_within_limit"]) == (5, 5)
    assert (year["hate_related"], year["youth_asb"]) == (1, 1)
    assert year["themes"]["inconsistent_recording"] == 2
    assert year["themes"]["lack_of_multi_agency_working"] == 1
    assert year["areas"] == {
        "Loughborough Hastings": 1,
        "Loughborough Lemyngton": 3,
        "Shepshed East": 1,
    }
    assert next_year["applications_received"] == 2
    assert next_year["awaiting_decision"] == 2
    with read_session(sessions) as session:
        assert verify_chain(session).intact  # imported history is in the audit chain too


@pytest.mark.parametrize(
    ("row", "state"),
    [
        ("CT-2019-001,2019-05-01,,,,,,,,,,,", "received"),
        ("CT-2019-001,2019-05-01,2019-05-03,,,,,,,,,,", "acknowledged"),
        ("CT-2019-001,2019-05-01,2019-05-03,met,2019-05-10,,,,,,,,", "threshold_met"),
        ("CT-2019-001,2019-05-01,2019-05-03,not_met,2019-05-10,,,,,,,,", "threshold_not_met"),
        ("CT-2019-001,2019-05-01,2019-05-03,met,2019-05-10,2019-06-01,2,,,,,,", "review_complete"),
        (
            "CT-2019-001,2019-05-01,2019-05-03,met,2019-05-10,2019-06-01,2,2019-06-05,,,,,",
            "findings_sent",
        ),
        (
            "CT-2019-001,2019-05-01,2019-05-03,met,2019-05-10,2019-06-01,2,2019-06-05,"
            "2019-06-20,,,,",
            "appeal",
        ),
        (
            "CT-2019-001,2019-05-01,2019-05-03,not_met,2019-05-10,,,,2019-05-20,upheld,,,",
            "threshold_met",
        ),
        (
            "CT-2019-001,2019-05-01,2019-05-03,not_met,2019-05-10,2019-07-01,1,2019-07-03,"
            "2019-05-20,upheld,2019-09-01,,",
            "closed",
        ),
        (
            "CT-2019-001,2019-05-01,2019-05-03,not_met,2019-05-10,,,,2019-05-20,not_upheld,"
            "2019-06-10,,",
            "closed",
        ),
        ("CT-2019-001,2019-05-01,2019-05-03,not_met,2019-05-10,,,,,,2019-06-30,,", "closed"),
        ("CT-2019-001,2019-05-01,2019-05-03,,,,,,,,,2019-05-20,", "withdrawn"),
    ],
)
def test_each_case_lands_in_the_state_its_dates_imply(sessions, policy, partnership, row, state):
    run_import(sessions, policy, partnership, HEADER + row + "\n")
    with read_session(sessions) as session:
        case = session.scalar(select(CaseReview))
        assert case.state == state
        assert case.channel == "import"
        events = session.scalars(select(AuditEvent.event).order_by(AuditEvent.id)).all()
    assert events[0] == "import"
    assert all(actor == "import from cases.csv" for actor in _column(sessions, AuditEvent.actor))


def test_the_limits_are_counted_in_working_days_as_for_a_live_case(
    sessions, policy, partnership, config
):
    """Received Thursday 17 April 2025: acknowledge by Monday 28 April (Easter skipped)."""
    rows = (
        "CT-2025-001,2025-04-17,2025-04-28,,,,,,,,,,\nCT-2025-002,2025-04-17,2025-04-29,,,,,,,,,,\n"
    )
    run_import(sessions, policy, partnership, HEADER + rows)
    with read_session(sessions) as session:
        due = session.scalars(select(Deadline.due_on).where(Deadline.step == "acknowledge")).all()
        figures = report(session, performance_year(2025), config).as_dict()
    assert set(due) == {date(2025, 4, 28)}
    assert (figures["acknowledged"], figures["acknowledged_within_limit"]) == (2, 1)


def test_one_bad_row_stops_the_import_with_every_problem_listed(sessions, policy, partnership):
    rows = (
        "CT-2019-001,2019-05-01,2019-05-03,maybe,2019-05-10,,,,,,,,\n"
        "CT-2019-002,31/02/2019,,,,,,,,,,,\n"
        "CT-2019-003,2019-05-01,2019-05-03,met,2019-05-10,2019-05-08,1,,,,,,\n"
        "CT-2019-004,2019-05-01,2019-05-03,,,,,,,,,,\n"
        "ct-2019-004,2019-05-01,,,,,,,,,,,\n"
        "CT-2019-005,next tuesday,,,,,,,,,,,\n"
    )
    with pytest.raises(ImportRefused) as refused:
        run_import(sessions, policy, partnership, HEADER + rows)
    problems = refused.value.fields
    assert "'maybe' is not one of 'met', 'not_met'" in problems["line 2, threshold_decision"]
    assert "'31/02/2019' is not a real date" in problems["line 3, received_on"]
    assert "is before threshold_decided_on" in problems["line 4, panel_held_on"]
    assert "also on line 5" in problems["line 6, reference"]
    assert "not a date written YYYY-MM-DD or DD/MM/YYYY" in problems["line 7, received_on"]
    assert len(problems) == 5
    assert count(sessions, CaseReview) == 0
    assert count(sessions, AuditEvent) == 0


@pytest.mark.parametrize(
    ("row", "where", "message"),
    [
        (",2019-05-01,,,,,,,,,,,", "reference", "every case needs its reference"),
        ("CT-2019-001,,,,,,,,,,,,", "received_on", "every case needs the date"),
        (
            "CT-2019-001,2019-05-01,,met,2019-05-10,,,,,,,,",
            "threshold_decided_on",
            "acknowledged_on",
        ),
        ("CT-2019-001,2019-05-01,2019-05-03,met,,,,,,,,,", "threshold_decided_on", "is needed"),
        (
            "CT-2019-001,2019-05-01,2019-05-03,,,2019-06-01,,,,,,,",
            "panel_held_on",
            "'met' threshold",
        ),
        (
            "CT-2019-001,2019-05-01,2019-05-03,met,2019-05-10,,,,,,2019-06-01,,",
            "closed_on",
            "withdrawn",
        ),
        ("CT-2019-001,2019-05-01,,,,,,,,,2019-06-01,2019-06-01,", "withdrawn_on", "not both"),
        ("CT-2019-001,2019-05-01,,,,,x,,,,,,", "recommendations", "whole number"),
        ("CT-2019-001,2019-05-01,,,,,2,,,,,,", "recommendations", "needs panel_held_on"),
        ("CT-2019-001,2019-05-01,,,,,,,,,,,Nobody cared", "themes", "not a configured theme"),
        ("CT-2019-001,2030-05-01,,,,,,,,,,,", "received_on", "in the future"),
        ("CT-2019-001,1999-05-01,,,,,,,,,,,", "received_on", "outside the years"),
        ("CT-2019-001,2019-05-01,2019-04-01,,,,,,,,,,", "acknowledged_on", "is before received_on"),
        (
            "CT-2019-001,2019-05-01,,,,,,,2019-06-01,,,,",
            "appeal_received_on",
            "follows the findings",
        ),
    ],
)
def test_each_problem_names_its_line_and_column(sessions, policy, partnership, row, where, message):
    with pytest.raises(ImportRefused) as refused:
        run_import(sessions, policy, partnership, HEADER + row + "\n")
    assert message in refused.value.fields[f"line 2, {where}"]
    assert count(sessions, CaseReview) == 0


def test_a_file_without_the_needed_columns_is_refused(sessions, policy, partnership):
    with pytest.raises(ImportRefused) as refused:
        run_import(sessions, policy, partnership, "ref,date\nCT-1,2019-05-01\n")
    assert "no column 'reference', 'received_on'" in refused.value.fields["line 1"]
    with pytest.raises(ImportRefused, match="1 problem"):
        run_import(sessions, policy, partnership, "")


def test_unknown_columns_are_ignored_and_columns_may_come_in_any_order(
    sessions, policy, partnership
):
    text = "Notes,Received_On,Reference\nAlso known as X,2019-05-01,CT-2019-001\n"
    run_import(sessions, policy, partnership, text)
    assert _column(sessions, CaseReview.reference) == ["CT-2019-001"]


def test_importing_the_same_file_twice_changes_nothing_the_second_time(
    sessions, policy, partnership
):
    first = run_import(sessions, policy, partnership, SEEDS.read_text())
    events = count(sessions, AuditEvent)
    second = run_import(sessions, policy, partnership, SEEDS.read_text())
    assert (len(first.new), len(second.new), len(second.unchanged)) == (7, 0, 7)
    assert count(sessions, CaseReview) == 7
    assert count(sessions, AuditEvent) == events


def test_a_dry_run_reports_and_writes_nothing(sessions, policy, partnership):
    plan = run_import(sessions, policy, partnership, SEEDS.read_text(), dry_run=True)
    assert len(plan.new) == 7
    assert count(sessions, CaseReview) == 0


def test_a_reference_of_a_live_case_is_refused(sessions, policy, partnership):
    with write_transaction(sessions) as session:
        live = new_case(session, partnership, policy).reference
    with pytest.raises(ImportRefused) as refused:
        run_import(sessions, policy, partnership, HEADER + f"{live},2019-05-01,,,,,,,,,,,\n")
    assert "already a case logged in casereview" in refused.value.fields["line 2, reference"]


def test_new_cases_are_numbered_after_the_imported_ones(sessions, policy, partnership):
    run_import(sessions, policy, partnership, HEADER + "CT-2025-041,2025-04-01,,,,,,,,,,,\n")
    with write_transaction(sessions) as session:
        assert new_case(session, partnership, policy).reference == "CT-2025-042"


def test_an_unknown_partnership_is_refused(sessions, policy, partnership):
    text = "reference,received_on,partnership\nCT-1,2019-05-01,Nowhere CSP\n"
    with pytest.raises(ImportRefused) as refused:
        run_import(sessions, policy, partnership, text)
    assert "not a partnership" in refused.value.fields["line 2, partnership"]


def _column(sessions, column) -> list:
    with read_session(sessions) as session:
        return list(session.scalars(select(column)))


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("EV-2026-002", "is not a reference of"),  # another partnership's numbering
        ("CT-2025-9223372036854775807", "is not a reference of"),  # past 6 digits
        ("CT-2025-1000000", "is not a reference of"),
        ('=HYPERLINK("http://x")', "is not a reference of"),
        ("../../etc/passwd", "is not a reference of"),
        ("CT-2025-²", "is not a reference of"),
        ("CT-1999-001", "a year from 2000"),
        ("CT-2031-001", "a year from 2000"),
        ("CT-2025-000", "numbers start at 1"),
        ("CT-2025-001\x00", "must not contain control characters"),
    ],
)
def test_a_reference_must_be_the_partnerships_own_numbering(
    sessions, policy, partnership, reference, message
):
    text = HEADER + f'"{reference.replace(chr(34), chr(34) * 2)}",2025-04-01,,,,,,,,,,,\n'
    with pytest.raises(ImportRefused) as refused:
        run_import(sessions, policy, partnership, text)
    assert message in refused.value.fields["line 2, reference"]
    assert count(sessions, CaseReview) == 0


def test_new_cases_of_every_year_still_get_a_number_after_an_import(sessions, policy, partnership):
    rows = "CT-2025-999999,2025-04-01,,,,,,,,,,,\nCT-2025-H07,2025-04-02,,,,,,,,,,,\n"
    run_import(sessions, policy, partnership, HEADER + rows)
    with write_transaction(sessions) as session:
        assert new_case(session, partnership, policy).reference == "CT-2025-1000000"


def test_a_line_break_inside_a_quoted_cell_is_refused(sessions, policy, partnership):
    text = HEADER.replace(",themes\n", ",themes,ward\n") + (
        'CT-2025-001,2025-04-01,,,,,,,,,,,,"North\nSouth"\n'
    )
    with pytest.raises(ImportRefused) as refused:
        run_import(sessions, policy, partnership, text)
    assert "must be on one line" in refused.value.fields["line 3, ward"]
