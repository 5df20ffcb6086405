"""The demo must load whatever day `make run` is typed on."""

from datetime import datetime

import pytest
from sqlalchemy import func, select

from triggers.db import read_session, write_transaction
from triggers.figures import performance_year, recent_years, report, year_containing
from triggers.models import CaseReview, User
from web.demo import load_demo, load_demo_history
from workflows.machine import STATES

PASSWORD = "kettle-orbit-meadow-lantern\n"


@pytest.mark.parametrize(
    "now",
    [
        datetime.fromisoformat("2025-12-27T09:00:00+00:00"),  # a Saturday between Christmases
        datetime.fromisoformat("2026-04-06T23:30:00+00:00"),  # Easter Monday, late evening
        datetime.fromisoformat("2026-11-23T10:00:00+00:00"),
    ],
)
def test_the_demo_loads_a_case_in_every_state(sessions, partnership, policy, now):
    with write_transaction(sessions) as session:
        assert load_demo(session, session.merge(partnership), policy, now) == 10
        states = set(session.scalars(select(CaseReview.state)))
        # The local policing body's review is off in config.toml, so no demo case is in it.
        assert states == set(STATES) - {"policing_body_review"}
        assert load_demo(session, session.merge(partnership), policy, now) == 0


@pytest.mark.parametrize(
    "now",
    [
        datetime.fromisoformat("2026-04-01T08:00:00+00:00"),  # the first day of a year
        datetime.fromisoformat("2026-11-23T10:00:00+00:00"),
    ],
)
def test_the_demo_history_fills_five_past_years_once(sessions, partnership, policy, config, now):
    with write_transaction(sessions) as session:
        merged = session.merge(partnership)
        load_demo(session, merged, policy, now)
        imported = load_demo_history(session, merged, policy, now)
        assert imported > 20
        assert load_demo_history(session, merged, policy, now) == 0
        current = year_containing(policy.today(now))
        past = recent_years(performance_year(current.start_year - 1))
        received = [
            report(session, year, config).total.count("applications_received") for year in past
        ]
    assert all(count > 0 for count in received)


def test_the_demo_loads_into_an_empty_database_and_prints_its_users(run):
    result = run("demo", "--no-serve")
    assert result.exit_code == 0, result.output
    assert "Loaded 10 demo cases." in result.output
    assert "Demo API token: cr_" in result.output


def test_the_demo_refuses_a_database_that_holds_data(run, sessions, partnership):
    assert (
        run("user", "add", "real@example.org", "--role", "manager", input=PASSWORD).exit_code == 0
    )
    result = run("demo", "--no-serve")
    assert result.exit_code == 1
    assert "already holds 1 user" in result.output
    assert "nothing was added" in result.output
    assert "Demo API token" not in result.output
    with read_session(sessions) as session:
        assert list(session.scalars(select(User.email))) == ["real@example.org"]
        assert session.scalar(select(func.count()).select_from(CaseReview)) == 0


def test_the_demo_run_again_adds_nothing_and_says_so(run, sessions):
    assert run("demo", "--no-serve").exit_code == 0
    with read_session(sessions) as session:
        cases = session.scalar(select(func.count()).select_from(CaseReview))
    again = run("demo", "--no-serve")
    assert again.exit_code == 1
    assert "already holds" in again.output and f"{cases} cases" in again.output
    with read_session(sessions) as session:
        assert session.scalar(select(func.count()).select_from(CaseReview)) == cases


def test_the_demo_reports_to_every_kind_of_body(sessions, partnership, policy):
    """Health and a complaint to an MP (kept for the panel, never counted) appear in the demo."""
    from triggers.models import Complaint

    now = datetime.fromisoformat("2026-11-23T10:00:00+00:00")
    with write_transaction(sessions) as session:
        load_demo(session, session.merge(partnership), policy, now)
        bodies = set(session.scalars(select(Complaint.reported_to)))
    assert bodies == {"police", "council", "health", "housing_provider", "other"}
