"""The JSON API under /api/v1: cases, their events and their chronology.

Thin by design: authenticate, parse JSON, call ``workflows.service`` in one transaction,
describe the result. Every refusal comes from the domain's error tree (``web.errors``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Blueprint, Response, g, jsonify, request
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from triggers.accounts import record_token_use, user_for_token
from triggers.db import write_transaction
from triggers.models import CaseReview, OutboxMessage, Partnership
from triggers.statuses import LISTED_OUTBOX_STATUSES
from web.api.openapi import openapi_document
from web.errors import error_response
from web.input import number_arg
from web.request_log import request_id
from web.services import services
from workflows import permissions
from workflows.case_agencies import add_agency, remove_agency
from workflows.case_incidents import add_complaint, add_incident
from workflows.case_list import visible_cases
from workflows.case_review import all_states, process_for
from workflows.corrections import correct
from workflows.dashboard import Viewer
from workflows.describe import case_to_describe, describe_case
from workflows.errors import CaseNotFound, InvalidData
from workflows.extensions import extend_deadline
from workflows.permissions import visible_to
from workflows.service import (
    Actor,
    ViewedCase,
    apply,
    case_for_a_step,
    open_case,
    record_chronology,
    record_view_after_reading,
    reverse_step,
)
from workflows.sweep import retry_by_hand

OUTBOX_STATUSES = tuple(str(status) for status in LISTED_OUTBOX_STATUSES)

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")


@blueprint.before_request
def authenticate() -> Response | None:
    if request.endpoint == "api.openapi":
        return None
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _unauthorised("Send an API token as 'Authorization: Bearer <token>'.")
    app = services()
    now = app.now()
    session = g.api_reads = app.sessions()
    holder = user_for_token(session, token.strip(), now)
    if holder is None:
        _end_reads()
        return _unauthorised("The API token is not valid, or has been revoked.")
    user = holder.user
    g.actor = Actor(
        label=user.email,
        user_id=user.id,
        role=user.role,
        address=request.remote_addr or "",
        agency_id=user.agency_id,
        request_id=request_id(),
    )
    g.partnership_id, g.agency_id = user.partnership_id, user.agency_id
    if holder.is_due_a_record or request.method not in ("GET", "HEAD"):
        _end_reads()  # a write comes next: no read transaction is left open beside it
    if holder.is_due_a_record:
        with write_transaction(app.sessions) as session:
            record_token_use(session, holder.token_id, now)
    return None


@contextmanager
def reads() -> Iterator[Session]:
    """A GET's read session: the one its token was checked in (``authenticate``), so that
    a read of the API opens one session and one transaction, not two (a tenth of the case
    GET's CPU went on the second). Ended when the block ends, as ``read_session`` ends its
    own: a case's view is appended after its reads, with nothing left open."""
    session = g.pop("api_reads", None) or services().sessions()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


@blueprint.teardown_request
def _end_reads(_error: BaseException | None = None) -> None:
    """The token's read session, if no read took it over (a refusal, a write)."""
    session = g.pop("api_reads", None)
    if session is not None:
        session.rollback()
        session.close()


@blueprint.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())


@blueprint.get("/cases")
def list_cases() -> Response:
    state = request.args.get("state")
    states = all_states()  # a case may be in a state only a newer version has
    if state is not None and state not in states:
        raise InvalidData({"state": f"must be one of {', '.join(states)}"})
    limit = _int_arg("limit", 100, 1, 500)
    offset = _int_arg("offset", 0, 0, 10**9)
    app = services()
    today = app.policy.today(app.now())
    with reads() as session:
        listed = visible_cases(
            session,
            partnership_id=g.partnership_id,
            role=g.actor.role,
            agency_id=g.agency_id,
            state=state or None,
            limit=limit,
            offset=offset,
        )
    cases = [
        {
            "reference": case.reference,
            "state": case.state,
            "received_on": case.received_on.isoformat() if case.received_on else None,
            "next_due_on": case.due_on.isoformat() if case.due_on else None,
            "working_days_left": (
                app.policy.calendar.working_days_between(today, case.due_on)
                if case.due_on
                else None
            ),
        }
        for case in listed
    ]
    return jsonify({"cases": cases, "limit": limit, "offset": offset})


