"""The words of an audited search (workflows/search.py record_search) and retention."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from tests.web.test_search import found, priya  # noqa: F401 (the fixture)
from triggers.db import write_transaction
from triggers.models import AuditEvent, CaseReview
from workflows.retention import anonymise


def test_a_name_searched_for_is_gone_once_its_case_is_anonymised(client, priya, sessions, policy):  # noqa: F811
    """demonstrates: record_search writes the search words (a victim's or applicant's name,
    address, phone) into a partnership event with case_id NULL; workflows/retention.py
    anonymise redacts only `AuditEvent.case_id == case.id`, so the name stays in the audit
    trail for ever after the case's people are removed (UK GDPR Art. 5(1)(e)), and no
    redaction path exists for a partnership event (verify_chain only believes a redaction
    that an 'anonymised' event of the same case records)."""
    found(client, "manager", "Sam Carter")
    with write_transaction(sessions) as session:
        case = session.scalars(select(CaseReview).where(CaseReview.reference == priya)).one()
        case.ended_on = date(2026, 1, 5)  # closed, and now past its retention period
        anonymise(session, case, date(2032, 1, 5), datetime(2032, 1, 5, tzinfo=UTC), policy)
    with write_transaction(sessions) as session:
        still = [
            (event.case_id, event.data)
            for event in session.scalars(select(AuditEvent))
            if "Sam Carter" in str(event.data)
        ]
    assert still == []
