"""A pooled PostgreSQL connection the server has closed is replaced at checkout, without a
round trip on a healthy one (triggers.db: no ``pool_pre_ping``): on the machine's server,
whichever database the suite runs on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, event, text

from tests.conftest import POSTGRES_SERVER
from triggers.db import make_engine


@pytest.fixture
def postgresql() -> Iterator[Engine]:
    engine = make_engine(POSTGRES_SERVER)
    yield engine
    engine.dispose()


def _pinged(engine: Engine) -> list[str]:
    """The statements the dialect's ping sends (it bypasses the engine's events)."""
    sent: list[str] = []
    ping = engine.dialect.do_ping

    def counted(dbapi_connection):  # type: ignore[no-untyped-def]
        sent.append("ping")
        return ping(dbapi_connection)

    engine.dialect.do_ping = counted  # type: ignore[method-assign]
    return sent


def test_a_healthy_pooled_connection_is_not_pinged(postgresql):
    pinged = _pinged(postgresql)
    for _ in range(5):
        with postgresql.connect() as connection:
            assert connection.scalar(text("SELECT 1")) == 1
    assert pinged == []


def test_a_connection_the_server_closed_is_replaced_before_anyone_uses_it(postgresql):
    with postgresql.connect() as connection:
        first = connection.scalar(text("SELECT pg_backend_pid()"))
    admin = make_engine(POSTGRES_SERVER)
    with admin.begin() as connection:  # a restart or a failover, as the pool sees it
        # Waiting (up to 10 s) until the backend has gone: its farewell is then on the socket,
        # as it is when a restart or a failover has happened before the next request.
        connection.execute(text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": first})
    admin.dispose()
    invalidated: list[object] = []
    event.listen(postgresql, "invalidate", lambda *args: invalidated.append(args))
    pinged = _pinged(postgresql)
    with postgresql.connect() as connection:  # no error reaches the caller
        again = connection.scalar(text("SELECT pg_backend_pid()"))
    assert again != first
    assert pinged == ["ping"] and len(invalidated) == 1
