"""What a step costs the database: a case loaded for a step carries everything the step reads.

Every statement is a round trip, and at regional scale the service's throughput is counted
in them (bench/RESULTS.md). A step on a case loaded by ``for_a_step`` may read only the
audit chain's head, and the partnership's agencies where it looks names up; anything else
is a lazy load that a change brought back.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from tests.factories import EVENT_DATA, MANAGER, SAMPLE_NOW, case_in_state
from triggers.db import write_transaction
from triggers.models import CaseReview
from workflows.service import apply, for_a_step

#: The reads a step may make after its case is loaded, by the table they read.
ALLOWED_READS = {"audit_chain"}
#: Steps that look agency names up in the partnership's list.
NAMES_LOOKED_UP = {"record_review": {"agencies"}}


@contextmanager
def selects(session) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    """The tables read by each SELECT the session's connection sends meanwhile."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(re.search(r"\bFROM\s+(\w+)", statement).group(1))

    connection = session.connection()
    event.listen(connection, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", record)


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
        data = {**EVENT_DATA[step], "version": case.version}
        with selects(session) as read:
            apply(session, case, step, data, MANAGER, SAMPLE_NOW, policy)
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
        with selects(session) as read:
            apply(session, case, "schedule_panel", data, MANAGER, SAMPLE_NOW, policy)
    assert {"panels", "case_agencies"} <= set(read)


@contextmanager
def statements(session) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    """Each statement the session's connection sends meanwhile, as its verb and table."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        verb = statement.lstrip().split()[0].upper()
        table = re.search(r"\b(?:FROM|INTO|UPDATE)\s+(\w+)", statement).group(1)
        seen.append(f"{verb} {table}")

    connection = session.connection()
    event.listen(connection, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", record)


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
        data = {**EVENT_DATA[step], "version": case.version}
        with statements(session) as sent:
            apply(session, case, step, data, MANAGER, SAMPLE_NOW, policy)
    head = sent.index("SELECT audit_chain")
    assert sent[head:] == ["SELECT audit_chain", "INSERT audit_events", "UPDATE audit_chain"]
    assert "UPDATE case_reviews" in sent[:head]
