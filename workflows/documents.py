"""Documents and notes on a case: the files the agencies send and what people write down.

A case file is more than its steps: the police chronology arrives as a PDF, the panel's
minutes as a Word file, the victim writes a letter; the manager calls the victim, visits,
meets. Each document keeps who added it and which agency it came from; its type is read from
its content (``triggers.file_types``) and its size is limited (``documents.largest_megabytes``).
Everyone who sees the case may download its documents, and every download is on the case's
audit trail (UK GDPR accountability, as every view of a case is). A note's author may edit
it for ``documents.note_edit_minutes``; after that it is corrected, never rewritten: the
correction is a note of its own, with its reason, and the original stays as it was.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from triggers.calendar import english_date
from triggers.document_store import DocumentStore, new_key, sha256, store_for
from triggers.file_types import ACCEPTED_WORDS, FileKind, file_kind
from triggers.models import CaseReview, Document, Note
from triggers.policy import Policy
from workflows import permissions
from workflows.errors import CaseNotFound, InvalidData, PermissionDenied
from workflows.schemas import IsoDate, Name, RequiredText, ShortText, Strict, parse
from workflows.service import Actor, change_beside, write_audit
from workflows.steps import agencies_by_name, agency_named, check_in_range

#: The contact log's kinds, and a plain note; what a person reads for each.
NOTE_KINDS = {
    "note": "Note",
    "call": "Phone call",
    "visit": "Visit",
    "email": "E-mail",
    "letter": "Letter",
    "meeting": "Meeting",
}
MEGABYTE = 1024 * 1024


class NoteIn(Strict):
    kind: Literal["note", "call", "visit", "email", "letter", "meeting"]
    occurred_on: IsoDate
    with_whom: ShortText = ""
    text: RequiredText


class CorrectionIn(Strict):
    text: RequiredText
    reason: RequiredText
    with_whom: ShortText | None = None
    occurred_on: IsoDate | None = None


class DocumentIn(Strict):
    title: Name
    #: The agency's name; empty: the partnership's own (or the victim's) document.
    agency: ShortText = ""


@dataclass(frozen=True)
class Download:
    file_name: str
    media_type: str
    content: bytes


def add_document(
    session: Session,
    case: CaseReview,
    data: dict[str, Any],
    file_name: str,
    content: bytes,
    actor: Actor,
    now: datetime,
    policy: Policy,
    store: DocumentStore | None = None,
) -> Document:
    """Attach a file to ``case``: checked (not empty, not too large, a kind a case holds),
    stored, and recorded on the audit trail, all in the caller's transaction."""
    permissions.require(actor, permissions.ADD_DOCUMENT)
    document_in = parse(DocumentIn, dict(data))
    kind = _checked_file(content, policy)
    agency = None
    if document_in.agency:
        agencies = agencies_by_name(session, case.partnership_id)
        agency = agency_named(agencies, document_in.agency, "agency")
    if permissions.speaks_for_an_agency(actor.role) and agency is None:
        raise InvalidData({"agency": "name the agency it came from: your own"})
    permissions.require_act_for(actor, permissions.ADD_DOCUMENT, agency.id if agency else None)
    store = store or store_for(policy.config)
    key = new_key()
    store.put(session, key, content)
    document = Document(
        case_id=case.id,
        title=document_in.title,
        file_name=clean_file_name(file_name, kind),
        kind=kind.kind,
        media_type=kind.media_type,
        size_bytes=len(content),
        sha256=sha256(content),
        storage_key=key,
        agency=agency,
        added_at=now,
        added_by=actor.label,
    )
    session.add(document)
    session.flush()
    change_beside(
        session,
        case,
        "add_document",
        actor,
        now,
        policy.today(now),
        {
            "document": document.id,
            "title": document.title,
            "file_name": document.file_name,
            "kind": document.kind,
            "size_bytes": document.size_bytes,
            "sha256": document.sha256,
            "agency": agency.name if agency else None,
        },
    )
    return document


def _checked_file(content: bytes, policy: Policy) -> FileKind:
    largest = policy.config.documents.largest_megabytes
    if not content:
        raise InvalidData({"file": "The selected file is empty"})
    if len(content) > largest * MEGABYTE:
        raise InvalidData({"file": f"The selected file must be smaller than {largest} MB"})
    kind = file_kind(content)
    if kind is None:
        raise InvalidData({"file": f"The selected file must be {ACCEPTED_WORDS}"})
    return kind


def clean_file_name(file_name: str, kind: FileKind) -> str:
    """The name offered on download: the base name as sent, without anything that could
    reach a path or a header, and with the extension of what the file really is."""
    name = unicodedata.normalize("NFC", file_name).replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[^\w .()-]", "_", name).strip(" ._")[:200]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem or 'document'}.{kind.extension}"


