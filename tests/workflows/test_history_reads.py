"""A case's history (its audit events but its views) is read through an index that holds
no view (migration 0039): a case seen a thousand times reads it as fast as one seen once."""

from sqlalchemy import select, text

from tests.factories import SAMPLE_NOW, case_in_state
from triggers.audit import append_events
from triggers.db import read_session, refresh_statistics, write_transaction
from triggers.models import HISTORY_INDEX, CaseReview
from workflows.describe import _HISTORY, describe_case

VIEWS = 400


def a_case_seen_often(sessions, partnership, policy) -> str:  # type: ignore[no-untyped-def]
    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, "threshold_met")
        view = {
            "partnership_id": partnership.id,
            "case_id": case.id,
            "at": SAMPLE_NOW,
            "actor": "manager@example.org",
            "event": "viewed",
            "data": {"what": "case page"},
        }
        append_events(session, [view] * VIEWS)
        refresh_statistics(session)  # as an upgrade and an import leave them
        return case.reference


def plan_of_the_history_read(session, case_id: int) -> str:  # type: ignore[no-untyped-def]
    dialect = session.get_bind().dialect
    statement = _HISTORY.params(case_id=case_id)
    sql = str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    explain = "EXPLAIN QUERY PLAN " if dialect.name == "sqlite" else "EXPLAIN "
    return "\n".join(str(row) for row in session.execute(text(explain + sql)))


def test_the_history_is_read_through_the_index_that_holds_no_view(sessions, partnership, policy):
    reference = a_case_seen_often(sessions, partnership, policy)
    with read_session(sessions) as session:
        case_id = session.scalars(
            select(CaseReview.id).where(CaseReview.reference == reference)
        ).one()
        plan = plan_of_the_history_read(session, case_id)
    assert HISTORY_INDEX in plan, plan


def test_the_history_shows_every_step_and_no_view(sessions, partnership, policy):
    reference = a_case_seen_often(sessions, partnership, policy)
    with read_session(sessions) as session:
        case = session.scalars(select(CaseReview).where(CaseReview.reference == reference)).one()
        history = describe_case(session, case, policy, SAMPLE_NOW.date())["history"]
    assert [entry["event"] for entry in history] == ["open", "acknowledge", "decide_threshold"]
