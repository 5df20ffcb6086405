"""The front page: says what the service is and where its API is described."""

from __future__ import annotations

from flask import Blueprint, Response

from web.app import services

blueprint = Blueprint("home", __name__)

PAGE = """<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>{name}: ASB case reviews</title></head>
<body><main>
<h1>ASB case reviews</h1>
<p>{name} records and tracks ASB case reviews (the Community Trigger).</p>
<p>The JSON API is described at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>
</main></body></html>
"""


@blueprint.get("/")
def index() -> Response:
    from html import escape

    name = escape(services().config.partnership.name)
    return Response(PAGE.format(name=name), mimetype="text/html")


@blueprint.get("/healthz")
def health() -> Response:
    from sqlalchemy import text

    with services().engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return Response("ok\n", mimetype="text/plain")