def download_document(
    session: Session,
    case: CaseReview,
    document_id: int,
    actor: Actor,
    now: datetime,
    policy: Policy,
    store: DocumentStore | None = None,
) -> Download:
    """The file, for someone who sees ``case``; the download is on the audit trail."""
    permissions.require(actor, permissions.READ_DOCUMENT)
    document = session.scalar(
        select(Document).where(Document.id == document_id, Document.case_id == case.id)
    )
    if document is None:
        raise CaseNotFound(f"There is no document {document_id} on {case.reference}.")
    content = (store or store_for(policy.config)).get(session, document.storage_key)
    write_audit(
        session,
        case,
        actor,
        now,
        "download_document",
        case.state,
        case.state,
        None,
        {"document": document.id, "title": document.title, "sha256": document.sha256},
    )
    return Download(document.file_name, document.media_type, content)


def documents_of(session: Session, case_id: int) -> list[Document]:
    return list(
        session.scalars(
            select(Document).where(Document.case_id == case_id).order_by(Document.id)
        ).unique()
    )


def add_note(
    session: Session,
    case: CaseReview,
    data: dict[str, Any],
    actor: Actor,
    now: datetime,
    policy: Policy,
) -> Note:
    """A note, or an entry of the contact log (a call, a visit...), written by ``actor``."""
    permissions.require(actor, permissions.ADD_NOTE)
    note_in = parse(NoteIn, dict(data))
    _check_day(note_in.occurred_on, policy, now)
    note = Note(
        case_id=case.id,
        kind=note_in.kind,
        occurred_on=note_in.occurred_on,
        with_whom=note_in.with_whom,
        text=note_in.text,
        author=actor.label,
        author_user_id=actor.user_id,
        added_at=now,
    )
    session.add(note)
    session.flush()
    change_beside(
        session,
        case,
        "add_note",
        actor,
        now,
        note.occurred_on,
        {"note": note.id, "kind": note.kind, "with_whom": note.with_whom, "text": note.text},
    )
    return note


def edit_note(
    session: Session,
    case: CaseReview,
    note_id: int,
    data: dict[str, Any],
    actor: Actor,
    now: datetime,
    policy: Policy,
) -> Note:
    """The author changes their note while it is fresh; the audit keeps before and after."""
    permissions.require(actor, permissions.ADD_NOTE)
    note = _note(session, case, note_id)
    corrected = session.scalar(select(Note.id).where(Note.corrects_id == note.id).limit(1))
    if corrected is not None or not is_editable_by(note, actor, now, policy):
        minutes = policy.config.documents.note_edit_minutes
        raise PermissionDenied(
            f"A note can be edited only by its author, for {minutes} minutes after it was "
            "written; after that, add a correction with its reason."
        )
    note_in = parse(NoteIn, dict(data))
    _check_day(note_in.occurred_on, policy, now)
    before = _note_fields(note)
    note.kind, note.occurred_on = note_in.kind, note_in.occurred_on
    note.with_whom, note.text = note_in.with_whom, note_in.text
    note.edited_at = now
    change_beside(
        session,
        case,
        "edit_note",
        actor,
        now,
        note.occurred_on,
        {"note": note.id, "before": before, "after": _note_fields(note)},
    )
    return note


def correct_note(
    session: Session,
    case: CaseReview,
    note_id: int,
    data: dict[str, Any],
    actor: Actor,
    now: datetime,
    policy: Policy,
) -> Note:
    """A correction of a note past its editing time, by its author or a manager: a new note
    that names the one it corrects and why; the original is kept as written."""
    permissions.require(actor, permissions.ADD_NOTE)
    original = _note(session, case, note_id)
    # A correction of a correction corrects the note itself: one line of corrections each.
    while original.corrects_id is not None:
        original = _note(session, case, original.corrects_id)
    if not may_correct(original, actor):
        raise PermissionDenied("A note can be corrected only by its author or a manager.")
    correction_in = parse(CorrectionIn, dict(data))
    occurred_on = correction_in.occurred_on or original.occurred_on
    _check_day(occurred_on, policy, now)
    with_whom = original.with_whom if correction_in.with_whom is None else correction_in.with_whom
    correction = Note(
        case_id=case.id,
        kind=original.kind,
        occurred_on=occurred_on,
        with_whom=with_whom,
        text=correction_in.text,
        author=actor.label,
        author_user_id=actor.user_id,
        added_at=now,
        corrects_id=original.id,
        correction_reason=correction_in.reason,
    )
    session.add(correction)
    session.flush()
    change_beside(
        session,
        case,
        "correct_note",
        actor,
        now,
        occurred_on,
        {
            "note": original.id,
            "correction": correction.id,
            "reason": correction.correction_reason,
            "before": _note_fields(original),
            "after": _note_fields(correction),
        },
    )
    return correction


