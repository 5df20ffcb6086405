"""An API token's last use is written at most every ``TOKEN_USE_RECORDED_EVERY``: a request
with a token used more recently only reads it, so that the API's reads write nothing but
their view (issue 22: clients sharing a token queued on its row, and on SQLite every API
request took the one write lock)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from tests.factories import SAMPLE_NOW, application
from triggers.accounts import TOKEN_USE_RECORDED_EVERY, record_token_use
from triggers.db import read_session, write_transaction
from triggers.models import ApiToken


def last_used(sessions):  # type: ignore[no-untyped-def]
    with read_session(sessions) as session:
        return session.scalars(select(ApiToken.last_used_at)).one()


def read_cases(app, token: str, at) -> None:  # type: ignore[no-untyped-def]
    app.extensions["casereview"].clock = lambda: at
    answer = app.test_client().get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200


def token_writes(statements: list[str]) -> list[str]:
    return [s for s in statements if s.startswith("UPDATE api_tokens")]


def test_a_token_s_first_use_is_recorded(app, manager_token, sessions, statements):
    assert last_used(sessions) is None
    read_cases(app, manager_token, SAMPLE_NOW)
    assert last_used(sessions) == SAMPLE_NOW
    assert len(token_writes(statements)) == 1


def test_a_token_used_minutes_ago_is_only_read(app, manager_token, sessions, statements):
    read_cases(app, manager_token, SAMPLE_NOW)
    statements.clear()
    later = SAMPLE_NOW + TOKEN_USE_RECORDED_EVERY - timedelta(seconds=1)
    read_cases(app, manager_token, later)
    assert token_writes(statements) == []
    assert not any(s == "BEGIN IMMEDIATE" for s in statements)  # SQLite: no write lock
    assert last_used(sessions) == SAMPLE_NOW


def test_a_token_last_used_longer_ago_is_recorded_again(app, manager_token, sessions, statements):
    read_cases(app, manager_token, SAMPLE_NOW)
    statements.clear()
    later = SAMPLE_NOW + TOKEN_USE_RECORDED_EVERY
    read_cases(app, manager_token, later)
    assert len(token_writes(statements)) == 1
    assert last_used(sessions) == later


def test_clients_finding_a_token_due_at_once_write_it_once(manager_token, sessions):
    """Each saw it stale; the first write makes it fresh, and the others change nothing."""
    with read_session(sessions) as session:
        token_id = session.scalars(select(ApiToken.id)).one()
    for seconds in (0, 1, 2):
        with write_transaction(sessions) as session:
            record_token_use(session, token_id, SAMPLE_NOW + timedelta(seconds=seconds))
    assert last_used(sessions) == SAMPLE_NOW


class Connections:
    """How many pooled connections a request checked out, and the most it held at once."""

    def __init__(self, engine) -> None:  # type: ignore[no-untyped-def]
        self.held = self.most = self.checkouts = 0
        self.engine = engine
        event.listen(engine, "checkout", self.out)
        event.listen(engine, "checkin", self.back)

    def out(self, *_args) -> None:  # type: ignore[no-untyped-def]
        self.held += 1
        self.checkouts += 1
        self.most = max(self.most, self.held)

    def back(self, *_args) -> None:  # type: ignore[no-untyped-def]
        self.held -= 1

    def remove(self) -> None:
        event.remove(self.engine, "checkout", self.out)
        event.remove(self.engine, "checkin", self.back)


def a_case(client, auth) -> str:  # type: ignore[no-untyped-def]
    answer = client.post("/api/v1/cases", json=application(date(2025, 11, 20)), headers=auth)
    assert answer.status_code == 201, answer.json
    return answer.json["reference"]


#: Each of the API's kinds of request, and the connections it checks out with a token used
#: a moment ago: a read's one session (its token checked in it) and its view's append.
REQUESTS = [
    ("GET", "/api/v1/cases/{reference}", 200, 2),
    ("GET", "/api/v1/cases", 200, 1),
    ("GET", "/api/v1/cases/{reference}/documents", 200, 2),
    ("GET", "/api/v1/cases/{reference}/notes", 200, 2),
    ("GET", "/api/v1/outbox", 200, 1),
    ("GET", "/api/v1/cases/NO-SUCH-CASE", 404, 1),
    # A write: its token is checked in a session of its own, ended before the write begins.
    ("POST", "/api/v1/cases/{reference}/chronology", 201, 2),
]
CHRONOLOGY = {"agency": "Leicestershire Police", "occurred_on": "2025-10-02", "summary": "Visit"}


@pytest.mark.parametrize(("method", "path", "status", "checkouts"), REQUESTS)
def test_an_api_request_holds_one_connection_at_a_time(
    client, auth, engine, method, path, status, checkouts
):
    """A read checks its token in the session it reads in (one session, not two), and no
    request keeps a read open beside its write or its view's append."""
    reference = a_case(client, auth)
    data = CHRONOLOGY if method == "POST" else None
    connections = Connections(engine)
    try:
        answer = client.open(
            path.format(reference=reference), method=method, json=data, headers=auth
        )
    finally:
        connections.remove()
    assert answer.status_code == status, answer.json
    assert connections.most == 1
    assert connections.checkouts == checkouts
    assert connections.held == 0


def test_a_refused_token_leaves_no_session_open(client, engine):
    connections = Connections(engine)
    try:
        answer = client.get(
            "/api/v1/cases", headers={"Authorization": "Bearer cr_not-a-token-anyone-holds"}
        )
    finally:
        connections.remove()
    assert answer.status_code == 401
    assert connections.held == 0
