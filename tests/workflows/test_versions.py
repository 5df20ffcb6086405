"""A case runs on the version of the process it was opened under; moving open cases to a
new version is an explicit, audited command, refused where a state does not exist there."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from tests.factories import EVENT_DATA, MANAGER, SAMPLE_NOW, case_in_state
from triggers.db import write_transaction
from triggers.models import AuditEvent, CaseReview
from workflows.case_review import CASE_REVIEW, PROCESSES
from workflows.deadlines import find
from workflows.errors import InvalidData
from workflows.service import apply
from workflows.versions import migrate

#: Version 2 shortens the chair's limit for an appeal decision, by law (not configurable).
VERSION_2 = dataclasses.replace(
    CASE_REVIEW,
    version=2,
    clocks=tuple(
        dataclasses.replace(clock, days=15, configurable=False)
        if clock.key == "appeal_decision"
        else clock
        for clock in CASE_REVIEW.clocks
    ),
)
#: Version 3 has no appeal stage at all.
VERSION_3 = dataclasses.replace(
    CASE_REVIEW,
    version=3,
    states=tuple(s for s in CASE_REVIEW.states if s.name != "appeal"),
    steps=tuple(s for s in CASE_REVIEW.steps if s.event not in ("appeal", "decide_appeal")),
    clocks=tuple(c for c in CASE_REVIEW.clocks if c.key != "appeal_decision"),
)


@pytest.fixture
def versions(monkeypatch):
    monkeypatch.setitem(PROCESSES, 2, VERSION_2)


def _case(session, reference):  # type: ignore[no-untyped-def]
    return session.scalars(select(CaseReview).where(CaseReview.reference == reference)).one()


def test_a_case_opened_under_version_1_keeps_its_limits_after_version_2_changes_one(
    sessions, partnership, policy, monkeypatch
):
    today = SAMPLE_NOW.date()
    with write_transaction(sessions) as session:
        old = case_in_state(session, partnership, policy, "findings_sent").reference
    monkeypatch.setitem(PROCESSES, 2, VERSION_2)
    with write_transaction(sessions) as session:
        new = case_in_state(session, partnership, policy, "findings_sent").reference
    with write_transaction(sessions) as session:
        limits = {}
        for reference in (old, new):
            case = _case(session, reference)
            apply(session, case, "appeal", EVENT_DATA["appeal"], MANAGER, SAMPLE_NOW, policy)
            limits[case.workflow_version] = find(case, "appeal_decision").due_on
    assert limits == {
        1: policy.calendar.add_working_days(today, 20),
        2: policy.calendar.add_working_days(today, 15),
    }


def test_open_cases_move_to_a_new_version_audited_and_closed_ones_stay(
    sessions, partnership, policy, versions
):
    with write_transaction(sessions) as session:
        moving = case_in_state(session, partnership, policy, "appeal").reference
        closed = case_in_state(session, partnership, policy, "closed").reference
        session.execute(CaseReview.__table__.update().values(workflow_version=1))
    with write_transaction(sessions) as session:
        preview = migrate(session, 2, "command line (test)", SAMPLE_NOW, dry_run=True)
        assert [(m.reference, m.state, m.from_version) for m in preview] == [(moving, "appeal", 1)]
        assert _case(session, moving).workflow_version == 1
    with write_transaction(sessions) as session:
        migrate(session, 2, "command line (test)", SAMPLE_NOW, dry_run=False)
    with write_transaction(sessions) as session:
        assert (
            _case(session, moving).workflow_version,
            _case(session, closed).workflow_version,
        ) == (2, 1)
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.event == "migrate_process")
        ).one()
        assert audit.data == {"from_version": 1, "to_version": 2}
        # The moved case now runs on version 2's limits.
        case = _case(session, moving)
        upheld = {"outcome": "upheld", "reason": "Facts were missed."}
        apply(session, case, "decide_appeal", upheld, MANAGER, SAMPLE_NOW, policy)
        assert case.state == "threshold_met"


def test_a_version_without_a_case_s_state_is_refused_and_moves_nothing(
    sessions, partnership, policy, monkeypatch, run
):
    with write_transaction(sessions) as session:
        stranded = case_in_state(session, partnership, policy, "appeal").reference
        fine = case_in_state(session, partnership, policy, "acknowledged").reference
    monkeypatch.setitem(PROCESSES, 3, VERSION_3)
    with write_transaction(sessions) as session, pytest.raises(InvalidData) as refused:
        migrate(session, 3, "command line (test)", SAMPLE_NOW, dry_run=False)
    assert stranded in refused.value.fields["to"] and fine not in refused.value.fields["to"]
    result = run("process", "migrate", "--to", "3")
    assert result.exit_code == 1 and stranded in result.output
    with write_transaction(sessions) as session:
        assert {_case(session, r).workflow_version for r in (stranded, fine)} == {1}
        assert (
            session.scalars(select(AuditEvent).where(AuditEvent.event == "migrate_process")).all()
            == []
        )
    dry = run("process", "migrate", "--to", "1", "--dry-run")
    assert dry.exit_code == 0 and "Would move 0 open case(s) to version 1" in dry.output


#: Version 4 keeps every state but has no separate clock for the chair's appeal decision.
VERSION_4 = dataclasses.replace(
    CASE_REVIEW,
    version=4,
    clocks=tuple(c for c in CASE_REVIEW.clocks if c.key != "appeal_decision"),
    steps=tuple(
        dataclasses.replace(
            step,
            moves=tuple(
                dataclasses.replace(
                    move,
                    starts=tuple(k for k in move.starts if k != "appeal_decision"),
                    meets=tuple(k for k in move.meets if k != "appeal_decision"),
                )
                for move in step.moves
            ),
        )
        for step in CASE_REVIEW.steps
    ),
)


def test_a_running_clock_the_target_version_lacks_is_refused_dry_run_too(
    sessions, partnership, policy, monkeypatch, run
):
    """A clock the new version does not declare would never be reminded nor met: the move
    is refused (and a dry run says so) rather than leaving it running unseen."""
    with write_transaction(sessions) as session:
        waiting = case_in_state(session, partnership, policy, "appeal").reference
        fine = case_in_state(session, partnership, policy, "acknowledged").reference
    monkeypatch.setitem(PROCESSES, 4, VERSION_4)
    for dry_run in (True, False):
        with write_transaction(sessions) as session, pytest.raises(InvalidData) as refused:
            migrate(session, 4, "command line (test)", SAMPLE_NOW, dry_run=dry_run)
        assert f"{waiting} (appeal_decision)" in refused.value.fields["to"]
        assert fine not in refused.value.fields["to"]
    result = run("process", "migrate", "--to", "4", "--dry-run")
    assert result.exit_code == 1 and f"{waiting} (appeal_decision)" in result.output
    with write_transaction(sessions) as session:
        assert {_case(session, r).workflow_version for r in (waiting, fine)} == {1}
        assert (
            session.scalars(select(AuditEvent).where(AuditEvent.event == "migrate_process")).all()
            == []
        )
