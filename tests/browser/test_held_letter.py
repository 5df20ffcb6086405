"""A letter held for approval, in a real browser: the manager takes the findings step,
finds the letter on My tasks, reads and edits it, approves it; the applicant receives the
edited text at a real SMTP server, and the audit keeps the original."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.serving import make_server

from tests.browser.conftest import PASSWORD
from tests.browser.pages import assert_accessible, banner, open_step
from tests.factories import case_in_state
from tests.notifications.conftest import mailbox, smtp  # noqa: F401 a real SMTP server
from triggers.db import read_session, write_transaction
from triggers.models import AuditEvent, OutboxMessage
from triggers.policy import Policy
from workflows.sweep import sweep

EDITED = (
    "Dear Alex Morgan,\n\nThe panel met and found that your reports were not linked "
    "between the agencies. Each agency will now flag your address.\n"
)

#: Labels whose ``for`` names more than one element (a label then names the first: not
#: its own field).
AMBIGUOUS_LABELS = """() => [...document.querySelectorAll("label[for]")]
  .map((label) => label.htmlFor)
  .filter((id) => document.querySelectorAll(`[id="${id}"]`).length !== 1)"""


@pytest.fixture
def holding_server(base_config, engine, partnership):
    """The app with findings letters held for approval (mail.hold_for_approval), served
    beside the session's own server (whose config holds nothing)."""
    from web.app import create_app

    config = dataclasses.replace(
        base_config, mail=dataclasses.replace(base_config.mail, hold_for_approval=("findings",))
    )
    app = create_app(config, engine=engine)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", Policy.from_config(config)
    server.shutdown()


def test_the_manager_edits_and_approves_the_held_findings_letter(
    page,
    holding_server,
    sessions,
    partnership,
    staff,
    smtp,  # noqa: F811
    mailbox,  # noqa: F811
):
    site, policy = holding_server
    with write_transaction(sessions) as session:
        reference = case_in_state(session, partnership, policy, "review_complete").reference
    page.goto(f"{site}/sign-in")
    page.get_by_label("E-mail address").fill(staff["manager"])
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/tasks")
    page.goto(f"{site}/cases/{reference}")
    open_step(page, "Send the findings").get_by_role(
        "button", name="Record that the findings were sent"
    ).click()
    assert "The case is now findings sent" in banner(page)

    # The letter waits: a sweep sends nothing, and My tasks asks the manager to read it.
    sweep(sessions, policy, smtp, datetime.now(UTC))
    assert [m for m in mailbox.messages if m["X-Casereview-Kind"] == "findings"] == []
    page.get_by_role("link", name="My tasks").click()
    assert_accessible(page)
    page.get_by_role("link", name="Read and approve the findings letter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Findings")
    expect(page.locator(".govuk-warning-text")).to_contain_text("waits for your approval")
    original = page.locator("#letter-body").inner_text()
    assert "What the panel found" in original
    assert_accessible(page)

    # The label names the text box, not the letter shown above it (both were id "body").
    assert page.evaluate(AMBIGUOUS_LABELS) == []
    page.locator("summary", has_text="Change the text for this case").click()
    page.get_by_label("The letter's text").fill(EDITED)
    page.get_by_role("button", name="Save the text").click()
    assert "It still waits for approval" in banner(page)
    expect(page.locator("#letter-body")).to_contain_text("Each agency will now flag your address.")
    assert_accessible(page)
    page.get_by_role("button", name="Approve and send").click()
    assert "Approved: the findings letter goes within a minute" in banner(page)
    page.get_by_role("link", name="My tasks").click()
    expect(page.get_by_role("link", name="Read and approve the findings letter")).to_have_count(0)

    sweep(sessions, policy, smtp, datetime.now(UTC))
    [sent] = [m for m in mailbox.messages if m["X-Casereview-Kind"] == "findings"]
    assert sent["To"] == "alex@example.org"
    assert sent.get_content().replace("\r\n", "\n") == EDITED
    with read_session(sessions) as session:
        edited = session.scalars(
            select(AuditEvent).where(AuditEvent.event == "letter_edited")
        ).one()
        letter = session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "findings")
        ).one()
        assert edited.data["edited"] == EDITED
        assert "What the panel found" in edited.data["original"]
        assert edited.actor == staff["manager"] and letter.status == "sent"
        letter_id = letter.id
    # The page of the letter as sent shows the edited text and its delivery.
    page.goto(f"{site}/cases/{reference}/messages/{letter_id}")
    expect(page.locator("#letter-body")).to_contain_text("Each agency will now flag your address.")
    expect(page.locator("#history")).to_contain_text("Sent")
    assert_accessible(page)
