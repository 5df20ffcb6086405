"""Corrections, agencies brought in later, and incidents added later (issue 18)."""

from datetime import date

import pytest
from sqlalchemy import select

from tests.factories import (
    EVENT_DATA,
    MANAGER,
    SAMPLE_NOW,
    at,
    case_in_state,
    complaint,
    incident,
    new_case,
    one_incident,
)
from triggers.db import write_transaction
from triggers.models import Agency, AuditEvent, CaseReview, OutboxMessage
from workflows.case_agencies import add_agency, proposed_agencies, remove_agency
from workflows.case_incidents import add_complaint, add_incident
from workflows.corrections import correct
from workflows.errors import InvalidData, PermissionDenied, StaleCase
from workflows.permissions import visible_to
from workflows.service import Actor, apply, reverse_step

VIEWER = Actor(label="viewer@example.org", role="viewer")


def due(case, clock):
    return next(d for d in case.deadlines if d.step == clock)


def last_audit(session, case, event):
    return session.scalars(
        select(AuditEvent)
        .where(AuditEvent.case_id == case.id, AuditEvent.event == event)
        .order_by(AuditEvent.id.desc())
    ).first()


def test_a_corrected_name_and_date_of_receipt_move_the_deadline_and_are_audited(
    sessions, partnership, policy
):
    with write_transaction(sessions) as session:
        case = new_case(session, partnership, policy, received_on=date(2025, 11, 20))
        assert due(case, "acknowledge").due_on == date(2025, 11, 27)
        result = correct(
            session,
            case,
            {
                "changes": {"victim.name": "Alex Morgen", "received_on": "2025-11-24"},
                "reason": "Typed from the letter wrongly",
            },
            MANAGER,
            SAMPLE_NOW,
            policy,
        )
        assert case.victim.name == "Alex Morgen"
        assert case.received_on == date(2025, 11, 24)
        assert due(case, "acknowledge").due_on == date(2025, 12, 1)
        assert result.moved == [
            {"clock": "acknowledge", "before": "2025-11-27", "after": "2025-12-01"}
        ]
        event = last_audit(session, case, "correct")
        assert event.actor == MANAGER.label
        assert event.data["reason"] == "Typed from the letter wrongly"
        assert {"fact": "victim.name", "before": "Alex Morgan", "after": "Alex Morgen"} in (
            event.data["changes"]
        )
        assert any(
            "Acknowledge now due" in line for line in result.summary({"acknowledge": "Acknowledge"})
        )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"victim.name": ""}, "victim.name"),
        ({"received_on": "2025-12-25"}, "received_on"),
        ({"received_on": "2025-08-01"}, "incidents.2.occurred_on"),
        ({"victim.password": "x"}, "victim.password"),
        ({"incidents.9.description": "x"}, "incidents.9.description"),
        ({"applicant.on_behalf": True}, "applicant.name"),
        ({"steps.acknowledge.on": "2025-11-21"}, "steps.acknowledge.on"),
    ],
)
def test_a_wrong_correction_is_refused_and_changes_nothing(
    sessions, partnership, policy, changes, field
):
    with write_transaction(sessions) as session:
        case = new_case(session, partnership, policy, received_on=date(2025, 11, 20))
        with pytest.raises(InvalidData) as refused:
            correct(session, case, {"changes": changes, "reason": "x"}, MANAGER, SAMPLE_NOW, policy)
        assert field in refused.value.fields
        assert case.victim.name == "Alex Morgan"
        assert case.received_on == date(2025, 11, 20)
        assert last_audit(session, case, "correct") is None


