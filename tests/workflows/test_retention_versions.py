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
