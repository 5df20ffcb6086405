"""Engines and sessions: the same code on the embedded SQLite default and on PostgreSQL.

Case files are statutory records, so SQLite runs with WAL and ``synchronous=FULL`` (NORMAL
may lose the last commits on power loss) and with foreign keys enforced. pysqlite's own
transaction handling is switched off and ``BEGIN`` emitted by us, so that rollbacks and
savepoints behave as on PostgreSQL; a writer asks for ``BEGIN IMMEDIATE`` so that two
writers queue instead of failing half-way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import DateTime, Engine, create_engine, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.types import TypeDecorator

#: Connection option that makes the next SQLite transaction take the write lock at once.
SQLITE_IMMEDIATE = "casereview_sqlite_immediate"


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored as naive UTC and returned as aware UTC, on both databases."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def make_engine(url: str, **kwargs: object) -> Engine:
    """An engine for ``url``, with the SQLite settings a statutory record needs."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        _configure_sqlite(engine, in_memory=parsed.database in (None, "", ":memory:"))
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine, *, in_memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):  # type: ignore[no-untyped-def]
        immediate = connection.get_execution_options().get(SQLITE_IMMEDIATE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


@contextmanager
def write_transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose transaction writes: committed at the end, rolled back on any error.

    On SQLite it takes the write lock first, so a read followed by a write can never be
    refused half-way because another writer committed in between.
    """
    session = factory()
    try:
        if session.get_bind().dialect.name == "sqlite":
            session.connection(execution_options={SQLITE_IMMEDIATE: True})
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def read_session(factory: sessionmaker[Session]) -> Iterator[Session]:
    session = factory()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


#: The tables whose sizes decide how the figures, the sweep and the pages are planned.
#: Without statistics PostgreSQL reads a case's incidents by scanning the whole table.
PLANNED_TABLES = (
    "case_reviews",
    "victims",
    "applicants",
    "incidents",
    "complaints",
    "case_agencies",
    "threshold_decisions",
    "panels",
    "recommendations",
    "appeals",
    "deadlines",
    "case_themes",
    "audit_events",
    "outbox",
)


def refresh_statistics(bind: Session | Connection) -> None:
    """Refresh the query planner's statistics after a bulk change (an import, an upgrade).

    Without them SQLite guesses that a small-looking table is best scanned whole, and a
    year's figures would cost what the whole history costs.
    """
    for table in PLANNED_TABLES:
        bind.execute(text(f"ANALYZE {table}"))
