"""Reading a letter's page (names, address, the letter's text) is a view of personal data."""

from sqlalchemy import select

from tests.web.test_access import sign_in
from tests.web.test_messages_page import findings_letter
from triggers.db import read_session
from triggers.models import AuditEvent


def _views(sessions):
    with read_session(sessions) as session:
        return session.scalars(
            select(AuditEvent.data).where(AuditEvent.event == "viewed").order_by(AuditEvent.id)
        ).all()


def test_reading_a_letter_records_a_view(app, world, sessions):
    """demonstrates: web/messages.py message_page (and letter.pdf) read the letter, its
    recipient's address and the text as sent in a read_session and record no 'viewed'
    event, while the case page, the panel pack, the API and the documents do
    (workflows.service.record_view): a letter can be read, and its PDF downloaded, with no
    trace in the audit trail."""
    reference = world["case"]
    letter = findings_letter(sessions, reference)
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    before = _views(sessions)
    assert client.get(f"/cases/{reference}/messages/{letter}").status_code == 200
    after = _views(sessions)
    assert len(after) == len(before) + 1, after[len(before) :]


def test_previewing_a_letter_with_a_case_records_a_view(app, world, sessions):
    """A preview on the Letters page renders the chosen case's names and address: a view of
    its personal data like reading the letter (found by the outside review of issue 17's
    changes); a preview with no case reads nobody's."""
    from tests.web.test_access import csrf

    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    text = "Subject: About {{ reference }}\nDear {{ recipient_name }},\n"
    before = _views(sessions)
    data = {"text": text, "case": world["case"], "preview": "Preview"}
    page = client.post("/letters/findings", data={"csrf_token": csrf(client, "/letters"), **data})
    assert page.status_code == 200 and "Dear " in page.get_data(as_text=True)
    after = _views(sessions)
    assert [view["what"] for view in after[len(before) :]] == ["letter preview"]
    nobody = {"text": text, "preview": "Preview"}
    client.post("/letters/findings", data={"csrf_token": csrf(client, "/letters"), **nobody})
    assert len(_views(sessions)) == len(after)
