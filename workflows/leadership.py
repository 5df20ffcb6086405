"""Which process sweeps: one leader among every `casereview serve` and `casereview scheduler`,
on however many hosts.

The sweep is safe when two run at once (claims with ``FOR UPDATE SKIP LOCKED``); one leader
keeps the work, the log and the load in one place. On PostgreSQL the leader holds a
session-level advisory lock on a connection of its own for its whole life: when the process
dies or its connection drops, PostgreSQL ends the session and frees the lock, and a
follower, which tries every minute, takes over. TCP keep-alives, set on both ends, make a
host that vanishes without closing its connection count as gone within about half a minute.
That connection must reach PostgreSQL itself (or a pooler in *session* mode): a pooler in
transaction mode would hand the lock to whichever session it pleased. On SQLite (one
machine) a lock file beside the configuration does the same for that machine's processes.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import tempfile
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

#: The advisory lock's key (advisory locks are per database, so two installations on one
#: server never share it): "casereview scheduler" as a bigint.
LOCK_KEY = int.from_bytes(b"crsched1", "big") - 2**63

#: libpq's keep-alives: a leader whose database vanished notices within about 25 seconds.
CLIENT_KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "connect_timeout": 10,
}
#: The server's keep-alives for the lock's session only: a leader whose host vanished
#: without closing its connection loses the lock within about 25 seconds.
SERVER_KEEPALIVES = {
    "tcp_keepalives_idle": 10,
    "tcp_keepalives_interval": 5,
    "tcp_keepalives_count": 3,
}


class Leadership(Protocol):
    """Asked before each run of a job: may this process run it now?"""

    def lead(self) -> bool:
        """True if this process leads: it takes the lead when it is free, and checks that it
        still holds it when it already had it."""

    def release(self) -> None:
        """Give up the lead (at shutdown), so another process takes it at its next try."""


class PostgresLeadership:
    """A session-level advisory lock held on a dedicated connection (see the module)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = create_engine(engine.url, poolclass=NullPool, connect_args=CLIENT_KEEPALIVES)
        self._connection: Connection | None = None

    @property
    def is_leader(self) -> bool:
        return self._connection is not None

    def lead(self) -> bool:
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT 1"))
                return True
            except DBAPIError as error:
                log.warning("lost the scheduler lead: its database connection dropped (%s)", error)
                self._drop()
        try:
            connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        except DBAPIError as error:
            log.warning("cannot reach the database to ask for the scheduler lead: %s", error.orig)
            return False
        try:
            for name, seconds in SERVER_KEEPALIVES.items():
                connection.execute(text(f"SET {name} = {int(seconds)}"))
            held = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}
            ).scalar_one()
        except DBAPIError as error:
            log.warning("cannot ask for the scheduler lead: %s", error.orig)
            connection.close()
            return False
        if not held:
            connection.close()
            return False
        self._connection = connection
        log.info("this process now leads the scheduler (PostgreSQL advisory lock)")
        return True

    def release(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(DBAPIError):  # if the connection is gone, so is the lock
                self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
            self._drop()
        self._engine.dispose()

    def _drop(self) -> None:
        assert self._connection is not None
        with contextlib.suppress(DBAPIError):  # closing a dead connection
            self._connection.invalidate()
            self._connection.close()
        self._connection = None


class FileLeadership:
    """An exclusive lock on a file, for the processes of one machine (SQLite)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    @property
    def is_leader(self) -> bool:
        return self._handle is not None

    def lead(self) -> bool:
        if self._handle is not None:
            return True
        try:
            handle = self.path.open("a")
        except OSError:  # a read-only config folder: lock in the temporary folder instead
            self.path = Path(tempfile.gettempdir()) / self.path.name
            handle = self.path.open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._handle = handle
        log.info("this process now leads the scheduler (lock file %s)", self.path)
        return True

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def leadership_for(engine: Engine, lock_path: Path) -> PostgresLeadership | FileLeadership:
    """The advisory lock on PostgreSQL, the lock file elsewhere."""
    if engine.dialect.name == "postgresql":
        return PostgresLeadership(engine)
    return FileLeadership(lock_path)
