"""The API's documents and notes (routes on ``web.api.views.blueprint``, under /api/v1).

A document is sent as multipart/form-data (``title``, ``agency``, ``file``), as a browser
sends it; notes are JSON. The rules, and every refusal, are the domain's
(``workflows.documents``), as on the pages.
"""

from __future__ import annotations

from flask import Response, g, jsonify, request

from triggers.db import write_transaction
from web.api.views import _json_body, _load, blueprint, reads
from web.documents import file_response
from web.services import services
from workflows import permissions
from workflows.documents import (
    add_document,
    add_note,
    correct_note,
    describe_document,
    describe_note,
    described_notes,
    documents_of,
    download_document,
    edit_note,
    notes_of,
)
from workflows.errors import InvalidData
from workflows.service import ViewedCase, record_view_after_reading

_ID = "<int(max=2147483647):{}>"


@blueprint.get("/cases/<reference>/documents")
def list_documents(reference: str) -> Response:
    app = services()
    with reads() as session:
        case = _load(session, reference)
        viewed = ViewedCase.of(case)
        documents = [describe_document(d) for d in documents_of(session, case.id)]
    record_view_after_reading(app.sessions, viewed, g.actor, app.now(), "API documents")
    return jsonify({"documents": documents})


@blueprint.post("/cases/<reference>/documents")
def upload_document(reference: str) -> tuple[Response, int]:
    # Read whole (not by ``get``): the parts are the body's, none is a query parameter.
    files, form = request.files.to_dict(), request.form.to_dict()
    sent = files.get("file")
    app = services()
    with write_transaction(app.sessions) as session:
        case = _load(session, reference, for_update=True)
        permissions.require(g.actor, permissions.ADD_DOCUMENT)
        if sent is None or not sent.filename:
            raise InvalidData(
                {"file": "send the file as multipart/form-data, in a part named 'file'"}
            )
        data = {"title": form.get("title", ""), "agency": form.get("agency", "")}
        document = add_document(
            session, case, data, sent.filename, sent.read(), g.actor, app.now(), app.policy
        )
        described = describe_document(document)
    return jsonify(described), 201


@blueprint.get(f"/cases/<reference>/documents/{_ID.format('document_id')}")
def get_document(reference: str, document_id: int) -> Response:
    app = services()
    with write_transaction(app.sessions) as session:
        case = _load(session, reference)
        found = download_document(session, case, document_id, g.actor, app.now(), app.policy)
    return file_response(found.file_name, found.media_type, found.content)


@blueprint.get("/cases/<reference>/notes")
def list_notes(reference: str) -> Response:
    app = services()
    now = app.now()
    with reads() as session:
        case = _load(session, reference)
        viewed = ViewedCase.of(case)
        notes = described_notes(notes_of(session, case.id), g.actor, now, app.policy)
    record_view_after_reading(app.sessions, viewed, g.actor, now, "API notes")
    return jsonify({"notes": notes})


@blueprint.post("/cases/<reference>/notes")
def create_note(reference: str) -> tuple[Response, int]:
    body = _json_body()
    app = services()
    with write_transaction(app.sessions) as session:
        case = _load(session, reference, for_update=True)
        note = add_note(session, case, body, g.actor, app.now(), app.policy)
        described = describe_note(note)
    return jsonify(described), 201


@blueprint.post(f"/cases/<reference>/notes/{_ID.format('note_id')}")
def change_note(reference: str, note_id: int) -> Response:
    """Edit a note in place: its author, within ``documents.note_edit_minutes``."""
    body = _json_body()
    app = services()
    with write_transaction(app.sessions) as session:
        case = _load(session, reference, for_update=True)
        note = edit_note(session, case, note_id, body, g.actor, app.now(), app.policy)
        described = describe_note(note)
    return jsonify(described)


@blueprint.post(f"/cases/<reference>/notes/{_ID.format('note_id')}/correction")
def add_correction(reference: str, note_id: int) -> tuple[Response, int]:
    body = _json_body()
    app = services()
    with write_transaction(app.sessions) as session:
        case = _load(session, reference, for_update=True)
        note = correct_note(session, case, note_id, body, g.actor, app.now(), app.policy)
        described = describe_note(note)
    return jsonify(described), 201
