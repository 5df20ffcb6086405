"""The proof that a step is added by its declaration alone: the test-only process of
``second_process.py`` (a local policing body review between "threshold not met" and
"closed") runs end to end through the service, a page's form, the letters and the
reminders, with no production module changed for it."""

from __future__ import annotations

import dataclasses
from datetime import date

from sqlalchemy import select

from notifications.compose import compose
from notifications.reminders import queue_reminders
from notifications.senders import FileSender
from tests.factories import MANAGER, SAMPLE_NOW, at, new_case, one_incident
from tests.workflows.second_process import TEMPLATES, WITH_POLICING_BODY_REVIEW
from tests.workflows.test_process import gaps
from triggers.accounts import create_user
from triggers.calendar import english_date
from triggers.db import write_transaction
from triggers.models import OutboxMessage
from web.step_forms import make_form
from workflows.case_review import CASE_REVIEW, PROCESSES
from workflows.deadlines import find
from workflows.service import apply
from workflows.sweep import sweep

PROCESS = WITH_POLICING_BODY_REVIEW
RECEIVED_ON = date(2025, 11, 20)


def test_the_second_process_is_whole():
    assert gaps(PROCESS, TEMPLATES) == []
    assert "threshold_not_met --> policing_body_review: request_policing_body_review" in (
        PROCESS.mermaid_diagram()
    )
    assert PROCESS.allowed_events("threshold_not_met") == [
        "appeal",
        "request_policing_body_review",
        "close",
        "withdraw",
    ]


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
        event = "request_policing_body_review"
        posted = {f"{event}-grounds": "The panel ignored the hate element.", f"{event}-version": ""}
        with app.test_request_context(method="POST", data=posted):
            from flask import request

            form = make_form(event, config, [], case.version, request.form, PROCESS)
            assert form.validate(), form.errors
            data = form.data_for_service()
        apply(session, case, event, data, MANAGER, SAMPLE_NOW, policy)

        assert case.state == "policing_body_review"
        assert find(case, "appeal_window").status == "met"
        limit = find(case, "policing_body_decision")
        assert limit.status == "running"
        assert limit.due_on == policy.calendar.add_working_days(today, 20) == date(2025, 12, 31)
        (requested,) = _letters(session, case, "policing_body_review_requested")
        assert requested.recipient == "applicant"
        letter = compose(session, requested, config, today, PROCESS)
        assert letter.subject.startswith("Your request for a review by the local policing body")
        assert f"will decide it by {english_date(limit.due_on)}" in letter.body

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
    sender = FileSender(tmp_path, "casereview@example.org")
    assert sweep(sessions, policy, sender, at(2025, 12, 31, 9)).queued == 1
    sent = [path.read_text() for path in tmp_path.glob("*.eml")]
    assert any("local policing body's decision" in text for text in sent)
    with write_transaction(sessions) as session:
        case = session.merge(case)
        (reminder,) = _letters(session, case, "reminder")
        assert reminder.payload["step"] == "policing_body_decision"
        message = compose(session, reminder, config, date(2025, 12, 31), PROCESS)
        assert message.subject == (
            f"Due today: local policing body's decision for {case.reference}"
        )

    # The case page offers the case's own version's next step, with its form and title.
    client = app.test_client()
    signed_in = client.post("/sign-in", data={"email": "manager@example.org", "password": password})
    assert signed_in.status_code == 302
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Record the local policing body&#39;s decision" in page
    assert f'action="/cases/{case.reference}/events/decide_policing_body_review"' in page

    with write_transaction(sessions) as session:
        case = session.merge(case)
        not_upheld = {"outcome": "not_upheld", "reason": "The decision was reasonable."}
        later = at(2025, 12, 10)
        apply(
            session,
            case,
            "decide_policing_body_review",
            not_upheld,
            MANAGER,
            later,
            policy,
            PROCESS,
        )
        assert case.state == "closed"
        assert {d.step: d.status for d in case.deadlines}["policing_body_decision"] == "met"
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
            ("request_policing_body_review", {"grounds": "Not all reports were counted."}),
            ("decide_policing_body_review", {"outcome": "upheld", "reason": "Reports missed."}),
        ]:
            apply(session, case, event, data, MANAGER, SAMPLE_NOW, policy, PROCESS)
        assert case.state == "threshold_met"
        panel = find(case, "panel")
        assert panel.status == "running"
        assert panel.due_on == policy.calendar.add_working_days(SAMPLE_NOW.date(), 28)
