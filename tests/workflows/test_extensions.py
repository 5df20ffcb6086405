"""Agreed extensions and pauses (workflows/extensions.py): the deadline moves with its
reason, the original date is kept, reminders follow the new date and the figures count a
step done by it as within the agreed extension, not late."""

from datetime import date

import pytest
from sqlalchemy import select

from notifications.reminders import queue_reminders
from tests.factories import EVENT_DATA, MANAGER, at, new_case
from triggers.db import read_session, write_transaction
from triggers.figures import performance_year, report
from triggers.models import AuditEvent, OutboxMessage
from workflows.case_review import CASE_REVIEW
from workflows.errors import InvalidData, PermissionDenied
from workflows.extensions import extend_deadline
from workflows.service import Actor, apply

#: Received Monday 3 November 2025: acknowledged the same day, decided "met" on Monday 10
#: November, so the panel's 28 working days run to Thursday 18 December 2025.
PANEL_DUE = date(2025, 12, 18)
MOVED_TO = date(2026, 1, 15)
AGREED = {
    "deadline": "panel",
    "kind": "extension",
    "due_on": MOVED_TO.isoformat(),
    "reason": "The housing provider cannot attend before January.",
    "requested_by": "agency",
}


def met_case(session, partnership, policy):
    case = new_case(
        session, partnership, policy, received_on=date(2025, 11, 3), now=at(2025, 11, 3)
    )
    apply(session, case, "acknowledge", {"on": "2025-11-03"}, MANAGER, at(2025, 11, 3), policy)
    decide = {**EVENT_DATA["decide_threshold"], "on": "2025-11-10"}
    apply(session, case, "decide_threshold", decide, MANAGER, at(2025, 11, 10), policy)
    panel = next(d for d in case.deadlines if d.step == "panel")
    assert panel.due_on == PANEL_DUE
    return case, panel


def test_an_extension_moves_the_deadline_and_keeps_the_first_date(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case, panel = met_case(session, partnership, policy)
        extend_deadline(session, case, AGREED, MANAGER, at(2025, 11, 20), policy)
        assert (panel.original_due_on, panel.due_on) == (PANEL_DUE, MOVED_TO)
        assert panel.extension_reason == AGREED["reason"]
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.case_id == case.id).order_by(AuditEvent.id.desc())
        ).first()
        assert event.event == "extend_deadline"
        assert (event.data["from"], event.data["to"]) == ("2025-12-18", "2026-01-15")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"requested_by": "victim"}, "victim_agreed"),
        ({"due_on": "2025-12-17"}, "due_on"),  # earlier than it was
        ({"due_on": "2026-01-17"}, "due_on"),  # a Saturday
        ({"deadline": "appeal_window"}, "deadline"),  # not running
        ({"reason": " "}, "reason"),
        ({"kind": "forever"}, "kind"),
    ],
)
def test_what_an_extension_needs(sessions, partnership, policy, change, field):
    with write_transaction(sessions) as session:
        case, panel = met_case(session, partnership, policy)
        with pytest.raises(InvalidData) as refused:
            extend_deadline(session, case, {**AGREED, **change}, MANAGER, at(2025, 11, 20), policy)
        assert field in refused.value.fields
        assert panel.due_on == PANEL_DUE and panel.original_due_on is None


def test_the_victims_request_with_their_agreement(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case, panel = met_case(session, partnership, policy)
        data = {**AGREED, "requested_by": "victim", "victim_agreed": True, "kind": "pause"}
        extend_deadline(session, case, data, MANAGER, at(2025, 11, 20), policy)
        assert (panel.extension_kind, panel.extension_requested_by) == ("pause", "victim")


def test_only_a_manager_moves_a_deadline(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case, _ = met_case(session, partnership, policy)
        viewer = Actor(label="viewer@example.org", role="viewer")
        with pytest.raises(PermissionDenied):
            extend_deadline(session, case, AGREED, viewer, at(2025, 11, 20), policy)


def test_reminders_follow_the_new_date(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case, _ = met_case(session, partnership, policy)
        extend_deadline(session, case, AGREED, MANAGER, at(2025, 11, 20), policy)
    with write_transaction(sessions) as session:
        queue_reminders(session, policy, at(2025, 12, 18), CASE_REVIEW)
        keys = session.scalars(select(OutboxMessage.dedupe_key)).all()
        assert not any("panel" in key for key in keys), keys  # nothing due on the old date
        queue_reminders(session, policy, at(2026, 1, 15), CASE_REVIEW)
        keys = session.scalars(select(OutboxMessage.dedupe_key)).all()
        assert any("panel" in key and "2026-01-15" in key for key in keys), keys


def test_a_panel_held_within_the_agreed_extension_is_not_late(
    sessions, partnership, policy, config
):
    with write_transaction(sessions) as session:
        case, _ = met_case(session, partnership, policy)
        extend_deadline(session, case, AGREED, MANAGER, at(2025, 11, 20), policy)
        schedule = {"panel_on": "2026-01-12", "on": "2025-11-21"}
        apply(session, case, "schedule_panel", schedule, MANAGER, at(2025, 11, 21), policy)
        review = {**EVENT_DATA["record_review"], "on": "2026-01-12"}
        apply(session, case, "record_review", review, MANAGER, at(2026, 1, 12), policy)
    with read_session(sessions) as session:
        figures = report(session, performance_year(2025), config).total
    assert figures.count("panels_held") == 1
    assert figures.count("panels_within_limit") == 1
    assert figures.count("panels_within_extension") == 1
