"""The status and recipient words, named once (triggers.statuses), are the words stored."""

from sqlalchemy import inspect

from triggers.models import Deadline, OutboxMessage
from triggers.statuses import (
    DeadlineStatus,
    OutboxStatus,
    Recipients,
    agency_of,
    agency_recipient,
)


def test_a_recipient_names_an_agency_or_none():
    assert agency_of(agency_recipient(12)) == 12
    assert agency_of(Recipients.ESCALATION) is None
    assert agency_of("applicant") is None
    assert agency_of("agency:") is None and agency_of("agency:x") is None


def test_the_members_are_the_stored_strings():
    assert OutboxStatus.PENDING == "pending" and f"{OutboxStatus.SENT}" == "sent"
    columns = inspect(OutboxMessage).columns
    assert columns["status"].default.arg == OutboxStatus.PENDING
    assert inspect(Deadline).columns["status"].default.arg == DeadlineStatus.RUNNING