def test_only_a_manager_corrects_and_an_old_version_is_refused(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case = new_case(session, partnership, policy)
        data = {"changes": {"ward": "Loughborough Hastings"}, "reason": "Wrong ward"}
        with pytest.raises(PermissionDenied):
            correct(session, case, data, VIEWER, SAMPLE_NOW, policy)
        with pytest.raises(StaleCase):
            correct(session, case, {**data, "version": 0}, MANAGER, SAMPLE_NOW, policy)
        correct(session, case, data, MANAGER, SAMPLE_NOW, policy)
        assert case.ward == "Loughborough Hastings"


def test_a_step_on_the_wrong_date_is_redated_with_the_clocks_it_started(
    sessions, partnership, policy
):
    with write_transaction(sessions) as session:
        case = new_case(session, partnership, policy, received_on=date(2025, 11, 20))
        apply(session, case, "acknowledge", {"on": "2025-11-26"}, MANAGER, SAMPLE_NOW, policy)
        assert due(case, "threshold_decision").due_on == date(2025, 12, 10)
        correct(
            session,
            case,
            {"changes": {"steps.acknowledge.on": "2025-11-24"}, "reason": "Sent on Monday"},
            MANAGER,
            SAMPLE_NOW,
            policy,
        )
        assert case.acknowledged_on == date(2025, 11, 24)
        assert due(case, "acknowledge").ended_on == date(2025, 11, 24)
        assert due(case, "threshold_decision").due_on == date(2025, 12, 8)
        assert case.last_step_on == date(2025, 11, 24)


def test_a_threshold_decision_on_the_wrong_case_is_reversed_and_its_letter_cancelled(
    sessions, partnership, policy
):
    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, "threshold_met")
        with pytest.raises(InvalidData):
            reverse_step(
                session, case, {"event": "acknowledge", "reason": "x"}, MANAGER, SAMPLE_NOW, policy
            )
        outcome = reverse_step(
            session,
            case,
            {"event": "decide_threshold", "reason": "Recorded on the wrong case"},
            MANAGER,
            at(2025, 12, 1, 15),
            policy,
        )
        assert outcome.case.state == "acknowledged"
        assert case.threshold_decisions == [] and case.threshold_decided_on is None
        assert due(case, "threshold_decision").status == "running"
        assert all(d.step != "panel" for d in case.deadlines)
        letter = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.case_id == case.id, OutboxMessage.kind == "threshold_met"
            )
        ).one()
        assert letter.status == "cancelled"
        event = last_audit(session, case, "reverse_step")
        assert (event.from_state, event.to_state) == ("threshold_met", "acknowledged")
        assert event.data["letters_cancelled"] == ["threshold_met"]
        # The step's own event stays in the trail; the step may be taken again.
        assert last_audit(session, case, "decide_threshold") is not None
        apply(
            session,
            case,
            "decide_threshold",
            EVENT_DATA["decide_threshold"],
            MANAGER,
            at(2025, 12, 1, 16),
            policy,
        )
        assert case.state == "threshold_met"


def test_a_sent_letter_is_not_cancelled_but_named(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, "withdrawn")
        for row in session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id)):
            row.status = "sent"
        outcome = reverse_step(
            session,
            case,
            {"event": "withdraw", "reason": "Wrong case"},
            MANAGER,
            at(2025, 12, 1, 15),
            policy,
        )
        assert case.state == "received" and case.ended_on is None
        assert due(case, "acknowledge").status == "running"
        assert "closure" in outcome.warnings[0]


def test_acknowledging_asks_the_confirmed_agencies_and_warns_with_none(
    sessions, partnership, policy
):
    with write_transaction(sessions) as session:
        online = new_case(session, partnership, policy, agencies=[], channel="online")
        assert [a.name for a in proposed_agencies(session, online)] == ["Leicestershire Police"]
        apply(
            session,
            online,
            "acknowledge",
            {"agencies": ["Leicestershire Police"]},
            MANAGER,
            SAMPLE_NOW,
            policy,
        )
        requests = session.scalars(
            select(OutboxMessage.recipient).where(
                OutboxMessage.case_id == online.id, OutboxMessage.kind == "chronology_request"
            )
        ).all()
        police = session.scalar(select(Agency).where(Agency.name == "Leicestershire Police"))
        assert requests == [f"agency:{police.id}"]
        bare = new_case(session, partnership, policy, agencies=[])
        outcome = apply(session, bare, "acknowledge", {}, MANAGER, SAMPLE_NOW, policy)
        assert any("No agency is on the case" in w for w in outcome.warnings)


