"""A request id on every request, and (``server.log_format = "json"``) one JSON log line per
request, for a log collector on a deployment of several nodes.

The id comes from the proxy's ``X-Request-ID`` when it is sane (a load balancer or nginx
may set one, so a request can be followed through every hop), else a new one; it goes back
in the response's ``X-Request-ID`` and into every log line written while the request is
served, so an error page's reference and the proxy's log meet the node's log.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from typing import IO

from flask import Flask, Response, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

#: What a proxy's id may look like: short, and nothing that could forge a log line.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+=/-]{0,99}")
HEADER = "X-Request-ID"

access_log = logging.getLogger("casereview.requests")


def request_id() -> str:
    """This request's id ("" outside a request)."""
    return str(g.get("request_id", "")) if has_request_context() else ""


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record, so each line says which request wrote it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id()
        return True


def json_handler(stream: IO[str] | None = None) -> logging.Handler:
    """A handler writing one JSON object a line: time, level, logger, message and fields."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        JsonFormatter(
            "{asctime}{levelname}{name}{message}{request_id}",
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            timestamp=False,
        )
    )
    handler.addFilter(RequestIdFilter())
    handler.casereview_json = True  # type: ignore[attr-defined]
    return handler


def use_json_logs() -> None:
    """Send every log line as JSON to standard error (once, however many apps are made)."""
    root = logging.getLogger()
    if any(getattr(handler, "casereview_json", False) for handler in root.handlers):
        return
    # Replace the text handler `casereview`'s logging.basicConfig made (exactly that type:
    # a file handler, or a test runner's capture, stays).
    for handler in list(root.handlers):
        if type(handler) is logging.StreamHandler:
            root.removeHandler(handler)
    root.addHandler(json_handler())
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)


def init_app(app: Flask) -> None:
    as_json = app.extensions["casereview"].config.server.log_format == "json"
    if as_json:
        use_json_logs()

    @app.before_request
    def identify() -> None:
        offered = request.headers.get(HEADER, "")
        g.request_id = offered if SANE_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def answer_with_id(response: Response) -> Response:
        response.headers[HEADER] = request_id()
        if as_json:
            started = g.get("request_started", time.perf_counter())
            access_log.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "route": request.url_rule.rule if request.url_rule else "",
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "client": request.remote_addr or "",
                },
            )
        return response
