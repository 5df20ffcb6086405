"""The statutory process through the service: each step, its deadlines, letters and audit."""

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.factories import (
    EVENT_DATA,
    MANAGER,
    PATHS,
    SAMPLE_NOW,
    application,
    at,
    case_in_state,
    complaint,
    event_data,
    incident,
    new_case,
    one_incident,
)
from tests.workflows.test_machine import ALLOWED
from triggers.db import write_transaction
from triggers.models import AuditEvent, CaseReview, OutboxMessage, Panel
from workflows.errors import (
    EventNotAllowed,
    InvalidData,
    PermissionDenied,
    StaleCase,
    ThresholdFloorMet,
)
from workflows.machine import EVENTS, STATES, allowed_events
from workflows.service import Actor, apply, open_case, record_chronology


def deadline(case: CaseReview, step: str):
    return next(d for d in case.deadlines if d.step == step)


def count(session, model, **where) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return session.scalar(query)


def test_opening_a_case_starts_the_acknowledgement_clock(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case = new_case(
            session, partnership, policy, received_on=date(2025, 4, 17), now=at(2025, 4, 17)
        )
        assert case.reference == "CT-2025-001"
        assert case.state == "received"
        assert case.version == 1
        # Thursday before Easter: Good Friday and Easter Monday are skipped.
        assert deadline(case, "acknowledge").due_on == date(2025, 4, 28)
        assert count(session, AuditEvent, case_id=case.id, event="open") == 1


def test_references_are_numbered_per_year(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        refs = [
            new_case(session, partnership, policy, received_on=day).reference
            for day in (date(2024, 12, 30), date(2025, 1, 2), date(2025, 1, 3))
        ]
    assert refs == ["CT-2024-001", "CT-2025-001", "CT-2025-002"]


def test_the_whole_process_sets_each_deadline(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case = new_case(
            session, partnership, policy, received_on=date(2025, 12, 8), now=at(2025, 12, 8)
        )

        apply(session, case, "acknowledge", {"on": "2025-12-10"}, MANAGER, at(2025, 12, 10), policy)
        assert deadline(case, "acknowledge").status == "met"
        assert deadline(case, "threshold_decision").due_on == date(2025, 12, 24)

        apply(
            session,
            case,
            "decide_threshold",
            {**EVENT_DATA["decide_threshold"], "on": "2025-12-10"},
            MANAGER,
            at(2025, 12, 10),
            policy,
        )
        assert case.state == "threshold_met"
        # 28 working days after Wednesday 10 December 2025, across Christmas.
        assert deadline(case, "panel").due_on == date(2026, 1, 22)

        outcome = apply(
            session,
            case,
            "schedule_panel",
            {"panel_on": "2026-01-20", "on": "2025-12-11"},
            MANAGER,
            at(2025, 12, 11),
            policy,
        )
        assert outcome.warnings == []
        outcome = apply(
            session,
            case,
            "schedule_panel",
            {"panel_on": "2026-01-29", "on": "2025-12-12"},
            MANAGER,
            at(2025, 12, 12),
            policy,
        )
        assert "after the 28-working-day limit" in outcome.warnings[0]
        assert len(case.panels) == 1 and case.panels[0].panel_on == date(2026, 1, 29)

        apply(
            session,
            case,
            "record_review",
            {**EVENT_DATA["record_review"], "on": "2026-01-29", "attendees": ["Police sergeant"]},
            MANAGER,
            at(2026, 1, 29),
            policy,
        )
        assert deadline(case, "panel").status == "met"
        assert deadline(case, "findings").due_on == date(2026, 2, 5)
        assert [t.theme for t in case.themes] == ["inconsistent_recording"]
        assert case.recommendations[0].agency.name == "Leicestershire Police"

        apply(session, case, "send_findings", {"on": "2026-02-02"}, MANAGER, at(2026, 2, 2), policy)
        assert deadline(case, "appeal_window").due_on == date(2026, 3, 2)

        apply(
            session,
            case,
            "appeal",
            {**EVENT_DATA["appeal"], "on": "2026-02-20"},
            MANAGER,
            at(2026, 2, 20),
            policy,
        )
        assert deadline(case, "appeal_window").status == "met"
        assert deadline(case, "appeal_decision").due_on == date(2026, 3, 20)

        apply(
            session,
            case,
            "decide_appeal",
            {"outcome": "upheld", "reason": "Facts missed.", "on": "2026-03-10"},
            Actor("chair@example.org", role="chair"),
            at(2026, 3, 10),
            policy,
        )
        assert case.state == "threshold_met"
        # A fresh review: the panel clock restarts from the appeal decision.
        assert deadline(case, "panel").status == "running"
        assert deadline(case, "panel").due_on == policy.calendar.add_working_days(
            date(2026, 3, 10), 28
        )
        assert case.appeals[0].outcome == "upheld"

        history = session.scalars(
            select(AuditEvent.event).where(AuditEvent.case_id == case.id).order_by(AuditEvent.id)
        ).all()
        assert history == [
            "open",
            "acknowledge",
            "decide_threshold",
            "schedule_panel",
            "schedule_panel",
            "record_review",
            "send_findings",
            "appeal",
            "decide_appeal",
        ]


REFUSED = [(state, event) for state in STATES for event in EVENTS if event not in ALLOWED[state]]


@pytest.mark.parametrize(("state", "event"), REFUSED)
def test_every_refused_event_names_the_state_and_changes_nothing(
    sessions, partnership, policy, state, event
):
    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, state)
        version, events = case.version, count(session, AuditEvent, case_id=case.id)
        with pytest.raises(EventNotAllowed) as refused:
            apply(session, case, event, event_data(case, event), MANAGER, SAMPLE_NOW, policy)
        assert f"'{state}'" in refused.value.message
        assert refused.value.allowed == allowed_events(state)
        assert case.state == state and case.version == version
        assert count(session, AuditEvent, case_id=case.id) == events


@pytest.mark.parametrize("state", STATES)
def test_every_allowed_event_moves_the_case(sessions, partnership, policy, state):
    with write_transaction(sessions) as session:
        for event in sorted(ALLOWED[state]):
            case = case_in_state(session, partnership, policy, state)
            data = event_data(case, event)
            if event == "decide_threshold" and state == "acknowledged":
                data["decision"] = "met"
            apply(session, case, event, data, MANAGER, SAMPLE_NOW, policy)
            assert case.state != state or event == "schedule_panel"
            last = session.scalars(
                select(AuditEvent)
                .where(AuditEvent.case_id == case.id)
                .order_by(AuditEvent.id.desc())
            ).first()
            assert (last.event, last.from_state, last.to_state) == (event, state, case.state)


def test_not_met_is_refused_when_the_act_says_met(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, "acknowledged")
        with pytest.raises(ThresholdFloorMet, match="section 104"):
            apply(
                session,
                case,
                "decide_threshold",
                {"decision": "not_met", "rationale": "We think it is a civil dispute."},
                MANAGER,
                SAMPLE_NOW,
                policy,
            )
        assert case.state == "acknowledged"
        assert case.threshold_decisions == []


def test_not_met_is_allowed_against_a_local_route_with_a_warning(sessions, partnership, policy):
    received_on = date(2025, 11, 20)
    hate = [incident(date(2025, 11, 1), complaint(date(2025, 11, 2)), hate=True)]
    with write_transaction(sessions) as session:
        case = new_case(session, partnership, policy, received_on=received_on, incidents=hate)
        apply(session, case, "acknowledge", {}, MANAGER, SAMPLE_NOW, policy)
        outcome = apply(
            session,
            case,
            "decide_threshold",
            {"decision": "not_met", "rationale": "Investigated: not a hate incident."},
            MANAGER,
            SAMPLE_NOW,
            policy,
        )
        assert case.state == "threshold_not_met"
        assert "differs from the rules' suggestion" in outcome.warnings[0]
        assert case.threshold_decisions[0].rules_held == ["hate_incident"]


def test_met_against_the_suggestion_is_recorded(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case = new_case(session, partnership, policy, incidents=one_incident(date(2025, 11, 20)))
        apply(session, case, "acknowledge", {}, MANAGER, SAMPLE_NOW, policy)
        outcome = apply(
            session,
            case,
            "decide_threshold",
            EVENT_DATA["decide_threshold"],
            MANAGER,
            SAMPLE_NOW,
            policy,
        )
        assert case.state == "threshold_met" and outcome.warnings
        assert case.threshold_decisions[0].suggested_met is False


@pytest.mark.parametrize(
    ("on", "message"),
    [
        ("2025-12-02", "cannot be in the future: today is Monday 1 December 2025"),
        ("2025-11-19", "cannot be before the previous step, on Thursday 20 November 2025"),
        ("01/12/2025", "must be a date written YYYY-MM-DD"),
        ("2025-02-30", "is not a real date"),
    ],
)
def test_the_step_date_is_checked(sessions, partnership, policy, on, message):
    with write_transaction(sessions) as session:
        case = new_case(session, partnership, policy)
        with pytest.raises(InvalidData) as invalid:
            apply(session, case, "acknowledge", {"on": on}, MANAGER, SAMPLE_NOW, policy)
        assert invalid.value.fields == {"on": message}
        assert case.state == "received"


def test_invalid_review_data_names_every_field_and_writes_nothing(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, "panel_scheduled")
        case_id = case.id
    with pytest.raises(InvalidData) as invalid, write_transaction(sessions) as session:
        case = session.get(CaseReview, case_id)
        apply(
            session,
            case,
            "record_review",
            {
                "findings": "Reports not linked.",
                "victim_attended": True,
                "themes": ["bad_weather"],
                "recommendations": [
                    {"agency": "Fire Service", "action": "x", "due_on": "2025-11-01"}
                ],
            },
            MANAGER,
            SAMPLE_NOW,
            policy,
        )
    assert set(invalid.value.fields) == {
        "themes.0",
        "recommendations.0.agency",
        "recommendations.0.due_on",
    }
    assert "inconsistent_recording" in invalid.value.fields["themes.0"]
    with write_transaction(sessions) as session:
        case = session.get(CaseReview, case_id)
        assert case.state == "panel_scheduled"
        assert session.scalar(select(Panel.held_on).where(Panel.case_id == case_id)) is None


def test_a_stale_version_is_refused(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case = new_case(session, partnership, policy)
        with pytest.raises(StaleCase, match="version 1"):
            apply(session, case, "acknowledge", {"version": 0}, MANAGER, SAMPLE_NOW, policy)
        apply(session, case, "acknowledge", {"version": 1}, MANAGER, SAMPLE_NOW, policy)
        assert case.version == 2


def test_two_sessions_moving_the_same_case_exactly_one_wins(sessions, partnership, policy):
    """Both people loaded version 1; the second to save is told someone else changed it."""
    with write_transaction(sessions) as session:
        reference = new_case(session, partnership, policy).reference
    first, second = sessions(), sessions()
    try:
        mine = first.scalar(select(CaseReview).where(CaseReview.reference == reference))
        theirs = second.scalar(select(CaseReview).where(CaseReview.reference == reference))
        assert mine.version == theirs.version == 1
        second.commit()  # the second person has the page open, no transaction held
        apply(first, mine, "acknowledge", {}, MANAGER, SAMPLE_NOW, policy)
        first.commit()
        with pytest.raises(StaleCase, match="changed by someone else"):
            apply(
                second,
                theirs,
                "withdraw",
                {"reason": "Asked to withdraw."},
                MANAGER,
                SAMPLE_NOW,
                policy,
            )
        second.rollback()
    finally:
        first.close()
        second.close()
    with write_transaction(sessions) as session:
        case = session.scalar(select(CaseReview).where(CaseReview.reference == reference))
        assert (case.state, case.version) == ("acknowledged", 2)
        assert count(session, AuditEvent, case_id=case.id) == 2


def test_concurrent_writers_one_wins(sessions, partnership, policy):
    """Two threads apply different events to one case at the same moment."""
    import threading

    with write_transaction(sessions) as session:
        reference = new_case(session, partnership, policy).reference
    barrier = threading.Barrier(2)
    results: list[str] = []

    def attempt(event: str, data: dict) -> None:
        barrier.wait()
        try:
            with write_transaction(sessions) as session:
                case = session.scalar(
                    select(CaseReview).where(CaseReview.reference == reference).with_for_update()
                )
                apply(session, case, event, {**data, "version": 1}, MANAGER, SAMPLE_NOW, policy)
            results.append("won")
        except (StaleCase, EventNotAllowed) as error:
            results.append(type(error).__name__)

    threads = [
        threading.Thread(target=attempt, args=("acknowledge", {})),
        threading.Thread(target=attempt, args=("withdraw", {"reason": "Moved away."})),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == ["StaleCase", "won"]
    with write_transaction(sessions) as session:
        case = session.scalar(select(CaseReview).where(CaseReview.reference == reference))
        assert case.version == 2
        assert count(session, AuditEvent, case_id=case.id) == 2


def test_letters_are_queued_in_the_same_transaction(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, "findings_sent")
        messages = session.scalars(
            select(OutboxMessage).where(OutboxMessage.case_id == case.id)
        ).all()
        kinds = sorted(message.kind for message in messages)
        police = next(
            link.agency.id for link in case.agencies if link.agency.name == "Leicestershire Police"
        )
        assert {m.recipient for m in messages if m.kind == "action_plan"} == {f"agency:{police}"}
        assert len({m.dedupe_key for m in messages}) == len(messages)
    assert kinds == sorted(
        [
            "acknowledgement",
            "chronology_request",
            "chronology_request",
            "threshold_met",
            "panel_invitation",
            "panel_invitation",
            "panel_invitation",
            "findings",
            "action_plan",
        ]
    )


def test_nothing_is_written_when_a_step_fails(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case_id = case_in_state(session, partnership, policy, "acknowledged").id
    with pytest.raises(ThresholdFloorMet), write_transaction(sessions) as session:
        case = session.get(CaseReview, case_id)
        apply(
            session,
            case,
            "decide_threshold",
            {"decision": "not_met", "rationale": "Not persistent enough."},
            MANAGER,
            SAMPLE_NOW,
            policy,
        )
    with write_transaction(sessions) as session:
        assert count(session, OutboxMessage, kind="threshold_not_met") == 0
        assert count(session, AuditEvent, event="decide_threshold") == 0


def test_only_managers_and_the_chair_may_act(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, "appeal")
        with pytest.raises(PermissionDenied):
            apply(
                session,
                case,
                "withdraw",
                EVENT_DATA["withdraw"],
                Actor("viewer@example.org", role="viewer"),
                SAMPLE_NOW,
                policy,
            )
        with pytest.raises(PermissionDenied):
            open_case(
                session,
                partnership,
                application(),
                Actor("p@example.org", role="panel"),
                SAMPLE_NOW,
                policy,
            )
        apply(
            session,
            case,
            "decide_appeal",
            EVENT_DATA["decide_appeal"],
            Actor("chair@example.org", role="chair"),
            SAMPLE_NOW,
            policy,
        )
        assert case.state == "closed" and case.end_reason.startswith("Appeal not upheld")
        assert all(d.status != "running" for d in case.deadlines)


def test_an_application_on_behalf_needs_consent(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        with pytest.raises(InvalidData) as invalid:
            open_case(
                session,
                partnership,
                application(applicant={"on_behalf": True, "name": "Sam Morgan"}),
                MANAGER,
                SAMPLE_NOW,
                policy,
            )
        assert set(invalid.value.fields) == {"applicant.relationship", "applicant.consent_given_on"}
        case = open_case(
            session,
            partnership,
            application(
                applicant={
                    "on_behalf": True,
                    "name": "Sam Morgan",
                    "relationship": "son",
                    "consent_given_on": "2025-11-18",
                }
            ),
            MANAGER,
            SAMPLE_NOW,
            policy,
        )
        assert case.applicant.consent_given_on == date(2025, 11, 18)


def test_an_application_received_in_the_future_is_refused(sessions, partnership, policy):
    with write_transaction(sessions) as session, pytest.raises(InvalidData) as invalid:
        new_case(session, partnership, policy, received_on=date(2025, 12, 2))
    assert "future" in invalid.value.fields["received_on"]


def test_chronology_entries_are_collated_per_agency(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, "acknowledged")
        record_chronology(
            session,
            case,
            {
                "agency": "Example Housing Association",
                "occurred_on": "2025-10-01",
                "summary": "Warning letter sent.",
            },
            MANAGER,
            SAMPLE_NOW,
            policy,
        )
        assert case.chronology[0].agency.name == "Example Housing Association"
        assert "Example Housing Association" in [link.agency.name for link in case.agencies]
        with pytest.raises(InvalidData, match="not one of this partnership's agencies"):
            record_chronology(
                session,
                case,
                {"agency": "MI5", "occurred_on": "2025-10-01", "summary": "x"},
                MANAGER,
                SAMPLE_NOW,
                policy,
            )


def test_every_path_in_the_factory_is_valid():
    assert set(PATHS) == set(STATES)


def test_incidents_after_the_application_are_refused(sessions, partnership, policy):
    late = [incident(date(2025, 11, 25), complaint(date(2025, 11, 26)))]
    with write_transaction(sessions) as session, pytest.raises(InvalidData) as invalid:
        new_case(session, partnership, policy, received_on=date(2025, 11, 20), incidents=late)
    assert invalid.value.fields == {
        "incidents.0.occurred_on": "is after the application was received",
        "incidents.0.complaints.0.reported_on": "is after the application was received",
    }


def test_today_is_read_in_london(sessions, partnership, policy):
    """At 23:30 UTC on 30 June it is already 1 July in London (BST)."""
    with write_transaction(sessions) as session:
        case = new_case(
            session, partnership, policy, received_on=date(2025, 6, 30), now=at(2025, 6, 30)
        )
        apply(
            session,
            case,
            "acknowledge",
            {"on": "2025-07-01"},
            MANAGER,
            at(2025, 6, 30, hour=23),
            policy,
        )
        assert case.acknowledged_on == date(2025, 7, 1)
        with pytest.raises(InvalidData, match="today is Tuesday 1 July 2025"):
            apply(
                session,
                case,
                "withdraw",
                {"reason": "x", "on": "2025-07-02"},
                MANAGER,
                at(2025, 6, 30, hour=23),
                policy,
            )


def test_the_audit_trail_is_append_only(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case_id = new_case(session, partnership, policy).id
    with pytest.raises(RuntimeError, match="append-only"), write_transaction(sessions) as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id)).one()
        event.actor = "someone else"
    with pytest.raises(RuntimeError, match="append-only"), write_transaction(sessions) as session:
        session.delete(session.scalars(select(AuditEvent)).one())
    with write_transaction(sessions) as session:
        assert session.scalars(select(AuditEvent.actor)).one() == "manager@example.org"


@pytest.mark.parametrize(
    ("starts_at", "accepted"), [("", True), ("09:05", True), ("24:00", False), ("9am", False)]
)
def test_the_panel_start_time_is_optional_but_well_formed(
    sessions, partnership, policy, starts_at, accepted
):
    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, "threshold_met")
        data = {"panel_on": "2025-12-10", "starts_at": starts_at}
        if accepted:
            apply(session, case, "schedule_panel", data, MANAGER, SAMPLE_NOW, policy)
            assert case.panels[0].starts_at == starts_at
        else:
            with pytest.raises(InvalidData, match="must be a time written HH:MM"):
                apply(session, case, "schedule_panel", data, MANAGER, SAMPLE_NOW, policy)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("applicant.relationship", {"applicant": {"relationship": "r" * 101}}),
        ("victim.language", {"victim": {"language": "l" * 61}}),
        ("incidents.0.complaints.0.reference", {"reference": "x" * 101}),
    ],
)
def test_text_longer_than_its_column_is_refused_by_name(
    sessions, partnership, policy, field, value
):
    """PostgreSQL would refuse it at the insert with a server error; the schema says which."""
    data = application()
    if "applicant" in value:
        data["applicant"] = {
            "on_behalf": True,
            "name": "Sam Morgan",
            "consent_given_on": "2025-11-18",
            **value["applicant"],
        }
    elif "victim" in value:
        data["victim"] = {**data["victim"], **value["victim"]}
    else:
        data["incidents"][0]["complaints"][0]["reference"] = value["reference"]
    with write_transaction(sessions) as session, pytest.raises(InvalidData) as invalid:
        open_case(session, partnership, data, MANAGER, SAMPLE_NOW, policy)
    assert field in invalid.value.fields


def test_a_step_and_a_view_of_the_same_case_at_once_both_go_through(sessions, partnership, policy):
    """A manager applies a step while someone opens the case page. The step locks the case
    first and the audit head second; the view takes the head, then writes an event whose
    foreign key refers to the case. Neither may wait for the other for ever: on PostgreSQL
    a FOR UPDATE lock on the case made this a deadlock, and one of them failed."""
    import threading

    from workflows.service import for_a_step, record_view

    with write_transaction(sessions) as session:
        reference = new_case(session, partnership, policy).reference
    viewed = threading.Event()
    failures: list[BaseException] = []

    def view() -> None:
        try:
            with write_transaction(sessions) as session:
                case = session.scalar(select(CaseReview).where(CaseReview.reference == reference))
                record_view(session, case, MANAGER, SAMPLE_NOW, "case page")
        except BaseException as error:  # reported by the assertion below
            failures.append(error)
        viewed.set()

    with write_transaction(sessions) as session:
        query = for_a_step(select(CaseReview).where(CaseReview.reference == reference))
        case = session.execute(query).unique().scalar_one()
        viewer = threading.Thread(target=view)
        viewer.start()
        # Long enough for PostgreSQL's deadlock check (1 s) had the two been waiting.
        viewed.wait(2)
        apply(session, case, "acknowledge", {"version": 1}, MANAGER, SAMPLE_NOW, policy)
    viewer.join(30)
    assert failures == []
    with write_transaction(sessions) as session:
        events = session.scalars(
            select(AuditEvent.event)
            .join(CaseReview, AuditEvent.case_id == CaseReview.id)
            .where(CaseReview.reference == reference)
        ).all()
        assert sorted(events) == ["acknowledge", "open", "viewed"]
