"""Retention finds a case ended in a final state only a newer version of the process has
(issue 17): its personal data goes after the period like any other ended case's."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests.factories import SAMPLE_NOW
from tests.web.test_api_newer_versions import STRUCK_OUT, newer_version, strike_out
from tests.workflows.test_retention import closed_case
from triggers.db import read_session, write_transaction
from triggers.models import CaseReview
from workflows.retention import run_retention

__all__ = ["newer_version"]  # the fixture, used by name


def test_a_case_struck_out_under_version_2_is_anonymised_after_the_period(
    sessions, partnership, policy, newer_version
):
    with write_transaction(sessions) as session:
        reference = closed_case(session, partnership, policy)
    strike_out(sessions, reference, ended_on=date(2019, 11, 29))
    with write_transaction(sessions) as session:
        result = run_retention(session, policy, SAMPLE_NOW)
    assert result.references == [reference]
    with read_session(sessions) as session:
        case = session.scalar(select(CaseReview).where(CaseReview.reference == reference))
        assert (case.state, case.anonymised_on) == (STRUCK_OUT, SAMPLE_NOW.date())
        assert case.victim.name == ""


def test_a_state_final_only_on_another_version_is_no_end_for_a_case_on_this_one(
    sessions, partnership, policy, monkeypatch
):
    """Version 2 ends a case at "threshold not met" (no review offered); a case on version 1
    at that state is still open there (a review may be asked for), so retention leaves it,
    whatever its dates say."""
    import dataclasses

    from sqlalchemy import update

    from workflows.case_review import CASE_REVIEW, PROCESSES
    from workflows.process import State

    ends_there = tuple(
        State(s.name, s.label, final=True) if s.name == "threshold_not_met" else s
        for s in CASE_REVIEW.states
    )
    monkeypatch.setitem(
        PROCESSES, 2, dataclasses.replace(CASE_REVIEW, version=2, states=ends_there)
    )
    with write_transaction(sessions) as session:
        reference = closed_case(session, partnership, policy)
    with write_transaction(sessions) as session:
        session.execute(
            update(CaseReview)
            .where(CaseReview.reference == reference)
            .values(state="threshold_not_met", workflow_version=1, ended_on=date(2019, 11, 29))
        )
    with write_transaction(sessions) as session:
        assert run_retention(session, policy, SAMPLE_NOW).references == []
    with write_transaction(sessions) as session:
        session.execute(
            update(CaseReview).where(CaseReview.reference == reference).values(workflow_version=2)
        )
    with write_transaction(sessions) as session:
        assert run_retention(session, policy, SAMPLE_NOW).references == [reference]