@blueprint.post("/cases")
def create_case() -> tuple[Response, int, dict[str, str]]:
    body = _json_body()
    app = services()
    now = app.now()
    with write_transaction(app.sessions) as session:
        partnership = session.get_one(Partnership, g.partnership_id)
        case = open_case(session, partnership, body, g.actor, now, app.policy)
        described = describe_case(session, case, app.policy, app.policy.today(now))
    location = f"/api/v1/cases/{described['reference']}"
    return jsonify(described), 201, {"Location": location}


@blueprint.get("/cases/<reference>")
def show_case(reference: str) -> Response:
    app = services()
    now = app.now()
    with reads() as session:
        case = _load(session, reference, to_describe=True)
        viewed = ViewedCase.of(case)
        described = describe_case(session, case, app.policy, app.policy.today(now))
    record_view_after_reading(app.sessions, viewed, g.actor, now, "API")
    return jsonify(described)


@blueprint.post("/cases/<reference>/events")
def apply_event(reference: str) -> Response:
    body = _json_body()
    event = body.pop("event", None)
    if not isinstance(event, str) or not event:
        raise InvalidData({"event": "is required: the name of the step, like 'acknowledge'"})
    app = services()
    now = app.now()
    with write_transaction(app.sessions) as session:
        case = _load(session, reference, for_update=True, event=event)
        outcome = apply(session, case, event, body, g.actor, now, app.policy)
        described = describe_case(session, case, app.policy, app.policy.today(now))
    described["warnings"] = outcome.warnings
    return jsonify(described)


@blueprint.post("/cases/<reference>/chronology")
def add_chronology(reference: str) -> tuple[Response, int]:
    body = _json_body()
    app = services()
    now = app.now()
    with write_transaction(app.sessions) as session:
        case = _load(session, reference, for_update=True)
        record_chronology(session, case, body, g.actor, now, app.policy)
        described = describe_case(session, case, app.policy, app.policy.today(now))
    return jsonify(described), 201


@blueprint.post("/cases/<reference>/deadlines/extensions")
def extend_a_deadline(reference: str) -> Response:
    """An agreed extension or pause of a running deadline (workflows.extensions)."""
    body = _json_body()
    app = services()
    now = app.now()
    with write_transaction(app.sessions) as session:
        case = _load(session, reference, for_update=True)
        extend_deadline(session, case, body, g.actor, now, app.policy)
        described = describe_case(session, case, app.policy, app.policy.today(now))
    return jsonify(described)


def _changed(reference: str, change: Any, status: int = 200) -> tuple[Response, int]:
    """Run ``change`` (session, case, body, actor, now, policy) on the case in one
    transaction; answer with the case and what the person should know."""
    body = _json_body()
    app = services()
    now = app.now()
    with write_transaction(app.sessions) as session:
        case = _load(session, reference, for_update=True)
        notes = change(session, case, body, g.actor, now, app.policy)
        described = describe_case(session, case, app.policy, app.policy.today(now))
    described["notes"] = notes
    return jsonify(described), status


@blueprint.post("/cases/<reference>/corrections")
def correct_case(reference: str) -> tuple[Response, int]:
    """Correct recorded facts with a reason (``workflows.corrections``)."""

    def change(session: Session, case: CaseReview, body: Any, *rest: Any) -> list[str]:
        labels = process_for(case.workflow_version).clock_labels
        return correct(session, case, body, *rest).summary(labels)

    return _changed(reference, change)


@blueprint.post("/cases/<reference>/reverse")
def reverse_latest_step(reference: str) -> tuple[Response, int]:
    """Reverse the latest step, named in ``event``, with a reason."""
    return _changed(reference, lambda *args: reverse_step(*args).warnings)


@blueprint.post("/cases/<reference>/agencies")
def add_case_agency(reference: str) -> tuple[Response, int]:
    return _changed(reference, add_agency, 201)


