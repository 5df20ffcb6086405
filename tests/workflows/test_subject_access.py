"""Subject access: everything held about one person, found wherever they appear."""

import io
import json
from datetime import date

from pypdf import PdfReader
from sqlalchemy import select

from tests.factories import MANAGER, SAMPLE_NOW, application
from triggers.db import read_session, write_transaction
from triggers.models import AuditEvent
from web.subject_access import as_pdf
from workflows.service import open_case
from workflows.subject_access import find_subject_cases, subject_access_record


def log(session, partnership, policy, received_on, victim_name, email, applicant=None):
    data = application(received_on)
    data["victim"].update(name=victim_name, email=email)
    if applicant:
        data["applicant"] = {
            "on_behalf": True,
            "name": applicant[0],
            "email": applicant[1],
            "relationship": "daughter",
            "consent_given_on": received_on.isoformat(),
        }
    return open_case(session, partnership, data, MANAGER, SAMPLE_NOW, policy).reference


def test_a_person_is_found_as_victim_and_as_applicant(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        first = log(
            session, partnership, policy, date(2025, 6, 2), "Rose Patel", "rose@example.org"
        )
        second = log(
            session, partnership, policy, date(2025, 9, 1), "ROSE PATEL", "ROSE@example.org"
        )
        for_mother = log(
            session,
            partnership,
            policy,
            date(2025, 10, 1),
            "Asha Patel",
            "asha@example.org",
            applicant=("Rose Patel", "rose@example.org"),
        )
        log(session, partnership, policy, date(2025, 10, 1), "Someone Else", "else@example.org")
        by_email = find_subject_cases(session, partnership.id, email=" Rose@Example.org ")
        by_name = find_subject_cases(session, partnership.id, name="rose patel")
        nobody = find_subject_cases(session, partnership.id)
    assert [case.reference for case in by_email] == [first, second, for_mother]
    assert [case.reference for case in by_name] == [first, second, for_mother]
    assert nobody == []


def test_the_record_holds_the_cases_their_trails_and_is_itself_audited(
    sessions, partnership, policy
):
    with write_transaction(sessions) as session:
        reference = log(session, partnership, policy, date(2025, 6, 2), "Rose Patel", "r@e.org")
        cases = find_subject_cases(session, partnership.id, email="r@e.org")
        record = subject_access_record(
            session, cases, policy, MANAGER, SAMPLE_NOW, {"email": "r@e.org"}
        )
    [held] = record["cases"]
    assert held["reference"] == reference and held["victim"]["name"] == "Rose Patel"
    assert held["incidents"][0]["description"] == "Stones thrown at the window"
    assert [event["event"] for event in held["audit_trail"]] == ["open", "viewed"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(as_pdf(record))).pages)
    assert "Rose Patel" in text and "Stones thrown at the window" in text
    assert "Who has seen or changed this case" in text
    with read_session(sessions) as session:
        export = session.scalar(select(AuditEvent).where(AuditEvent.event == "viewed"))
        assert export.data == {"what": "subject access export"}


def test_subject_access_from_the_command_line(run, sessions, partnership, policy, tmp_path):
    with write_transaction(sessions) as session:
        reference = log(session, partnership, policy, date(2025, 6, 2), "Rose Patel", "r@e.org")
    result = run("subject-access", "--email", "r@e.org", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert f"Cases found: {reference}" in result.output
    assert (tmp_path / "subject-access.pdf").read_bytes().startswith(b"%PDF")
    assert json.loads((tmp_path / "subject-access.json").read_text())["cases"][0]["reference"] == (
        reference
    )
    refused = run("subject-access", "--out", str(tmp_path))
    assert refused.exit_code == 2 and "--email or --name" in refused.output
