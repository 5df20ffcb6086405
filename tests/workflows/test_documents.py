"""Documents and notes: what a case may hold, who may add and read it, every download on
the trail, notes edited while fresh and corrected after, and retention takes them all."""

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import MANAGER, SAMPLE_NOW, application
from tests.workflows.test_retention import closed_case
from triggers.config import ConfigError, config_from_dict
from triggers.db import read_session, write_transaction
from triggers.document_store import DatabaseStore, FolderStore, store_for
from triggers.models import (
    Agency,
    AuditEvent,
    CaseReview,
    Document,
    DocumentContent,
    Note,
    User,
)
from triggers.policy import Policy
from workflows.documents import (
    add_document,
    add_note,
    correct_note,
    described_notes,
    download_document,
    edit_note,
    notes_of,
)
from workflows.errors import CaseNotFound, InvalidData, PermissionDenied
from workflows.retention import run_retention
from workflows.service import Actor, open_case
from workflows.subject_access import subject_access_record

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EML = b"From: victim@example.org\r\nSubject: The noise\r\n\r\nIt went on all night.\r\n"
AUTHOR = Actor(label="manager@example.org", user_id=7, role="manager")


@pytest.fixture(autouse=True)
def people(sessions, partnership):
    """The accounts the actors below are (a note's author is an account)."""
    with write_transaction(sessions) as session:
        for user_id, email, role in (
            (7, "manager@example.org", "manager"),
            (8, "other@example.org", "manager"),
            (9, "officer@example.org", "agency"),
            (10, "viewer@example.org", "viewer"),
        ):
            session.add(
                User(
                    id=user_id,
                    partnership_id=partnership.id,
                    email=email,
                    password_hash="not a hash",
                    role=role,
                    created_at=SAMPLE_NOW,
                )
            )


def police_id(session):
    return session.scalar(select(Agency.id).where(Agency.name == "Leicestershire Police"))


@pytest.fixture
def reference(sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case = open_case(session, partnership, application(), MANAGER, SAMPLE_NOW, policy)
        return case.reference


def case_of(session, reference):
    return session.scalar(select(CaseReview).where(CaseReview.reference == reference))


def upload(sessions, policy, reference, content, actor=AUTHOR, name="chronology.pdf", **data):
    with write_transaction(sessions) as session:
        data = {"title": "Police chronology", "agency": "Leicestershire Police", **data}
        document = add_document(
            session, case_of(session, reference), data, name, content, actor, SAMPLE_NOW, policy
        )
        return document.id


@pytest.mark.parametrize("storage", ["folder", "database"])
def test_a_pdf_is_kept_and_read_back_with_the_download_on_the_trail(
    sessions, config, reference, storage
):
    documents = dataclasses.replace(config.documents, storage=storage)
    policy = Policy.from_config(dataclasses.replace(config, documents=documents))
    document_id = upload(sessions, policy, reference, PDF, name="../../etc/chronology.PDF")
    officer = Actor(label="officer@example.org", user_id=9, role="agency", agency_id=None)
    with write_transaction(sessions) as session:
        officer = dataclasses.replace(officer, agency_id=police_id(session))
        found = download_document(
            session, case_of(session, reference), document_id, officer, SAMPLE_NOW, policy
        )
    assert found.content == PDF and found.media_type == "application/pdf"
    assert found.file_name == "chronology.pdf"
    with read_session(sessions) as session:
        trail = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        downloads = [(e.actor, e.data["document"]) for e in trail if e.event == "download_document"]
        events = [e.event for e in trail]
        stored_in_db = session.scalar(select(func.count()).select_from(DocumentContent))
    assert downloads == [("officer@example.org", document_id)]
    assert events.count("add_document") == 1
    assert stored_in_db == (1 if storage == "database" else 0)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "The selected file is empty"),
        (b"MZ" + b"\0" * 200, "must be a PDF, a Word document"),
        (b"<html><script>alert(1)</script></html>", "must be a PDF, a Word document"),
        (b"PK\x03\x04" + b"\0" * 100, "must be a PDF, a Word document"),
        (b"%PDF-1.4\n" + b"x" * (1024 * 1024 + 1), "must be smaller than 1 MB"),
    ],
)
def test_a_file_a_case_may_not_hold_is_refused_and_nothing_is_stored(
    sessions, config, reference, tmp_path, content, problem
):
    documents = dataclasses.replace(config.documents, largest_megabytes=1, folder=str(tmp_path))
    policy = Policy.from_config(dataclasses.replace(config, documents=documents))
    with pytest.raises(InvalidData) as refused:
        upload(sessions, policy, reference, content, name="chronology.pdf")
    assert problem in refused.value.fields["file"]
    with read_session(sessions) as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 0
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 1  # the opening
    assert list(tmp_path.rglob("*")) == []


def test_an_e_mail_file_is_a_document_whatever_its_name(sessions, policy, reference):
    document_id = upload(sessions, policy, reference, EML, name="letter.pdf", agency="")
    with read_session(sessions) as session:
        document = session.get(Document, document_id)
        assert (document.kind, document.file_name, document.agency_id) == (
            "email",
            "letter.eml",
            None,
        )


