"""The proof that a step is added by its declaration alone: the test-only process of
``second_process.py`` (a review by the housing ombudsman between "threshold not met" and
"closed", under names production never uses) runs end to end through the service, a page's
form, the letters, the reminders and the history import, with no production module changed
for it."""

from __future__ import annotations

import dataclasses
import io
from datetime import date

import pytest
from sqlalchemy import select

from notifications.compose import compose
from notifications.reminders import queue_reminders
from notifications.senders import FileSender
from tests.factories import MANAGER, SAMPLE_NOW, at, new_case, one_incident
from tests.workflows.second_process import (
    ASK,
    OMBUDSMAN_REVIEW,
    TEMPLATES,
    VERDICT,
    WITH_OMBUDSMAN_REVIEW,
    AskOmbudsmanIn,
)
from tests.workflows.test_process import gaps
from triggers.accounts import create_user
from triggers.calendar import english_date
from triggers.db import read_session, write_transaction
from triggers.models import AuditEvent, CaseReview, OutboxMessage
from triggers.policy import Policy
from web.step_forms import make_form
from workflows.case_review import CASE_REVIEW, PROCESSES
from workflows.deadlines import find
from workflows.history_import import ImportRefused, check_file, columns, import_cases
from workflows.service import apply
from workflows.sweep import sweep

PROCESS = WITH_OMBUDSMAN_REVIEW
RECEIVED_ON = date(2025, 11, 20)


def test_the_second_process_is_whole():
    assert gaps(PROCESS, TEMPLATES) == []
    assert f"threshold_not_met --> {OMBUDSMAN_REVIEW}: {ASK}" in PROCESS.mermaid_diagram()
    assert PROCESS.allowed_events("threshold_not_met") == ["appeal", ASK, "close", "withdraw"]
    # Nothing in production knows these names: only reading the declaration finds them.
    for name in (OMBUDSMAN_REVIEW, ASK, VERDICT, "ombudsman_verdict", "ombudsman_review_asked"):
        assert name not in CASE_REVIEW.state_names + CASE_REVIEW.events + list(CASE_REVIEW.clock)


def _letters(session, case, kind):  # type: ignore[no-untyped-def]
    return session.scalars(
        select(OutboxMessage).where(OutboxMessage.case_id == case.id, OutboxMessage.kind == kind)
    ).all()


def test_a_case_goes_through_the_local_policing_body_review(
    sessions, partnership, policy, config, app, monkeypatch, tmp_path
):
    # Version 2 of the process, as a release would add it: new cases open under it, and the
    # service, the sweep and the pages read it from the case.
    monkeypatch.setitem(PROCESSES, PROCESS.version, PROCESS)
    config = dataclasses.replace(
        config, mail=dataclasses.replace(config.mail, templates_folder=str(TEMPLATES))
    )
    app.config["WTF_CSRF_ENABLED"] = False
    today = SAMPLE_NOW.date()
    with write_transaction(sessions) as session:
        case = new_case(
            session,
            partnership,
            policy,
            received_on=RECEIVED_ON,
            incidents=one_incident(RECEIVED_ON),
        )
        assert case.workflow_version == PROCESS.version
        apply(session, case, "acknowledge", {}, MANAGER, SAMPLE_NOW, policy)
        not_met = {"decision": "not_met", "rationale": "One incident, one complaint."}
        apply(session, case, "decide_threshold", not_met, MANAGER, SAMPLE_NOW, policy)
        # The step's form, as the case page would post it.
        event = ASK
        posted = {f"{event}-grounds": "The panel ignored the hate element.", f"{event}-version": ""}
        with app.test_request_context(method="POST", data=posted):
            from flask import request

            form = make_form(event, config, [], case.version, request.form, PROCESS)
            assert form.validate(), form.errors
            data = form.data_for_service()
        apply(session, case, event, data, MANAGER, SAMPLE_NOW, policy)

        assert case.state == OMBUDSMAN_REVIEW
        assert find(case, "appeal_window").status == "met"
        limit = find(case, "ombudsman_verdict")
        assert limit.status == "running"
        assert limit.due_on == policy.calendar.add_working_days(today, 20) == date(2025, 12, 31)
        (requested,) = _letters(session, case, "ombudsman_review_asked")
        assert requested.recipient == "applicant"
        letter = compose(session, requested, config, today, PROCESS)
        assert letter.subject.startswith("Your request for the housing ombudsman's review")
        assert f"will give a verdict by {english_date(limit.due_on)}" in letter.body

    # Staff are reminded of the body's limit, in the clock's own words.
    with write_transaction(sessions) as session:
        password = "correct horse battery staple"
        create_user(
            session,
            session.merge(partnership),
            "manager@example.org",
            password,
            "manager",
            SAMPLE_NOW,
        )
        # Production's version knows no such clock: only the case's own version reminds it.
        assert queue_reminders(session, policy, at(2025, 12, 31, 9), CASE_REVIEW) == 0
    # The sweep as the partnership runs it: with its templates folder, where the letter is.
    sender = FileSender(tmp_path, "casereview@example.org")
    assert sweep(sessions, Policy.from_config(config), sender, at(2025, 12, 31, 9)).queued == 1
    sent = [path.read_text() for path in tmp_path.glob("*.eml")]
    assert any("housing ombudsman's verdict" in text for text in sent)
    assert any("Your request for the housing ombudsman's review" in text for text in sent)
    with write_transaction(sessions) as session:
        case = session.merge(case)
        (reminder,) = _letters(session, case, "reminder")
        assert reminder.payload["step"] == "ombudsman_verdict"
        message = compose(session, reminder, config, date(2025, 12, 31), PROCESS)
        assert message.subject == f"Due today: housing ombudsman's verdict for {case.reference}"

    # The case page offers the case's own version's next step, with its form and title.
    client = app.test_client()
    signed_in = client.post("/sign-in", data={"email": "manager@example.org", "password": password})
    assert signed_in.status_code == 302
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Record the housing ombudsman&#39;s verdict" in page
    assert "With the housing ombudsman" in page
    assert f'action="/cases/{case.reference}/events/{VERDICT}"' in page

    with write_transaction(sessions) as session:
        case = session.merge(case)
        not_upheld = {"outcome": "not_upheld", "reason": "The decision was reasonable."}
        later = at(2025, 12, 10)
        apply(
            session,
            case,
            VERDICT,
            not_upheld,
            MANAGER,
            later,
            policy,
            PROCESS,
        )
        assert case.state == "closed"
        assert {d.step: d.status for d in case.deadlines}["ombudsman_verdict"] == "met"
        assert all(d.status != "running" for d in case.deadlines)
        assert len(_letters(session, case, "closure")) == 1


