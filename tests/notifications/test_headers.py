"""What people typed never breaks a message's headers, and one address is one recipient."""

from datetime import date

import pytest

from notifications.compose import compose
from notifications.senders import OutgoingMessage, SendError
from tests.notifications.test_letters import message_for, walk
from triggers.db import write_transaction
from workflows.case_review import CASE_REVIEW


def test_a_name_with_a_line_break_still_gives_a_letter_to_print_and_post(
    sessions, partnership, policy, config, people, smtp, mailbox
):
    """A name stored before the one-line rule (or by hand) must not fail every retry."""
    with write_transaction(sessions) as session:
        case = walk(session, partnership, policy)
        case.victim.contact_preference = "letter"
        case.victim.name = "Alex\r\nBcc: someone@example.net\x1b Morgan"
        case.victim.address = "12 Park Road\nLoughborough"
        session.flush()
        message = compose(
            session,
            message_for(session, case, "acknowledgement"),
            config,
            date(2025, 4, 22),
            CASE_REVIEW,
        )
    smtp.send(message)
    [sent] = mailbox.messages
    assert sent["Subject"].startswith("To print and post to Alex Bcc: someone@example.net Morgan:")
    assert sent["Bcc"] is None
    assert sent["To"] == "manager@example.org"


@pytest.mark.parametrize(
    "address", ["a@example.org,bob", "a@example.org, b@example.org", "Bob <a@example.org>", "a@"]
)
def test_a_recipient_that_is_not_exactly_one_address_is_refused_for_good(smtp, mailbox, address):
    message = OutgoingMessage(
        to=(address,), subject="Your application", body="Hello", message_id="<1@example.org>"
    )
    with pytest.raises(SendError) as refused:
        smtp.send(message)
    assert refused.value.temporary is False
    assert "is not an e-mail address" in str(refused.value)
    assert mailbox.messages == []


def test_header_values_from_anywhere_are_kept_on_one_line(smtp, mailbox):
    message = OutgoingMessage(
        to=("victim@example.org",),
        subject="Line one\nInjected: yes",
        body="Hello",
        message_id="<2@example.org>",
        headers={"X-Casereview-Reference": "CT-2025-001\r\nX-Evil: 1"},
    )
    smtp.send(message)
    [sent] = mailbox.messages
    assert sent["Subject"] == "Line one Injected: yes"
    assert sent["X-Casereview-Reference"] == "CT-2025-001 X-Evil: 1"
    assert sent["Injected"] is None and sent["X-Evil"] is None