def is_editable_by(note: Note, actor: Actor, now: datetime, policy: Policy) -> bool:
    """Whether ``actor`` may still edit ``note`` in place: its author, within the time."""
    window = timedelta(minutes=policy.config.documents.note_edit_minutes)
    is_author = actor.user_id is not None and note.author_user_id == actor.user_id
    return is_author and now - note.added_at <= window


def may_correct(note: Note, actor: Actor) -> bool:
    is_author = actor.user_id is not None and note.author_user_id == actor.user_id
    return is_author or permissions.may(actor, permissions.CORRECT_NOTE)


def notes_of(session: Session, case_id: int) -> list[Note]:
    """The case's notes, newest contact first, each correction after the note it corrects."""
    return list(
        session.scalars(
            select(Note)
            .where(Note.case_id == case_id)
            .order_by(Note.occurred_on.desc(), Note.id.desc())
        )
    )


def described_notes(notes: list[Note], actor: Actor, now: datetime, policy: Policy) -> list[dict]:
    """The notes as the page and the API show them: each original with its corrections."""
    corrections: dict[int, list[Note]] = {}
    for note in notes:
        if note.corrects_id is not None:
            corrections.setdefault(note.corrects_id, []).append(note)
    shown = []
    for note in notes:
        if note.corrects_id is not None:
            continue
        fixes = sorted(corrections.get(note.id, []), key=lambda n: n.id)
        latest = fixes[-1] if fixes else note
        shown.append(
            {
                **describe_note(note),
                "current_text": latest.text,
                "current_with_whom": latest.with_whom,
                "current_occurred_on": latest.occurred_on,
                "corrections": [describe_note(fix) for fix in fixes],
                "editable": not fixes and is_editable_by(note, actor, now, policy),
                "correctable": may_correct(note, actor)
                and permissions.may(actor, permissions.ADD_NOTE),
            }
        )
    return shown


def describe_note(note: Note) -> dict[str, Any]:
    """A note as the page, the API and the exports show it, as typed values (its day a
    ``date``, its times ``datetime``): each channel formats them its own way, as
    ``workflows.describe`` hands a case over (``web.formats``)."""
    return {
        "id": note.id,
        "kind": note.kind,
        "occurred_on": note.occurred_on,
        "with_whom": note.with_whom,
        "text": note.text,
        "kind_label": NOTE_KINDS.get(note.kind, note.kind),
        "author": note.author,
        "added_at": note.added_at,
        "edited_at": note.edited_at,
        "corrects": note.corrects_id,
        "correction_reason": note.correction_reason or None,
    }


def describe_document(document: Document) -> dict[str, Any]:
    """A document's record (not its content), as typed values like ``describe_note``."""
    return {
        "id": document.id,
        "title": document.title,
        "file_name": document.file_name,
        "kind": document.kind,
        "media_type": document.media_type,
        "size_bytes": document.size_bytes,
        "sha256": document.sha256,
        "agency": document.agency.name if document.agency else None,
        "added_at": document.added_at,
        "added_by": document.added_by,
    }


def remove_case_files(
    session: Session, case: CaseReview, policy: Policy, store: DocumentStore | None = None
) -> dict[str, int]:
    """Retention: delete the case's documents (their files once the deletion commits) and
    its notes. Neither is counted by the published figures."""
    store = store or store_for(policy.config)
    documents = documents_of(session, case.id)
    for document in documents:
        store.delete(session, document.storage_key)
        session.delete(document)
    notes = notes_of(session, case.id)
    # Corrections point at their originals: unlink them first, then delete them all.
    session.execute(
        update(Note)
        .where(Note.case_id == case.id)
        .values(corrects_id=None)
        .execution_options(synchronize_session=False)
    )
    for note in notes:
        session.delete(note)
    session.flush()
    return {"documents_deleted": len(documents), "notes_deleted": len(notes)}


def _note(session: Session, case: CaseReview, note_id: int) -> Note:
    note = session.scalar(select(Note).where(Note.id == note_id, Note.case_id == case.id))
    if note is None:
        raise CaseNotFound(f"There is no note {note_id} on {case.reference}.")
    return note


def _note_fields(note: Note) -> dict[str, Any]:
    """What an edit or a correction changes, for its audit event's data (JSON: the day as
    ISO 8601)."""
    return {
        "kind": note.kind,
        "occurred_on": note.occurred_on.isoformat(),
        "with_whom": note.with_whom,
        "text": note.text,
    }


def _check_day(day: date, policy: Policy, now: datetime) -> None:
    check_in_range(day, "occurred_on", policy)
    today = policy.today(now)
    if day > today:
        raise InvalidData(
            {"occurred_on": f"cannot be in the future: today is {english_date(today)}"}
        )
