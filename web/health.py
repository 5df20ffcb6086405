"""A health check for load balancers and monitoring: the database answers."""

from __future__ import annotations

from flask import Blueprint, Response
from sqlalchemy import text

from web.app import services

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def health() -> Response:
    with services().engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return Response("ok\n", mimetype="text/plain")