def test_an_upheld_review_restarts_the_panel_clock(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case = new_case(
            session,
            partnership,
            policy,
            received_on=RECEIVED_ON,
            incidents=one_incident(RECEIVED_ON),
        )
        for event, data in [
            ("acknowledge", {}),
            ("decide_threshold", {"decision": "not_met", "rationale": "One incident."}),
            (ASK, {"grounds": "Not all reports were counted."}),
            (VERDICT, {"outcome": "upheld", "reason": "Reports missed."}),
        ]:
            apply(session, case, event, data, MANAGER, SAMPLE_NOW, policy, PROCESS)
        assert case.state == "threshold_met"
        panel = find(case, "panel")
        assert panel.status == "running"
        assert panel.due_on == policy.calendar.add_working_days(SAMPLE_NOW.date(), 28)


def test_past_cases_through_the_new_step_are_imported_from_its_own_columns(
    sessions, partnership, policy, monkeypatch
):
    """The history import reads the step's columns from its declaration, replays the row on
    the newest version and records the step with the step's own recorder."""
    # The request's own recorder, watched: the import calls it, as the service would.
    recorded = []

    def record(session, case, event_in, on, actor, policy, outcome):  # type: ignore[no-untyped-def]
        recorded.append((type(event_in), on))
        return {}

    process = dataclasses.replace(
        PROCESS,
        steps=tuple(
            dataclasses.replace(step, record=record) if step.event == ASK else step
            for step in PROCESS.steps
        ),
    )
    monkeypatch.setitem(PROCESSES, process.version, process)
    assert {"ombudsman_asked_on", "ombudsman_outcome", "ombudsman_verdict_on"} <= set(
        columns(process)
    )
    text = (
        "reference,received_on,acknowledged_on,threshold_decision,threshold_decided_on,"
        "ombudsman_asked_on,ombudsman_outcome,ombudsman_verdict_on,panel_held_on\n"
        "CT-2025-001,2025-03-03,2025-03-05,not_met,2025-03-12,2025-03-20,,,\n"
        "CT-2025-002,2025-03-03,2025-03-05,not_met,2025-03-12,2025-03-20,upheld,2025-04-10,"
        "2025-05-01\n"
        "CT-2025-003,2025-03-03,2025-03-05,not_met,2025-03-12,2025-03-20,not_upheld,,\n"
    )
    with write_transaction(sessions) as session:
        plan = check_file(
            io.StringIO(text), session, policy, SAMPLE_NOW.date(), session.merge(partnership)
        )
        assert plan.process is process
        assert [step.event for step in plan.new[1].steps] == [
            "acknowledge",
            "decide_threshold",
            ASK,
            VERDICT,
            "schedule_panel",
            "record_review",
        ]
        import_cases(session, plan, policy, SAMPLE_NOW, "ombudsman.csv")
    assert recorded == [(AskOmbudsmanIn, date(2025, 3, 20))] * 3
    with read_session(sessions) as session:
        cases = {
            case.reference: case
            for case in session.scalars(select(CaseReview).order_by(CaseReview.reference))
        }
        asked, upheld, not_upheld = cases.values()
        assert {case.workflow_version for case in cases.values()} == {PROCESS.version}
        assert asked.state == OMBUDSMAN_REVIEW
        verdict = find(asked, "ombudsman_verdict")
        assert (verdict.status, verdict.started_on) == ("running", date(2025, 3, 20))
        assert upheld.state == "review_complete"
        assert find(upheld, "ombudsman_verdict").ended_on == date(2025, 4, 10)
        # Without a date of its own, the verdict is dated by the request.
        assert not_upheld.state == "closed"
        assert find(not_upheld, "ombudsman_verdict").ended_on == date(2025, 3, 20)
        events = session.scalars(
            select(AuditEvent.event).where(AuditEvent.case_id == upheld.id).order_by(AuditEvent.id)
        ).all()
        assert ASK in events and VERDICT in events

    # A row the new step cannot follow is refused with the step's own words.
    wrong = (
        "reference,received_on,acknowledged_on,threshold_decision,threshold_decided_on,"
        "ombudsman_asked_on\nCT-2025-009,2025-03-03,2025-03-05,met,2025-03-12,2025-03-20\n"
    )
    with write_transaction(sessions) as session, pytest.raises(ImportRefused) as refused:
        check_file(
            io.StringIO(wrong), session, policy, SAMPLE_NOW.date(), session.merge(partnership)
        )
    assert refused.value.fields == {
        "line 2, ombudsman_asked_on": "not possible here: the case would be 'threshold_met'; "
        "the ombudsman reviews a 'not met' decision"
    }
