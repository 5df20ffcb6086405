"""Health and readiness, for a load balancer and for monitoring.

``/healthz`` says only that the process answers (a liveness probe: restart it if not); it
touches no database, so a database outage does not make every node look dead at once.
``/readyz`` says whether this node can serve now (a readiness probe: send it traffic or
not): the database answers and its schema is the one this version needs (one small read of
Alembic's version table); it answers 503 with what failed, never a stack trace. Where the
limits are counted in Redis it says whether Redis answers too, but a silent Redis leaves the
node ready ("degraded"): the limits then count in each node's memory (web.shared_limits) and
the pages answer, whereas a 503 would make the load balancer drop every node at once. So is
a node whose schema is newer than its own version (an upgrade under way: the old nodes serve
until they are replaced), while one whose schema is older is not ready (run `casereview init`).
"""

from __future__ import annotations

from functools import cache

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from web.services import services

blueprint = Blueprint("health", __name__)

NEWER = "the schema is newer"


@cache
def _head() -> str:
    from triggers.schema import head_revision

    return head_revision()


@cache
def _known_revisions() -> frozenset[str]:
    from triggers.schema import known_revisions

    return known_revisions()


@blueprint.get("/healthz")
def health() -> Response:
    return Response("ok\n", mimetype="text/plain")


@blueprint.get("/readyz")
def ready() -> Response:
    checks = {"database": _database(), **_redis()}
    ready = checks["database"] == "ok" or checks["database"].startswith(NEWER)
    status = "unavailable" if not ready else "ready" if _all_ok(checks) else "degraded"
    response = jsonify({"status": status, "checks": checks})
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def _all_ok(checks: dict[str, str]) -> bool:
    return all(result == "ok" for result in checks.values())


def _database() -> str:
    try:
        with services().engine.connect() as connection:
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError as error:
        current_app.logger.warning("readiness: the database does not answer: %s", error)
        return "the database does not answer"
    if revision == _head():
        return "ok"
    if revision and revision not in _known_revisions():
        # `casereview init` of a newer version ran while this node still serves: migrations
        # only add (README, "Running it for real"), so it serves on until it is replaced.
        return f"{NEWER} ({revision}) than this version's ({_head()}): upgrade this node"
    return f"the schema is at {revision or 'none'}, this version needs {_head()}"


def _redis() -> dict[str, str]:
    storage = services().config.server.limits_storage
    if storage.startswith("memory://"):
        return {}
    # The limiter's own storage, with its one-second timeouts (web.shared_limits).
    answers = current_app.extensions["casereview.limiter"].storage.check()
    return {"redis": "ok" if answers else "Redis does not answer: limits counted per node"}
