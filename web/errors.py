"""Every error a person can act on, mapped once to a JSON answer or a plain page.

No stack trace ever reaches a person: anything unexpected is logged with its traceback and
answered with a short message and a reference to find it in the log.
"""

from __future__ import annotations

import logging
import uuid

from flask import Flask, Response, jsonify, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from workflows.errors import EventNotAllowed, InvalidData, WorkflowError

log = logging.getLogger(__name__)


def error_response(status: int, message: str, **extra: object) -> Response:
    body = {"error": {"status": status, "message": message, **extra}}
    response = jsonify(body)
    response.status_code = status
    return response


def register_errors(app: Flask) -> None:
    @app.errorhandler(WorkflowError)
    def workflow_error(error: WorkflowError) -> Response:
        extra: dict[str, object] = {}
        if isinstance(error, InvalidData):
            extra["fields"] = error.fields
        if isinstance(error, EventNotAllowed):
            extra["state"] = error.state
            extra["allowed_events"] = error.allowed
        return error_response(error.status, error.message, **extra)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        return error_response(error.code or 500, error.description or error.name)

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError) -> Response:
        log.error("database unavailable on %s %s: %s", request.method, request.path, error.orig)
        response = error_response(
            503, "The database is not available just now. Nothing was changed; try again shortly."
        )
        response.headers["Retry-After"] = "30"
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        incident = uuid.uuid4().hex[:12]
        log.exception("unexpected error %s on %s %s", incident, request.method, request.path)
        return error_response(
            500,
            f"Something went wrong on our side and nothing was changed. "
            f"Quote reference {incident} to your IT team.",
        )
