"""The dashboard's queries return typed values the page only renders (workflows.dashboard)."""

from datetime import date

from tests.factories import SAMPLE_NOW, case_in_state, new_case, one_incident
from triggers.db import read_session, write_transaction
from triggers.statuses import OutboxStatus
from workflows.case_review import CASE_REVIEW
from workflows.dashboard import (
    CaseRow,
    Viewer,
    count_by_state,
    failed_messages,
    late_recommendations,
    open_cases,
)

TODAY = SAMPLE_NOW.date()


def test_open_cases_come_as_rows_due_soonest_first(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        first = new_case(session, partnership, policy, received_on=date(2025, 11, 20))
        later = new_case(
            session,
            partnership,
            policy,
            received_on=date(2025, 11, 27),
            incidents=one_incident(date(2025, 11, 27)),
        )
        case_in_state(session, partnership, policy, "closed")
        references = (first.reference, later.reference)
    viewer = Viewer(partnership.id, "manager")
    with read_session(sessions) as session:
        page = open_cases(
            session,
            viewer,
            policy,
            TODAY,
            states=CASE_REVIEW.open_states,
            agency_id=None,
            page=9,
            page_size=50,
        )
        counts = count_by_state(session, viewer)
    assert (page.total, page.page, page.pages) == (2, 1, 1)
    assert all(isinstance(row, CaseRow) for row in page.rows)
    assert [row.reference for row in page.rows] == list(references)
    due_first, due_later = page.rows
    assert due_first.step == "acknowledge" and due_first.due_on == date(2025, 11, 27)
    assert due_first.left == policy.calendar.working_days_between(TODAY, date(2025, 11, 27))
    assert (due_first.suggestion, due_later.suggestion) == (True, False)
    assert counts == {"received": 2, "closed": 1}


def test_an_agency_sees_only_its_cases_late_plans_and_failures(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, "findings_sent")
        for message in case_messages(session, case.id):
            message.status = OutboxStatus.FAILED
        police = case.recommendations[0].agency_id
    today = date(2026, 3, 1)  # after the recommendation's date, 30 January 2026
    manager, other = Viewer(partnership.id, "manager"), Viewer(partnership.id, "agency", -1)
    with read_session(sessions) as session:
        (late,) = late_recommendations(session, manager, today)
        assert (late.reference, late.agency, late.due_on) == (
            case.reference,
            "Leicestershire Police",
            date(2026, 1, 30),
        )
        assert late_recommendations(session, other, today) == []
        assert {reference for _, reference in failed_messages(session, manager)} == {case.reference}
        assert failed_messages(session, other) == []
        assert late_recommendations(session, Viewer(partnership.id, "agency", police), today)


def case_messages(session, case_id):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from triggers.models import OutboxMessage

    return session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case_id)).all()