def test_an_agency_added_later_is_asked_then_and_its_people_see_the_case(
    sessions, partnership, policy
):
    with write_transaction(sessions) as session:
        case = new_case(session, partnership, policy, agencies=[])
        apply(session, case, "acknowledge", {}, MANAGER, SAMPLE_NOW, policy)
        police = session.scalar(select(Agency).where(Agency.name == "Leicestershire Police"))

        def seen() -> bool:
            query = visible_to(
                select(CaseReview.id),
                partnership_id=partnership.id,
                role="agency",
                agency_id=police.id,
            )
            return session.scalar(query) == case.id

        assert not seen()
        notes = add_agency(
            session,
            case,
            {"agency": "Leicestershire Police", "role": "lead"},
            MANAGER,
            SAMPLE_NOW,
            policy,
        )
        assert "asked for its chronology" in " ".join(notes)
        assert case.lead_agency is police and seen()
        assert session.scalars(
            select(OutboxMessage.recipient).where(
                OutboxMessage.case_id == case.id, OutboxMessage.kind == "chronology_request"
            )
        ).all() == [f"agency:{police.id}"]
        with pytest.raises(InvalidData):
            add_agency(
                session, case, {"agency": "Leicestershire Police"}, MANAGER, SAMPLE_NOW, policy
            )
        remove_agency(
            session,
            case,
            {"agency": "Leicestershire Police", "reason": "Not involved after all"},
            MANAGER,
            SAMPLE_NOW,
            policy,
        )
        assert case.lead_agency is None and not seen()


def test_one_incident_reported_to_three_bodies_counts_once_and_more_can_be_added(
    sessions, partnership, policy
):
    received = date(2025, 11, 20)
    night = date(2025, 11, 1)
    reported = [
        complaint(date(2025, 11, 2), to=body) for body in ("police", "council", "housing_provider")
    ]
    with write_transaction(sessions) as session:
        case = new_case(
            session,
            partnership,
            policy,
            received_on=received,
            incidents=[incident(night, *reported)],
        )
        assert len(case.incidents) == 1 and len(case.incidents[0].complaints) == 3
        apply(session, case, "acknowledge", {}, MANAGER, SAMPLE_NOW, policy)
        add_incident(
            session,
            case,
            {
                "occurred_on": "2025-10-10",
                "description": "Shouting at night",
                "complaints": [complaint(date(2025, 10, 11))],
            },
            MANAGER,
            SAMPLE_NOW,
            policy,
        )
        notes = add_incident(
            session,
            case,
            {
                "occurred_on": "2025-10-20",
                "description": "Car damaged",
                "complaints": [complaint(date(2025, 10, 21))],
                "reason": "From the police chronology",
            },
            MANAGER,
            SAMPLE_NOW,
            policy,
        )
        assert notes == ["The rules now suggest the threshold is met."]
        assert last_audit(session, case, "add_incident").data["suggestion"] == {
            "before": False,
            "after": True,
        }
        with pytest.raises(InvalidData):
            add_complaint(
                session,
                case,
                {"incident": 0, "reported_on": "2025-12-01", "reported_to": "council"},
                MANAGER,
                SAMPLE_NOW,
                policy,
            )


def test_a_second_person_about_the_same_incident_is_a_complaint_added(
    sessions, partnership, policy
):
    received = date(2025, 11, 20)
    with write_transaction(sessions) as session:
        case = new_case(
            session, partnership, policy, received_on=received, incidents=one_incident(received)
        )
        for person in ("Sam Hill", "Kim Lee"):
            add_complaint(
                session,
                case,
                {
                    "incident": 0,
                    "reported_on": "2025-10-31",
                    "reported_to": "council",
                    "reporter": person,
                },
                MANAGER,
                SAMPLE_NOW,
                policy,
            )
        assert len(case.incidents[0].complaints) == 3