def test_a_failed_transaction_leaves_no_file_behind(sessions, config, reference, tmp_path):
    documents = dataclasses.replace(config.documents, folder=str(tmp_path))
    policy = Policy.from_config(dataclasses.replace(config, documents=documents))
    with pytest.raises(RuntimeError), write_transaction(sessions) as session:
        add_document(
            session,
            case_of(session, reference),
            {"title": "Minutes"},
            "minutes.pdf",
            PDF,
            AUTHOR,
            SAMPLE_NOW,
            policy,
        )
        assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1
        raise RuntimeError("the commit never happens")
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_an_agency_adds_documents_for_itself_only_and_a_viewer_not_at_all(
    sessions, policy, reference
):
    with read_session(sessions) as session:
        police = police_id(session)
    officer = Actor(label="officer@example.org", user_id=9, role="agency", agency_id=police)
    upload(sessions, policy, reference, PDF, actor=officer)
    with pytest.raises(PermissionDenied, match="your own agency only"):
        upload(sessions, policy, reference, PDF, actor=officer, agency="Charnwood Borough Council")
    viewer = Actor(label="viewer@example.org", user_id=10, role="viewer")
    with pytest.raises(PermissionDenied, match="may not add a document"):
        upload(sessions, policy, reference, PDF, actor=viewer)


def test_another_cases_document_is_not_found(sessions, partnership, policy, reference):
    document_id = upload(sessions, policy, reference, PDF)
    with write_transaction(sessions) as session:
        other = open_case(session, partnership, application(), MANAGER, SAMPLE_NOW, policy)
        with pytest.raises(CaseNotFound):
            download_document(session, other, document_id, AUTHOR, SAMPLE_NOW, policy)


def note(sessions, policy, reference, actor=AUTHOR, now=SAMPLE_NOW, **data):
    with write_transaction(sessions) as session:
        data = {
            "kind": "call",
            "occurred_on": "2025-11-28",
            "with_whom": "the victim",
            "text": "Called Mrs Ellis: the noise went on until 3am.",
            **data,
        }
        return add_note(session, case_of(session, reference), data, actor, now, policy).id


def test_a_note_is_edited_by_its_author_while_fresh_then_only_corrected(
    sessions, policy, reference
):
    note_id = note(sessions, policy, reference)
    soon = SAMPLE_NOW + timedelta(minutes=30)
    later = SAMPLE_NOW + timedelta(minutes=policy.config.documents.note_edit_minutes + 1)
    changed = {"kind": "call", "occurred_on": "2025-11-28", "text": "Until 4am."}
    other = Actor(label="other@example.org", user_id=8, role="manager")
    with write_transaction(sessions) as session:
        case = case_of(session, reference)
        with pytest.raises(PermissionDenied, match="only by its author"):
            edit_note(session, case, note_id, changed, other, soon, policy)
        edit_note(session, case, note_id, changed, AUTHOR, soon, policy)
    with write_transaction(sessions) as session:
        case = case_of(session, reference)
        with pytest.raises(PermissionDenied, match="add a correction"):
            edit_note(session, case, note_id, {**changed, "text": "x"}, AUTHOR, later, policy)
        with pytest.raises(InvalidData) as refused:
            correct_note(session, case, note_id, {"text": "Until 5am."}, AUTHOR, later, policy)
        assert "reason" in refused.value.fields
    with write_transaction(sessions) as session:
        correct_note(
            session,
            case_of(session, reference),
            note_id,
            {"text": "Until 5am.", "reason": "Mrs Ellis rang back: it was 5am."},
            other,
            later,
            policy,
        )
    with read_session(sessions) as session:
        notes = notes_of(session, case_of(session, reference).id)
        shown = described_notes(notes, AUTHOR, later, policy)
        trail = [
            (e.event, e.actor, e.data)
            for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        ]
    assert len(shown) == 1
    assert shown[0]["text"] == "Until 4am." and shown[0]["current_text"] == "Until 5am."
    assert shown[0]["corrections"][0]["correction_reason"] == "Mrs Ellis rang back: it was 5am."
    assert not shown[0]["editable"]
    edited = next(data for event, _, data in trail if event == "edit_note")
    assert edited["before"]["text"].startswith("Called Mrs Ellis")
    assert edited["after"]["text"] == "Until 4am."
    actor, corrected = next((a, data) for event, a, data in trail if event == "correct_note")
    assert actor == "other@example.org"
    assert corrected["before"]["text"] == "Until 4am."


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "rumour"}, "kind"),
        ({"occurred_on": "2025-12-25"}, "occurred_on"),
        ({"text": "  "}, "text"),
        ({"with_whom": "two\nlines"}, "with_whom"),
    ],
)
def test_a_note_with_a_problem_is_refused_and_nothing_written(
    sessions, policy, reference, data, field
):
    with pytest.raises(InvalidData) as refused:
        note(sessions, policy, reference, **data)
    assert field in refused.value.fields
    with read_session(sessions) as session:
        assert session.scalar(select(func.count()).select_from(Note)) == 0