@blueprint.post("/cases/<reference>/agencies/remove")
def remove_case_agency(reference: str) -> tuple[Response, int]:
    return _changed(reference, lambda *args: remove_agency(*args) or [])


@blueprint.post("/cases/<reference>/incidents")
def add_case_incident(reference: str) -> tuple[Response, int]:
    return _changed(reference, add_incident, 201)


@blueprint.post("/cases/<reference>/complaints")
def add_case_complaint(reference: str) -> tuple[Response, int]:
    return _changed(reference, add_complaint, 201)


@blueprint.get("/outbox")
def list_outbox() -> Response:
    """Messages of the partnership's cases; ``?status=failed`` shows what needs a person."""
    status = request.args.get("status")
    if status is not None and status not in OUTBOX_STATUSES:
        raise InvalidData({"status": f"must be one of {', '.join(OUTBOX_STATUSES)}"})
    with reads() as session:
        query = (
            _visible(select(OutboxMessage, CaseReview.reference))
            .join(CaseReview, CaseReview.id == OutboxMessage.case_id)
            .order_by(OutboxMessage.id.desc())
            .limit(_int_arg("limit", 100, 1, 500))
        )
        if status:
            query = query.where(OutboxMessage.status == status)
        messages = [
            {
                "id": row.id,
                "reference": reference,
                "kind": row.kind,
                "recipient": row.recipient,
                "status": row.status,
                "attempts": row.attempts,
                "last_error": row.last_error or None,
                "sent_at": row.sent_at.isoformat() if row.sent_at else None,
            }
            for row, reference in session.execute(query)
        ]
    return jsonify({"messages": messages})


@blueprint.post("/outbox/<int(max=2147483647):message_id>/retry")
def retry_message(message_id: int) -> Response:
    permissions.require(g.actor, permissions.RETRY_MESSAGE)
    app = services()
    with write_transaction(app.sessions) as session:
        row = session.scalar(
            select(OutboxMessage)
            .join(CaseReview, CaseReview.id == OutboxMessage.case_id)
            .where(OutboxMessage.id == message_id, CaseReview.partnership_id == g.partnership_id)
        )
        if row is None:
            raise CaseNotFound(f"There is no message {message_id} in your partnership.")
        try:
            retry_by_hand(session, row.id, app.now())
        except ValueError as error:
            raise InvalidData({"status": str(error)}) from None
        return jsonify({"id": row.id, "status": row.status})


def _load(
    session: Session,
    reference: str,
    *,
    for_update: bool = False,
    event: str | None = None,
    to_describe: bool = False,
) -> CaseReview:
    """The case with that reference, if the caller may see it; any other is 404.
    ``for_update`` locks it and loads what the step ``event`` reads; ``to_describe`` loads
    what ``describe_case`` reads with it. Both statements are built once per role."""
    viewer = Viewer(g.partnership_id, g.actor.role, g.agency_id)
    key = reference.strip().upper()
    if to_describe:
        case = case_to_describe(session, key, viewer)
    elif for_update:
        case = case_for_a_step(session, event, reference=key, viewer=viewer)
    else:
        case = session.execute(_visible(select(CaseReview)).where(CaseReview.reference == key))
        case = case.unique().scalar()
    if case is None:
        raise CaseNotFound(f"There is no case {reference} that you may see.")
    return case


def _visible(query: Select[Any]) -> Select[Any]:
    return visible_to(
        query, partnership_id=g.partnership_id, role=g.actor.role, agency_id=g.agency_id
    )


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if body is None:
        raise InvalidData(
            {"body": "must be JSON, sent with 'Content-Type: application/json'"},
            "The request body is not valid JSON.",
        )
    if not isinstance(body, dict):
        raise InvalidData({"body": "must be a JSON object"})
    return body


_int_arg = number_arg  # ASCII digits within the range, for every endpoint (web.input)


def _unauthorised(message: str) -> Response:
    response = error_response(401, message)
    response.headers["WWW-Authenticate"] = 'Bearer realm="casereview"'
    return response


# Documents and notes have their own module; its routes are on this blueprint.
from web.api import documents as _documents  # noqa: E402, F401
