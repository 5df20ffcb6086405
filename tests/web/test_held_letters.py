"""A letter kind held for approval: read, edited (audited, original kept), approved, sent."""

import dataclasses
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests.factories import EVENT_DATA, MANAGER, SAMPLE_NOW, case_in_state
from tests.notifications.conftest import mailbox, smtp  # noqa: F401 a real SMTP server
from tests.web.test_access import csrf, sign_in
from triggers.db import read_session, write_transaction
from triggers.models import AuditEvent, OutboxMessage
from triggers.policy import Policy
from workflows.service import apply
from workflows.sweep import sweep


def findings_to(mailbox, reference):  # noqa: F811
    return [
        m
        for m in mailbox.messages
        if m["X-Casereview-Kind"] == "findings" and m["X-Casereview-Reference"] == reference
    ]


@pytest.fixture
def held(config, engine, world, sessions, partnership):
    """The app with findings letters held, and a case whose findings were just sent."""
    from web.app import create_app

    holding = dataclasses.replace(
        config, mail=dataclasses.replace(config.mail, hold_for_approval=("findings",))
    )
    policy = Policy.from_config(holding)
    app = create_app(holding, engine=engine)
    app.config["TESTING"] = True
    app.extensions["casereview"].clock = lambda: SAMPLE_NOW
    with write_transaction(sessions) as session:
        case = case_in_state(session, session.merge(partnership), policy, "review_complete")
        apply(
            session, case, "send_findings", EVENT_DATA["send_findings"], MANAGER, SAMPLE_NOW, policy
        )
        letter = session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.case_id == case.id, OutboxMessage.kind == "findings"
            )
        )
        assert letter.status == "held"
        return app, policy, case.reference, letter.id


def test_the_manager_edits_and_approves_and_the_applicant_gets_the_edit(
    held,
    world,
    sessions,
    smtp,  # noqa: F811
    mailbox,  # noqa: F811
):
    app, policy, reference, letter = held
    sweep(sessions, policy, smtp, SAMPLE_NOW)
    assert findings_to(mailbox, reference) == []  # it waits
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    tasks = client.get("/tasks").get_data(as_text=True)
    assert (
        f'href="/cases/{reference}/messages/{letter}">Read and approve the findings letter' in tasks
    )
    page = client.get(f"/cases/{reference}/messages/{letter}").get_data(as_text=True)
    assert "This letter waits for your approval" in page
    original = re.search(r'id="letter-body">(.*?)</div>', page, re.S).group(1)
    assert "What the panel found" in original
    path = f"/cases/{reference}/messages/{letter}"
    refused = client.post(f"{path}/edit", data={"csrf_token": csrf(client, path), "body": "  "})
    assert refused.status_code == 400 and "Enter the letter" in refused.get_data(as_text=True)
    edited = "Dear Alex Morgan,\n\nThe panel met and found that reports were not linked.\n"
    client.post(f"{path}/edit", data={"csrf_token": csrf(client, path), "body": edited})
    assert "reports were not linked" in client.get(path).get_data(as_text=True)
    client.post(f"{path}/approve", data={"csrf_token": csrf(client, path)})
    assert "Read and approve" not in client.get("/tasks").get_data(as_text=True)
    sweep(sessions, policy, smtp, SAMPLE_NOW)
    [sent] = findings_to(mailbox, reference)
    assert sent.get_content().replace("\r\n", "\n") == edited
    assert sent["To"] == "alex@example.org"
    with read_session(sessions) as session:
        events = {
            e.event: e.data
            for e in session.scalars(select(AuditEvent).where(AuditEvent.event.like("letter_%")))
        }
    assert events["letter_edited"]["edited"] == edited
    assert "What the panel found" in events["letter_edited"]["original"]
    assert events["letter_approved"] == {"message": letter, "kind": "findings", "edited": True}
    # Approved once: a second approval is refused, nothing changes.
    again = client.post(f"{path}/approve", data={"csrf_token": csrf(client, path)})
    assert "not waiting for approval" in client.get(again.location).get_data(as_text=True)


def test_a_cancelled_letter_never_goes(held, world, sessions, smtp, mailbox):  # noqa: F811
    app, policy, reference, letter = held
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    path = f"/cases/{reference}/messages/{letter}"
    client.post(f"{path}/cancel", data={"csrf_token": csrf(client, path)})
    sweep(sessions, policy, smtp, SAMPLE_NOW)
    assert findings_to(mailbox, reference) == []
    assert "Cancelled: it was not sent" in client.get(path).get_data(as_text=True)


def test_only_a_manager_approves(held, world):
    app, _, reference, letter = held
    client = app.test_client()
    sign_in(client, world["users"]["viewer"])
    path = f"/cases/{reference}/messages/{letter}"
    token = csrf(client, "/tasks")
    assert client.post(f"{path}/approve", data={"csrf_token": token}).status_code == 403


def test_a_reminder_for_the_case_says_its_letter_is_waiting(
    config,
    world,
    sessions,
    partnership,
    smtp,  # noqa: F811
    mailbox,  # noqa: F811
):
    """While the acknowledgement waits for approval the applicant has not had it, though the
    threshold decision's clock runs: that clock's reminder tells the managers so."""
    holding = dataclasses.replace(
        config, mail=dataclasses.replace(config.mail, hold_for_approval=("acknowledgement",))
    )
    policy = Policy.from_config(holding)
    with write_transaction(sessions) as session:
        case = case_in_state(session, session.merge(partnership), policy, "acknowledged")
        reference = case.reference
        due = next(d.due_on for d in case.deadlines if d.step == "threshold_decision")
    sweep(sessions, policy, smtp, datetime(due.year, due.month, due.day, 9, tzinfo=UTC))
    reminders = [
        m
        for m in mailbox.messages
        if m["X-Casereview-Kind"] in ("reminder", "escalation")
        and m["X-Casereview-Reference"] == reference
    ]
    assert reminders
    body = reminders[0].get_body(("plain",)).get_content()
    assert "Waiting for a manager's approval on My tasks, so not yet sent: the acknowledgement" in (
        " ".join(body.split())
    )
