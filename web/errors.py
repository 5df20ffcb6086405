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


HEADINGS = {
    400: "Something in the request was not right",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "That cannot be done here",
    409: "The case was changed by someone else",
    413: "The file is too large",
    422: "Something in the request was not right",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
    503: "Sorry, the service is unavailable",
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def page_response(status: int, message: str) -> Response:
    from flask import render_template

    heading = HEADINGS.get(status, "Something went wrong")
    response = Response(
        render_template("error.html", heading=heading, message=message),
        status=status,
        mimetype="text/html",
    )
    return response


def with_protocol_headers(response: Response, error: HTTPException) -> Response:
    """The headers HTTP asks of the status, kept from the exception (RFC 9110: a 405 must say
    what is ``Allow``ed, a 401 its ``WWW-Authenticate``, a 429 or 503 when to ``Retry-After``)."""
    for name, value in error.get_headers():
        if name.lower() != "content-type":  # the body is ours, not werkzeug's
            response.headers[name] = value
    return response


def register_errors(app: Flask) -> None:
    @app.errorhandler(WorkflowError)
    def workflow_error(error: WorkflowError) -> Response:
        if not wants_json():
            return page_response(error.status, error.message)
        extra: dict[str, object] = {}
        if isinstance(error, InvalidData):
            extra["fields"] = error.fields
        if isinstance(error, EventNotAllowed):
            extra["state"] = error.state
            extra["allowed_events"] = error.allowed
        return error_response(error.status, error.message, **extra)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        if not wants_json():
            if error.code == 404:
                response = page_response(
                    404,
                    "If you typed the web address, check it is right. "
                    "A case you may not see is shown as not found.",
                )
            else:
                response = page_response(error.code or 500, error.description or error.name)
        else:
            response = error_response(error.code or 500, error.description or error.name)
        return with_protocol_headers(response, error)

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError) -> Response:
        log.error("database unavailable on %s %s: %s", request.method, request.path, error.orig)
        text = "The database is not available just now. Nothing was changed; try again shortly."
        if "disk is full" in str(error.orig) or "No space left" in str(error.orig):
            text = (
                "The database has no room left to write (the disk is full). Nothing was "
                "changed and nothing is lost; tell your IT team."
            )
        response = error_response(503, text) if wants_json() else page_response(503, text)
        response.headers["Retry-After"] = "30"
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        incident = uuid.uuid4().hex[:12]
        log.exception("unexpected error %s on %s %s", incident, request.method, request.path)
        text = (
            f"Something went wrong on our side and nothing was changed. "
            f"Quote reference {incident} to your IT team."
        )
        if not wants_json():
            try:
                return page_response(500, text)
            except Exception:  # the page itself failed: plain text, still no traceback
                return Response(text, status=500, mimetype="text/plain")
        return error_response(500, text)
