"""Subject access: everything held about one person, found wherever they appear."""

import io
import json
import stat
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests.factories import MANAGER, SAMPLE_NOW, application
from triggers.db import read_session, write_transaction
from triggers.models import AuditEvent, CaseReview
from web.subject_access import as_pdf
from workflows.errors import InvalidData, PermissionDenied
from workflows.service import Actor, open_case
from workflows.subject_access import Subject, find_subject, subject_access_record


def log(session, partnership, policy, received_on, victim_name, email, applicant=None, phone=""):
    data = application(received_on)
    data["victim"].update(name=victim_name, email=email, phone=phone)
    if applicant:
        data["applicant"] = {
            "on_behalf": True,
            "name": applicant[0],
            "email": applicant[1],
            "contact_preference": "email",
            "relationship": "daughter",
            "consent_given_on": received_on.isoformat(),
        }
    return open_case(session, partnership, data, MANAGER, SAMPLE_NOW, policy).reference


def references(cases):
    return [case.reference for case in cases]


def test_an_identifier_finds_a_person_as_victim_and_as_applicant(sessions, partnership, policy):
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
        by_email = find_subject(session, partnership.id, Subject(email=" Rose@Example.org "))
        nobody = find_subject(session, partnership.id, Subject())
    assert references(by_email.matched) == [first, second, for_mother]
    assert by_email.candidates == []
    assert nobody.matched == [] and nobody.candidates == []


def test_a_name_alone_only_proposes_candidates(sessions, partnership, policy):
    """Two people called John Smith: one's case never goes to the other unasked (issue 16)."""
    with write_transaction(sessions) as session:
        mine = log(session, partnership, policy, date(2025, 6, 2), "John Smith", "j1@example.org")
        theirs = log(session, partnership, policy, date(2025, 7, 1), "JOHN SMITH", "j2@example.org")
        case = session.scalar(select(CaseReview).where(CaseReview.reference == mine))
        found = find_subject(session, partnership.id, Subject.of_victim(case), case)
        by_name = find_subject(session, partnership.id, Subject(name="John Smith"))
        assert references(found.matched) == [mine]
        assert references(found.candidates) == [theirs]
        assert references(found.chosen([])) == [mine]
        assert references(found.chosen([theirs.lower()])) == [mine, theirs]
        assert by_name.matched == [] and references(by_name.candidates) == [mine, theirs]
        with pytest.raises(InvalidData) as refused:
            found.chosen(["CT-1999-999"])
        assert "CT-1999-999 is not a case with this person's name" in refused.value.message


def test_a_phone_number_matches_however_it_is_spaced(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        mine = log(
            session, partnership, policy, date(2025, 6, 2), "Ann Lee", "", phone="07700 900123"
        )
        again = log(
            session, partnership, policy, date(2025, 7, 1), "A. Lee", "", phone="+447700-900123"
        )
        # Nobody's empty e-mail or phone matches anybody else's empty one.
        log(session, partnership, policy, date(2025, 8, 1), "Other Person", "", phone="")
        case = session.scalar(select(CaseReview).where(CaseReview.reference == mine))
        found = find_subject(session, partnership.id, Subject.of_victim(case), case)
    assert references(found.matched) == [mine, again] and found.candidates == []


def test_the_record_holds_the_cases_their_trails_and_is_itself_audited(
    sessions, partnership, policy
):
    with write_transaction(sessions) as session:
        reference = log(session, partnership, policy, date(2025, 6, 2), "Rose Patel", "r@e.org")
        cases = find_subject(session, partnership.id, Subject(email="r@e.org")).matched
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
    out = tmp_path / "export"
    result = run("subject-access", "--email", "r@e.org", "--out", str(out))
    assert result.exit_code == 0, result.output
    # Everything held about a person: readable by the service's account alone.
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    for name in ("subject-access.json", "subject-access.pdf"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o600
    tmp_path = out
    assert f"Cases found: {reference}" in result.output
    assert (tmp_path / "subject-access.pdf").read_bytes().startswith(b"%PDF")
    assert json.loads((tmp_path / "subject-access.json").read_text())["cases"][0]["reference"] == (
        reference
    )
    refused = run("subject-access", "--out", str(tmp_path))
    assert refused.exit_code == 2 and "--email, --phone or --name" in refused.output


def test_the_command_line_lists_name_only_candidates_and_includes_those_confirmed(
    run, sessions, partnership, policy, tmp_path
):
    with write_transaction(sessions) as session:
        mine = log(session, partnership, policy, date(2025, 6, 2), "John Smith", "j1@e.org")
        theirs = log(session, partnership, policy, date(2025, 7, 1), "John Smith", "j2@e.org")
    listed = run("subject-access", "--case", mine, "--out", str(tmp_path))
    assert listed.exit_code == 0, listed.output
    assert f"Cases found: {mine}." in listed.output
    assert "Not included" in listed.output and f"{theirs}  John Smith, j2@e.org" in listed.output
    exported = json.loads((tmp_path / "subject-access.json").read_text())
    assert [case["reference"] for case in exported["cases"]] == [mine]

    by_name = run(
        "subject-access", "--name", "John Smith", "--include", theirs, "--out", str(tmp_path)
    )
    assert by_name.exit_code == 0, by_name.output
    assert f"Cases found: {theirs}." in by_name.output and f"{mine}  John Smith" in by_name.output

    slipped = run(
        "subject-access", "--email", "j1@e.org", "--include", "CT-1999-999", "--out", str(tmp_path)
    )
    assert slipped.exit_code != 0 and "is not a case with this person's name" in slipped.output


def test_only_the_manager_may_export(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        log(session, partnership, policy, date(2025, 6, 2), "Rose Patel", "r@e.org")
        cases = find_subject(session, partnership.id, Subject(email="r@e.org")).matched
        with pytest.raises(PermissionDenied):
            subject_access_record(
                session, cases, policy, Actor("v@e.org", role="viewer"), SAMPLE_NOW, {}
            )
