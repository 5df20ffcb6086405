"""Odd input is refused at the door, the same on SQLite and PostgreSQL (triggers.text).

PostgreSQL refuses a NUL character in any text it is given, so a NUL in a sign-in e-mail,
in a reference in a URL or in any JSON string was a server error there while SQLite stored
it. One hook looks at every request before any view does: the path, the query, the form and
the JSON body; a control character anywhere (tab and new lines aside, which multi-line
fields hold) is answered 400 with where it was. Whole numbers read from a request go
through ``number_arg``: ASCII digits within a range, never ``str.isdigit()`` and ``int()``.
"""

from __future__ import annotations

from flask import Flask, Response, render_template, request

from triggers.text import control_problem, strings_with_control, whole_number
from web.errors import error_response, wants_json
from workflows.errors import InvalidData


def init_app(app: Flask) -> None:
    app.before_request(refuse_control_characters)


def refuse_control_characters() -> Response | None:
    """Answer 400 naming the first place a control character was sent, before any view."""
    found = _control_characters()
    if not found:
        return None
    where, problem = next(iter(found.items()))
    message = (
        f"The request was not accepted: {where} {problem}. These characters cannot be "
        "stored; remove them and send it again. Nothing was changed."
    )
    if wants_json():
        return error_response(400, message, fields=found)
    return Response(
        render_template("error.html", heading="There is a problem", message=message),
        status=400,
        mimetype="text/html",
    )


def _control_characters() -> dict[str, str]:
    found: dict[str, str] = {}
    if problem := control_problem(request.path):
        found["the web address"] = problem
    for source, values in (("the query field", request.args), ("the field", request.form)):
        for name in values:
            # A multipart part can come without a name that decodes (found by schemathesis).
            if problem := control_problem(name or ""):
                found[f"{source} name"] = problem
            for value in values.getlist(name):
                if problem := control_problem(value):
                    found.setdefault(f"{source} '{name}'", problem)
    if request.is_json:
        body = request.get_json(silent=True)
        for name, problem in strings_with_control(body).items():
            found[f"the JSON field '{name}'"] = problem
    return found


def number_arg(name: str, default: int, low: int, high: int) -> int:
    """The query argument ``name`` as a whole number from ``low`` to ``high``; ``default``
    when it is not given. Anything else (``²``, ``1e3``, past 64 bits) is InvalidData."""
    raw = request.args.get(name)
    if raw is None:
        return default
    value = whole_number(raw, low, high)
    if value is None:
        raise InvalidData({name: f"must be a whole number from {low} to {high}"})
    return value
