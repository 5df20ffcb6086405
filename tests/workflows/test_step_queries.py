"""What a step costs the database: a case loaded for a step carries everything the step reads.

Every statement is a round trip, and at regional scale the service's throughput is counted
in them (bench/RESULTS.md). A step on a case loaded by ``for_a_step`` may read only the
audit chain's head, and the partnership's agencies where it looks names up; anything else
is a lazy load that a change brought back.
"""

import pytest
from sqlalchemy import select

from tests.factories import EVENT_DATA, MANAGER, SAMPLE_NOW, case_in_state, event_data
from tests.statements import sent, tables_read
from triggers.db import write_transaction
from triggers.models import Agency, CaseReview
from workflows.dashboard import Viewer
from workflows.service import _step_statement, apply, case_for_a_step, for_a_step

#: The reads a step may make after its case is loaded, by the table they read.
ALLOWED_READS = {"audit_chain"}
#: Steps that look agency names up in the partnership's list.
NAMES_LOOKED_UP = {"record_review": {"agencies"}}


@pytest.mark.parametrize(
    ("before", "step"),
    [
        ("received", "acknowledge"),
        ("acknowledged", "decide_threshold"),
        ("threshold_met", "schedule_panel"),
        ("panel_scheduled", "record_review"),
        ("review_complete", "send_findings"),
        ("findings_sent", "appeal"),
        ("findings_sent", "close"),
        ("received", "withdraw"),
    ],
)
def test_a_step_reads_nothing_its_case_query_did_not_bring(
    sessions, partnership, policy, before, step
):
    with write_transaction(sessions) as session:
        reference = case_in_state(session, partnership, policy, before).reference
    with write_transaction(sessions) as session:
        query = for_a_step(select(CaseReview).where(CaseReview.reference == reference), step)
        case = session.execute(query).unique().scalar_one()
        data = {**event_data(case, step), "version": case.version}
        with sent(session.connection()) as statements:
            apply(session, case, step, data, MANAGER, SAMPLE_NOW, policy)
        read = tables_read(statements)
        assert set(read) <= ALLOWED_READS | NAMES_LOOKED_UP.get(step, set()), read
        assert read.count("audit_chain") == 1


def test_without_its_step_the_case_query_leaves_the_panel_to_a_second_read(
    sessions, partnership, policy
):
    """The check above can fail: the same step on a case loaded without naming it reads
    the panel and the agencies separately."""
    with write_transaction(sessions) as session:
        reference = case_in_state(session, partnership, policy, "threshold_met").reference
    with write_transaction(sessions) as session:
        query = for_a_step(select(CaseReview).where(CaseReview.reference == reference))
        case = session.execute(query).unique().scalar_one()
        data = {**EVENT_DATA["schedule_panel"], "version": case.version}
        with sent(session.connection()) as statements:
            apply(session, case, "schedule_panel", data, MANAGER, SAMPLE_NOW, policy)
        read = tables_read(statements)
    assert {"panels", "case_agencies"} <= set(read)


@pytest.mark.parametrize(
    ("before", "step"),
    [("received", "acknowledge"), ("panel_scheduled", "record_review"), ("findings_sent", "close")],
)
def test_a_step_takes_the_audit_head_after_writing_everything_else(
    sessions, partnership, policy, before, step
):
    """The chain's head is the one row every writer of the installation queues for: a step
    writes its case, its own rows and its letters first, and locks the head only for its
    event, so that the head is held for as short a time as can be (8 clients of
    bench/throughput.py went from 0.42 to 0.53 of the floor's rate)."""
    with write_transaction(sessions) as session:
        reference = case_in_state(session, partnership, policy, before).reference
    with write_transaction(sessions) as session:
        query = for_a_step(select(CaseReview).where(CaseReview.reference == reference), step)
        case = session.execute(query).unique().scalar_one()
        data = {**event_data(case, step), "version": case.version}
        with sent(session.connection()) as statements:
            apply(session, case, step, data, MANAGER, SAMPLE_NOW, policy)
    head = statements.index("SELECT audit_chain")
    assert statements[head:] == ["SELECT audit_chain", "INSERT audit_events", "UPDATE audit_chain"]
    assert "UPDATE case_reviews" in statements[:head]


def test_a_case_for_a_step_is_found_by_one_statement_built_once_and_seen_as_the_viewer_may(
    sessions, partnership, policy
):
    """The channels' step load (``case_for_a_step``): the statement of each event, key and
    role is built once and its values bound, and it keeps to what the person may see."""
    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, "threshold_met")
        reference, case_id = case.reference, case.id
        on_case = {link.agency_id for link in case.agencies}
        agencies = session.scalars(select(Agency.id).where(Agency.partnership_id == partnership.id))
        other = next(agency for agency in agencies if agency not in on_case)
    manager = Viewer(partnership.id, "manager")
    with write_transaction(sessions) as session:
        found = case_for_a_step(session, "schedule_panel", reference=reference, viewer=manager)
        assert found is not None and found.id == case_id
        with sent(session.connection()) as statements:  # the panels and agencies came along
            data = {**event_data(found, "schedule_panel"), "version": found.version}
            apply(session, found, "schedule_panel", data, MANAGER, SAMPLE_NOW, policy)
        assert set(tables_read(statements)) <= ALLOWED_READS
    with write_transaction(sessions) as session:
        assert case_for_a_step(session, "record_review", case_id=case_id) is not None
        stranger = Viewer(partnership.id, "agency", other)
        assert (
            case_for_a_step(session, "record_review", reference=reference, viewer=stranger) is None
        )
        elsewhere = Viewer(partnership.id + 1, "manager")
        assert (
            case_for_a_step(session, "record_review", reference=reference, viewer=elsewhere) is None
        )
    built = _step_statement.cache_info().misses
    with write_transaction(sessions) as session:
        case_for_a_step(session, "record_review", reference=reference, viewer=manager)
    assert _step_statement.cache_info().misses == built