def test_every_step_of_the_process_declares_how_it_is_corrected():
    """A step added without its re-dating and reversal could not be put right when taken
    in error: the declaration names both for every step."""
    from workflows.case_review import PROCESSES

    for process in PROCESSES.values():
        assert sorted(process.corrections) == sorted(process.events)


def test_a_rationale_recorded_with_a_slip_is_corrected_and_an_empty_one_refused(
    sessions, partnership, policy
):
    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, "threshold_met")
        with pytest.raises(InvalidData) as refused:
            correct(
                session,
                case,
                {"changes": {"decision.rationale": " "}, "reason": "x"},
                MANAGER,
                SAMPLE_NOW,
                policy,
            )
        assert refused.value.fields == {"decision.rationale": "must not be empty"}
        with pytest.raises(InvalidData):
            correct(
                session,
                case,
                {"changes": {"panel.findings": "x"}, "reason": "x"},
                MANAGER,
                SAMPLE_NOW,
                policy,
            )
        correct(
            session,
            case,
            {
                "changes": {"decision.rationale": "Persistent harassment over six months."},
                "reason": "Typing slip",
            },
            MANAGER,
            SAMPLE_NOW,
            policy,
        )
        assert case.threshold_decisions[-1].rationale == "Persistent harassment over six months."


def test_a_review_recorded_on_the_wrong_case_is_reversed_with_its_action_plan(
    sessions, partnership, policy
):
    from triggers.models import Recommendation

    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, "review_complete")
        reverse_step(
            session,
            case,
            {"event": "record_review", "reason": "Recorded on the wrong case"},
            MANAGER,
            at(2025, 12, 1, 15),
            policy,
        )
        assert case.state == "panel_scheduled"
        assert case.panels[-1].held_on is None and case.panels[-1].findings == ""
        assert (
            session.scalars(select(Recommendation).where(Recommendation.case_id == case.id)).all()
            == []
        )
        assert case.recommendations == [] and case.themes == []
        assert due(case, "panel").status == "running"
        assert all(d.step != "findings" for d in case.deadlines)
        # The panel can record its review on this case again, properly this time.
        apply(
            session,
            case,
            "record_review",
            EVENT_DATA["record_review"],
            MANAGER,
            at(2025, 12, 1, 16),
            policy,
        )
        assert case.state == "review_complete" and len(case.recommendations) == 1


def test_a_panel_moved_in_error_goes_back_to_its_day(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, "panel_scheduled")
        first = case.panels[-1].panel_on
        apply(
            session,
            case,
            "schedule_panel",
            {"panel_on": "2025-12-05"},
            MANAGER,
            at(2025, 12, 1, 15),
            policy,
        )
        reverse_step(
            session,
            case,
            {"event": "schedule_panel", "reason": "Moved the wrong panel"},
            MANAGER,
            at(2025, 12, 1, 16),
            policy,
        )
        assert case.state == "panel_scheduled" and case.panels[-1].panel_on == first
        assert len(case.panels) == 1


def test_a_letter_held_for_approval_is_cancelled_with_its_reversed_step(
    sessions, partnership, policy
):
    """A held letter of a reversed step would otherwise still wait on My tasks, and go out
    for a step that no longer stands once a manager approved it."""
    import dataclasses

    from triggers.policy import Policy

    holding = Policy.from_config(
        dataclasses.replace(
            policy.config,
            mail=dataclasses.replace(policy.config.mail, hold_for_approval=("findings",)),
        )
    )
    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, holding, "findings_sent")
        letter = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.case_id == case.id, OutboxMessage.kind == "findings"
            )
        ).one()
        assert letter.status == "held"
        reverse_step(
            session,
            case,
            {"event": "send_findings", "reason": "Sent on the wrong case"},
            MANAGER,
            at(2025, 12, 1, 15),
            holding,
        )
        assert letter.status == "cancelled"
        assert "findings" in last_audit(session, case, "reverse_step").data["letters_cancelled"]