def test_the_subject_access_export_indexes_documents_and_holds_notes(sessions, policy, reference):
    upload(sessions, policy, reference, PDF)
    note(sessions, policy, reference)
    with write_transaction(sessions) as session:
        record = subject_access_record(
            session, [case_of(session, reference)], policy, AUTHOR, SAMPLE_NOW, {}
        )
    held = record["cases"][0]
    assert [(d["title"], d["file_name"]) for d in held["documents"]] == [
        ("Police chronology", "chronology.pdf")
    ]
    assert held["notes"][0]["with_whom"] == "the victim"


def test_retention_deletes_documents_and_notes_with_the_personal_data(
    sessions, partnership, config, tmp_path
):
    documents = dataclasses.replace(config.documents, folder=str(tmp_path))
    policy = Policy.from_config(dataclasses.replace(config, documents=documents))
    with write_transaction(sessions) as session:
        reference = closed_case(session, partnership, policy)
    upload(sessions, policy, reference, PDF)
    first = note(sessions, policy, reference, occurred_on="2019-06-01")
    with write_transaction(sessions) as session:
        correct_note(
            session,
            case_of(session, reference),
            first,
            {"text": "Corrected.", "reason": "Wrong time."},
            AUTHOR,
            SAMPLE_NOW,
            policy,
        )
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1
    with write_transaction(sessions) as session:
        assert run_retention(session, policy, SAMPLE_NOW).references == [reference]
    with read_session(sessions) as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 0
        assert session.scalar(select(func.count()).select_from(Note)) == 0
        anonymised = session.scalar(select(AuditEvent.data).where(AuditEvent.event == "anonymised"))
    assert anonymised["documents_deleted"] == 1 and anonymised["notes_deleted"] == 2
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_the_store_follows_the_configuration(config):
    assert isinstance(store_for(config), FolderStore)
    documents = dataclasses.replace(config.documents, storage="database")
    assert isinstance(store_for(dataclasses.replace(config, documents=documents)), DatabaseStore)


@pytest.mark.parametrize(
    ("documents", "problem"),
    [
        ({"storage": "s3"}, "documents.storage"),
        ({"largest_megabytes": 0}, "documents.largest_megabytes"),
        ({"note_edit_minutes": -1}, "documents.note_edit_minutes"),
        ({"folder": " "}, "documents.folder"),
    ],
)
def test_the_documents_settings_are_checked(documents, problem):
    with pytest.raises(ConfigError, match=problem):
        config_from_dict({"documents": documents})


def test_a_correction_of_a_correction_corrects_the_note_and_a_corrected_note_is_not_edited(
    sessions, policy, reference
):
    note_id = note(sessions, policy, reference)
    with write_transaction(sessions) as session:
        case = case_of(session, reference)
        first = correct_note(
            session,
            case,
            note_id,
            {"text": "Until 4am.", "reason": "Misheard."},
            AUTHOR,
            SAMPLE_NOW,
            policy,
        )
        second = correct_note(
            session,
            case,
            first.id,
            {"text": "Until 5am.", "reason": "Rang back."},
            AUTHOR,
            SAMPLE_NOW,
            policy,
        )
        assert second.corrects_id == note_id
        with pytest.raises(PermissionDenied):
            edit_note(
                session,
                case,
                note_id,
                {"kind": "call", "occurred_on": "2025-11-28", "text": "Rewritten."},
                AUTHOR,
                SAMPLE_NOW,
                policy,
            )
    with read_session(sessions) as session:
        shown = described_notes(
            notes_of(session, case_of(session, reference).id), AUTHOR, SAMPLE_NOW, policy
        )
    assert [n["current_text"] for n in shown] == ["Until 5am."]
    assert len(shown[0]["corrections"]) == 2


def test_notes_and_documents_are_described_as_typed_values(sessions, policy, reference):
    """Issue 17: as ``describe_case``, a note's day is a ``date`` and its times and a
    document's ``datetime``, which each channel formats its own way (the page in English,
    the API's JSON as ISO 8601)."""
    from datetime import date, datetime

    from workflows.documents import describe_document, describe_note, documents_of

    upload(sessions, policy, reference, PDF)
    note_id = note(sessions, policy, reference)
    with read_session(sessions) as session:
        case_id = case_of(session, reference).id
        (document,) = [describe_document(d) for d in documents_of(session, case_id)]
        (described,) = [describe_note(n) for n in notes_of(session, case_id)]
        (shown,) = described_notes(notes_of(session, case_id), AUTHOR, SAMPLE_NOW, policy)
    assert isinstance(document["added_at"], datetime)
    assert described["id"] == note_id and described["occurred_on"] == date(2025, 11, 28)
    assert isinstance(described["added_at"], datetime) and described["edited_at"] is None
    assert shown["current_occurred_on"] == date(2025, 11, 28)
