"""``/favicon.ico``, which browsers and bookmarks ask for whatever the page links: the
service's own icon (built into web/static/govuk by ``make assets`` from web/assets, never
committed). Not GOV.UK Frontend's favicon: that is the crown, reserved for GOV.UK itself,
like its font (web/assets/casereview.scss). Every page links the same file."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import Blueprint, Response, abort, current_app

blueprint = Blueprint("favicon", __name__)


@cache
def _icon(folder: str) -> bytes | None:
    """The built icon, read once (a few hundred bytes); None before ``make assets``."""
    path = Path(folder) / "govuk" / "favicon.svg"
    return path.read_bytes() if path.is_file() else None


@blueprint.get("/favicon.ico")
def favicon() -> Response:
    """The icon, the same for everyone (an SVG, which browsers take for a favicon)."""
    icon = _icon(current_app.static_folder or "")
    if icon is None:
        abort(404)
    return Response(icon, mimetype="image/svg+xml")
