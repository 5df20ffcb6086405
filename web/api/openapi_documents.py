"""The OpenAPI paths of documents and notes (``web.api.documents``), joined into the
document by ``web.api.openapi``."""

from __future__ import annotations

from typing import Any

from workflows.documents import CorrectionIn, NoteIn


def document_schemas() -> list[type]:
    """The JSON bodies these paths take, for the document's components."""
    return [NoteIn, CorrectionIn]


def documents_paths(
    reference: dict[str, Any], auth_errors: dict[str, Any], error: Any, json: Any
) -> dict[str, Any]:
    def path_id(name: str) -> dict[str, Any]:
        return {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647},
        }

    not_found = {"404": error("No such case, document or note here")}
    return {
        "/api/v1/cases/{reference}/documents": {
            "get": {
                "summary": "The documents attached to a case (their index, not the files)",
                "parameters": [reference],
                "responses": {"200": {"description": "The documents"}, **auth_errors, **not_found},
            },
            "post": {
                "summary": "Attach a document: a PDF, Word file, image or e-mail",
                "parameters": [reference],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["title", "file"],
                                "properties": {
                                    "title": {"type": "string", "maxLength": 200},
                                    "agency": {"type": "string", "maxLength": 200},
                                    "file": {"type": "string", "format": "binary"},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": {"description": "The document as recorded"},
                    **auth_errors,
                    **not_found,
                    "413": error("The file is larger than the limit"),
                    "422": error("Empty, too large or not a kind a case holds"),
                },
            },
        },
        "/api/v1/cases/{reference}/documents/{document_id}": {
            "get": {
                "summary": "Download a document (recorded on the case's audit trail)",
                "parameters": [reference, path_id("document_id")],
                "responses": {
                    "200": {"description": "The file, as an attachment"},
                    **auth_errors,
                    **not_found,
                },
            }
        },
        "/api/v1/cases/{reference}/notes": {
            "get": {
                "summary": "The notes and contact log of a case, with their corrections",
                "parameters": [reference],
                "responses": {"200": {"description": "The notes"}, **auth_errors, **not_found},
            },
            "post": {
                "summary": "Add a note, or a contact (call, visit, e-mail, letter, meeting)",
                "parameters": [reference],
                "requestBody": {"required": True, "content": json("NoteIn")},
                "responses": {
                    "201": {"description": "The note"},
                    **auth_errors,
                    **not_found,
                    "422": error("Invalid data"),
                },
            },
        },
        "/api/v1/cases/{reference}/notes/{note_id}": {
            "post": {
                "summary": "Edit a note: its author, within the configured minutes",
                "parameters": [reference, path_id("note_id")],
                "requestBody": {"required": True, "content": json("NoteIn")},
                "responses": {
                    "200": {"description": "The note as edited"},
                    **auth_errors,
                    **not_found,
                    "422": error("Invalid data"),
                },
            }
        },
        "/api/v1/cases/{reference}/notes/{note_id}/correction": {
            "post": {
                "summary": "Correct a note, with a reason; the original is kept",
                "parameters": [reference, path_id("note_id")],
                "requestBody": {"required": True, "content": json("CorrectionIn")},
                "responses": {
                    "201": {"description": "The correction"},
                    **auth_errors,
                    **not_found,
                    "422": error("Invalid data"),
                },
            }
        },
    }
