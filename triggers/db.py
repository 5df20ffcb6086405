"""Engines and sessions: the same code on the embedded SQLite default and on PostgreSQL.

Case files are statutory records, so SQLite runs with WAL and ``synchronous=FULL`` (NORMAL
may lose the last commits on power loss) and with foreign keys enforced. pysqlite's own
transaction handling is switched off and ``BEGIN`` emitted by us, so that rollbacks and
savepoints behave as on PostgreSQL; a writer asks for ``BEGIN IMMEDIATE`` so that two
writers queue instead of failing half-way. The database file is created private (0600) before
SQLite opens it, so its -wal and -shm files, which SQLite gives the same mode, are private too.
"""

from __future__ import annotations

import select
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, create_engine, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from triggers.private_files import make_private, new_private_file

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
        in_memory = parsed.database in (None, "", ":memory:")
        _configure_sqlite(engine, in_memory=in_memory)
        if not in_memory and not str(parsed.database).startswith("file:"):
            _keep_private(engine, Path(str(parsed.database)))
        return engine
    engine = create_engine(url, pool_recycle=POOL_RECYCLE_SECONDS, **kwargs)
    _recover_hung_up(engine)
    return engine


#: A pooled PostgreSQL connection older than this is replaced at its next checkout: one a
#: firewall or a proxy dropped without a word (nothing to read on its socket) is not kept
#: for long.
POOL_RECYCLE_SECONDS = 1800


def _recover_hung_up(engine: Engine) -> None:
    """A pooled connection the server has closed (a restart, a failover, an idle timeout)
    is replaced at checkout, so a person's request never meets it. Not ``pool_pre_ping``:
    that sends a ``SELECT 1`` on every checkout, a round trip per request and per step
    (bench/throughput.py). A server that closes a connection says so on its socket, which
    then has something to read while the pool holds it; only then is the connection pinged,
    and replaced if the ping fails."""

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection, _record, _proxy):  # type: ignore[no-untyped-def]
        if _hung_up(engine, dbapi_connection):
            raise DisconnectionError("the database closed this pooled connection")


def _hung_up(engine: Engine, dbapi_connection: Any) -> bool:
    """Whether a pooled connection is gone. ``poll``, not ``select.select``: a busy server
    holds more than 1,024 files, and ``select`` refuses any descriptor above that. When the
    socket cannot be asked at all, the ping decides: a check that fails is not a dead
    connection."""
    try:
        descriptor = dbapi_connection.fileno()
    except Exception:  # closed already: no file descriptor
        return True
    try:
        poller = select.poll()
        poller.register(descriptor, select.POLLIN | select.POLLPRI)
        readable = bool(poller.poll(0))
    except (OSError, ValueError):
        readable = True  # cannot tell: ask the server
    if not readable:
        return False  # idle and quiet: the common case, answered without a round trip
    try:
        engine.dialect.do_ping(dbapi_connection)
    except Exception:  # any failure of the ping means the connection is gone
        return True
    return False


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


def _keep_private(engine: Engine, database: Path) -> None:
    """The case files are personal data: the database and its sidecars readable by the
    service's account only (triggers.private_files)."""
    if not database.exists() and database.parent.is_dir():
        # An empty file is an empty SQLite database; another process may make it first.
        with suppress(FileExistsError):
            new_private_file(database)
    sidecars = [database.with_name(database.name + suffix) for suffix in ("-wal", "-shm")]

    @event.listens_for(engine, "connect")
    def on_connect(_dbapi_connection, _record):  # type: ignore[no-untyped-def]
        make_private(database, *sidecars)  # an older install's 0644 files


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


@contextmanager
def write_transaction(
    factory: sessionmaker[Session], *, one_statement: bool = False
) -> Iterator[Session]:
    """A session whose transaction writes: committed at the end, rolled back on any error.

    On SQLite it takes the write lock first, so a read followed by a write can never be
    refused half-way because another writer committed in between.

    ``one_statement``: the write is a single statement (a view's append on the audit chain,
    triggers.audit), run on PostgreSQL in autocommit, so that the server commits it as it
    ends. A lock it takes (the chain's head) is then released at once, never held while
    the client sends a COMMIT, a round trip for which its thread may first wait for the GIL
    behind the worker's other requests.
    """
    session = factory()
    try:
        if session.get_bind().dialect.name == "sqlite":
            session.connection(execution_options={SQLITE_IMMEDIATE: True})
        elif one_statement:
            session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
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
