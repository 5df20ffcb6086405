"""The OpenAPI 3.1 document for /api/v1, built from the same schemas that validate input.

Generating it from the schemas the process declaration names (``workflows.schemas``) means
the description can never drift from what the service actually accepts.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Literal

from pydantic import create_model
from pydantic.json_schema import models_json_schema

from triggers.statuses import LISTED_OUTBOX_STATUSES
from web.api.openapi_documents import document_schemas, documents_paths
from workflows.case_review import PROCESSES, states_of_every_version
from workflows.extensions import ExtendDeadlineIn
from workflows.process import Clock, Step
from workflows.schemas import (
    AddComplaintIn,
    AddIncidentIn,
    CaseAgencyIn,
    CaseIn,
    ChronologyIn,
    CorrectionIn,
    RemoveAgencyIn,
    ReverseStepIn,
)

#: Issue 18's endpoints: path under the case → (summary, input schema, success status).
CASE_CHANGES = {
    "corrections": ("Correct recorded facts, with a reason", CorrectionIn, "200"),
    "reverse": ("Reverse the latest step, taken in error", ReverseStepIn, "200"),
    "agencies": ("Bring an agency into the case, with its role", CaseAgencyIn, "201"),
    "agencies/remove": ("Take an agency off the case", RemoveAgencyIn, "200"),
    "incidents": ("Add an incident, with its complaints", AddIncidentIn, "201"),
    "complaints": ("Add a complaint about an incident on the case", AddComplaintIn, "201"),
}

REF = "#/components/schemas/{model}"


def _of_every_version() -> tuple[list[Step], list[Clock]]:
    """The steps and clocks of every version cases may be on (the newest's where two
    versions declare one): the API answers for a case of any version."""
    steps: dict[str, Step] = {}
    clocks: dict[str, Clock] = {}
    for version in sorted(PROCESSES):
        steps.update((step.event, step) for step in PROCESSES[version].steps)
        clocks.update((clock.key, clock) for clock in PROCESSES[version].clocks)
    return list(steps.values()), list(clocks.values())


def _event_models(steps: list[Step]) -> list[type]:
    models = []
    for event, schema in ((step.event, step.schema) for step in steps):
        name = "".join(part.title() for part in event.split("_")) + "Event"
        models.append(
            create_model(name, __base__=schema, event=(Literal[event], ...))  # type: ignore[call-overload]
        )
    return models


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": REF.format(model="Error")}}},
    }


def _json(ref: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": REF.format(model=ref)}}}


@cache
def openapi_document() -> dict[str, Any]:
    steps, clocks = _of_every_version()
    states = [state.name for state in states_of_every_version()]
    event_models = _event_models(steps)
    _, definitions = models_json_schema(
        [
            (model, "validation")
            for model in [
                CaseIn,
                ChronologyIn,
                ExtendDeadlineIn,
                *event_models,
                *(schema for _, schema, _ in CASE_CHANGES.values()),
                *document_schemas(),
            ]
        ],
        ref_template=REF,
    )
    schemas: dict[str, Any] = definitions.get("$defs", {})
    schemas["EventBody"] = {
        "oneOf": [{"$ref": REF.format(model=m.__name__)} for m in event_models],
        "discriminator": {"propertyName": "event"},
    }
    schemas["Error"] = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["status", "message"],
                "properties": {
                    "status": {"type": "integer"},
                    "message": {"type": "string"},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                    "state": {"type": "string"},
                    "allowed_events": {"type": "array", "items": {"type": "string"}},
                },
            }
        },
    }
    step_dates = {"type": "string", "format": "date"}
    schemas["Case"] = {
        "type": "object",
        "required": [
            "reference",
            "state",
            "deadlines",
            "threshold_suggestion",
            "allowed_events",
            "history",
            "version",
        ],
        "properties": {
            "reference": {"type": "string", "examples": ["CT-2025-007"]},
            "state": {"type": "string", "enum": states},
            "version": {"type": "integer"},
            "received_on": step_dates,
            "deadlines": {
                "type": "object",
                "description": "Due date of each step whose clock has started.",
                "properties": {clock.key: step_dates for clock in clocks},
            },
            "threshold_suggestion": {
                "type": "object",
                "properties": {
                    "met": {"type": "boolean"},
                    "statutory_floor_met": {"type": "boolean"},
                    "rules_held": {"type": "array", "items": {"type": "string"}},
                    "rules": {"type": "array", "items": {"type": "object"}},
                },
            },
            "allowed_events": {
                "type": "array",
                "items": {"type": "string", "enum": [step.event for step in steps]},
            },
            "history": {"type": "array", "items": {"type": "object"}},
            "warnings": {"type": "array", "items": {"type": "string"}},
        },
    }
    reference = {"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}}
    limit = {
        "name": "limit",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 500},
    }
    auth_errors = {"401": _error("No valid API token"), "403": _error("Your role may not")}
    document = {
        "openapi": "3.1.0",
        "info": {
            "title": "casereview API",
            "version": "1",
            "description": "ASB case reviews (the Community Trigger): log an activation and "
            "move it through the statutory process. Dates are ISO (YYYY-MM-DD).",
        },
        "servers": [{"url": "/"}],
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/cases": {
                "get": {
                    "summary": "List the partnership's cases, newest first",
                    "parameters": [
                        {
                            "name": "state",
                            "in": "query",
                            "schema": {"type": "string", "enum": states},
                        },
                        limit,
                        {
                            "name": "offset",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 0, "maximum": 10**9},
                        },
                    ],
                    "responses": {
                        "200": {"description": "The cases"},
                        **auth_errors,
                        "422": _error("A parameter is wrong"),
                    },
                },
                "post": {
                    "summary": "Log a new activation (application for a case review)",
                    "requestBody": {"required": True, "content": _json("CaseIn")},
                    "responses": {
                        "201": {"description": "The case as created", "content": _json("Case")},
                        **auth_errors,
                        "422": _error("Invalid data; 'fields' names each problem"),
                    },
                },
            },
            "/api/v1/cases/{reference}": {
                "get": {
                    "summary": "A case: state, deadlines, threshold suggestion, allowed events",
                    "parameters": [reference],
                    "responses": {
                        "200": {"description": "The case", "content": _json("Case")},
                        **auth_errors,
                        "404": _error("No such case here"),
                    },
                }
            },
            "/api/v1/cases/{reference}/events": {
                "post": {
                    "summary": "Apply one step of the process to a case",
                    "parameters": [reference],
                    "requestBody": {"required": True, "content": _json("EventBody")},
                    "responses": {
                        "200": {"description": "The case after the step", "content": _json("Case")},
                        **auth_errors,
                        "404": _error("No such case here"),
                        "409": _error(
                            "The state does not allow the event, or the version is stale"
                        ),
                        "422": _error("Invalid data; 'fields' names each problem"),
                    },
                }
            },
            "/api/v1/outbox": {
                "get": {
                    "summary": "Letters, e-mails and reminders of the partnership's cases",
                    "parameters": [
                        {
                            "name": "status",
                            "in": "query",
                            "schema": {
                                "type": "string",
                                "enum": [str(status) for status in LISTED_OUTBOX_STATUSES],
                            },
                        },
                        limit,
                    ],
                    "responses": {
                        "200": {"description": "The messages, newest first"},
                        **auth_errors,
                    },
                }
            },
            "/api/v1/outbox/{message_id}/retry": {
                "post": {
                    "summary": "Send a failed message again at the next sweep",
                    "parameters": [
                        {
                            "name": "message_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    "responses": {
                        "200": {"description": "Queued again"},
                        **auth_errors,
                        "404": _error("No such message here"),
                        "422": _error("The message has not failed"),
                    },
                }
            },
            "/api/v1/cases/{reference}/deadlines/extensions": {
                "post": {
                    "summary": "Move a running deadline by agreement, with its reason",
                    "parameters": [reference],
                    "requestBody": {"required": True, "content": _json("ExtendDeadlineIn")},
                    "responses": {
                        "200": {"description": "The case", "content": _json("Case")},
                        **auth_errors,
                        "404": _error("No such case here"),
                        "409": _error("The case's state does not allow it"),
                        "422": _error("Invalid data"),
                    },
                }
            },
            "/api/v1/cases/{reference}/chronology": {
                "post": {
                    "summary": "Add an agency's chronology entry",
                    "parameters": [reference],
                    "requestBody": {"required": True, "content": _json("ChronologyIn")},
                    "responses": {
                        "201": {"description": "The case", "content": _json("Case")},
                        **auth_errors,
                        "404": _error("No such case here"),
                        "422": _error("Invalid data"),
                    },
                }
            },
        },
    }
    for path, (summary, schema, status) in CASE_CHANGES.items():
        document["paths"][f"/api/v1/cases/{{reference}}/{path}"] = {
            "post": {
                "summary": summary,
                "parameters": [reference],
                "requestBody": {"required": True, "content": _json(schema.__name__)},
                "responses": {
                    status: {"description": "The case, with notes", "content": _json("Case")},
                    **auth_errors,
                    "404": _error("No such case here"),
                    "409": _error("Changed by someone else, or the case has ended"),
                    "422": _error("Invalid data"),
                },
            }
        }
    document["paths"].update(documents_paths(reference, auth_errors, _error, _json))
    return _with_every_status(document)


def _with_every_status(document: dict[str, Any]) -> dict[str, Any]:
    """Add to each operation the answers any request can get, so the document lists every
    status an endpoint can answer: 422 where the request carries something to check (a query
    parameter or a body; web.api.views refuses a bad one with 422), 400 for a control
    character anywhere in the request (web.input), and 503 when the database is not
    available (web.errors)."""
    for operations in document["paths"].values():
        for operation in operations.values():
            responses = operation["responses"]
            has_input = "requestBody" in operation or any(
                parameter["in"] == "query" for parameter in operation.get("parameters", [])
            )
            if has_input:
                responses.setdefault("422", _error("A parameter or the body is wrong"))
            responses.setdefault("503", _error("The database is not available; try again"))
            # web.input refuses a control character (NUL...) anywhere in any request, first.
            responses.setdefault("400", _error("A control character in the path, query or body"))
    return document
