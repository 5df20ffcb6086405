"""Letters and e-mails read as sent, with their delivery history, from the case page."""

import re
from datetime import timedelta

from sqlalchemy import select

from tests.factories import SAMPLE_NOW
from tests.notifications.conftest import mailbox, smtp  # noqa: F401 a real SMTP server
from tests.web.test_access import sign_in
from triggers.db import read_session, write_transaction
from triggers.models import AuditEvent, CaseReview, MessageDelivery, OutboxMessage
from workflows.sweep import sweep


def findings_letter(sessions, reference):
    with read_session(sessions) as session:
        case_id = session.scalar(select(CaseReview.id).where(CaseReview.reference == reference))
        return session.scalar(
            select(OutboxMessage.id).where(
                OutboxMessage.case_id == case_id, OutboxMessage.kind == "findings"
            )
        )


def test_the_manager_reads_the_letter_as_sent_and_its_delivery_history(
    app,
    world,
    sessions,
    policy,
    smtp,  # noqa: F811
    mailbox,  # noqa: F811
):
    mailbox.fail_next = ["451 4.3.0 Try later"]  # the first message sent meets a busy server
    sweep(sessions, policy, smtp, SAMPLE_NOW)
    sweep(sessions, policy, smtp, SAMPLE_NOW + timedelta(hours=2))
    reference = world["case"]
    letter = findings_letter(sessions, reference)
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    case_page = client.get(f"/cases/{reference}").get_data(as_text=True)
    assert f"/cases/{reference}/messages/{letter}" in case_page
    page = client.get(f"/cases/{reference}/messages/{letter}").get_data(as_text=True)
    sent = next(m for m in mailbox.messages if m["X-Casereview-Kind"] == "findings")
    assert sent["Subject"] in page and "alex@example.org" in page
    assert sent["Message-ID"].strip("<>") in page
    body = re.search(r'id="letter-body">(.*?)</div>', page, re.S).group(1)
    assert sent.get_content().replace("\r\n", "\n").strip()[:200].replace("'", "&#39;") in body
    assert "Sent" in re.search(r'id="history">(.*?)</table>', page, re.S).group(1)
    # The message that met the busy server shows the failed attempt, then the one that went.
    with read_session(sessions) as session:
        first = session.scalars(select(OutboxMessage).where(OutboxMessage.attempts == 2)).first()
        first_id, first_case = first.id, session.get(CaseReview, first.case_id).reference
    history = client.get(f"/cases/{first_case}/messages/{first_id}").get_data(as_text=True)
    assert "Not sent; will retry" in history and "451 4.3.0 Try later" in history
    assert history.index("Not sent; will retry") < history.index(
        '<td class="govuk-table__cell">Sent</td>'
    )


def test_only_the_manager_of_the_case_reads_its_messages(app, world, sessions):
    reference = world["case"]
    letter = findings_letter(sessions, reference)
    for role, expected in (("viewer", 403), ("agency-in", 403), ("other-manager", 404)):
        client = app.test_client()
        sign_in(client, world["users"][role])
        assert client.get(f"/cases/{reference}/messages/{letter}").status_code == expected
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    assert client.get(f"/cases/{reference}/messages/{letter}").status_code == 200
    assert "Not sent yet" in client.get(f"/cases/{reference}/messages/{letter}").get_data(
        as_text=True
    )
    assert client.get(f"/cases/{reference}/messages/{letter}/letter.pdf").status_code == 404
    assert client.get(f"/cases/{reference}/messages/999999").status_code == 404


def test_the_letter_as_printed_is_downloaded_and_its_reading_recorded(app, world, sessions):
    """A posted letter's PDF, as the applicant received it: served (not a 500 from a row read
    after its session closed), and its reading a view of the case in the audit trail."""
    reference = world["case"]
    letter = findings_letter(sessions, reference)
    with write_transaction(sessions) as session:
        session.add(
            MessageDelivery(
                message_id=letter, at=SAMPLE_NOW, outcome="sent", pdf=b"%PDF-1.7 as printed"
            )
        )
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    answer = client.get(f"/cases/{reference}/messages/{letter}/letter.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.data == b"%PDF-1.7 as printed"
    assert f"{reference}-findings.pdf" in answer.headers["Content-Disposition"]
    with read_session(sessions) as session:
        last = session.scalars(
            select(AuditEvent).where(AuditEvent.event == "viewed").order_by(AuditEvent.id.desc())
        ).first()
        assert last.data == {"what": "letter PDF"}
