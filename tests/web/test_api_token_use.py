"""An API token's last use is written at most every ``TOKEN_USE_RECORDED_EVERY``: a request
with a token used more recently only reads it, so that the API's reads write nothing but
their view (issue 22: clients sharing a token queued on its row, and on SQLite every API
request took the one write lock)."""

from datetime import timedelta

from sqlalchemy import select

from tests.factories import SAMPLE_NOW
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
