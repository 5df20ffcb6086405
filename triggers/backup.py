"""Backup and restore of the whole database: case files are statutory records.

SQLite is copied with its online backup API (a consistent copy while the service runs, WAL
included); PostgreSQL with ``pg_dump`` in its custom format and ``pg_restore``. A restore
goes only into an empty database, so it can never mix two histories or overwrite the live
one by mistake. A backup holds every case file, so it is written private (0600) from its
first byte (triggers.private_files).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, inspect, select

from triggers.models import AuditEvent, CaseReview, OutboxMessage
from triggers.private_files import new_private_file

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Contents:
    """What a database holds, to report after a backup and to compare after a restore."""

    cases: int
    audit_events: int
    messages: int

    def __str__(self) -> str:
        return f"{self.cases} cases, {self.audit_events} audit events, {self.messages} messages"


def contents(engine: Engine) -> Contents:
    with engine.connect() as connection:

        def count(model: type) -> int:
            return connection.scalar(select(func.count()).select_from(model)) or 0

        return Contents(count(CaseReview), count(AuditEvent), count(OutboxMessage))


def backup(engine: Engine, out: Path) -> Contents:
    """Write a consistent copy of the database to ``out`` (which must not exist yet)."""
    if out.exists():
        raise BackupError(f"{out} already exists: choose a new file, backups are never overwritten")
    if not out.parent.is_dir():
        raise BackupError(f"the folder {out.parent} does not exist")
    try:
        new_private_file(out)  # SQLite and pg_dump write into it and keep its mode
    except FileExistsError:
        raise BackupError(
            f"{out} already exists: choose a new file, backups are never overwritten"
        ) from None
    try:
        if engine.dialect.name == "sqlite":
            raw = engine.raw_connection()
            try:
                target = sqlite3.connect(out)
                try:
                    raw.driver_connection.backup(target)  # type: ignore[union-attr]
                finally:
                    target.close()
            finally:
                raw.close()
        else:
            _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(out)], engine)
    except BaseException:
        out.unlink(missing_ok=True)  # no half-written backup left to be trusted later
        raise
    return contents(engine)


def restore(engine: Engine, source: Path) -> Contents:
    """Restore a backup into this database, which must be empty (no tables at all)."""
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    header = source.read_bytes()[:16]
    tables = inspect(engine).get_table_names()
    if tables:
        raise BackupError(
            "the database is not empty (it has tables): restore into a new, empty database, "
            "then point DATABASE_URL at it"
        )
    if engine.dialect.name == "sqlite":
        if not header.startswith(SQLITE_HEADER):
            raise BackupError(f"{source} is not a SQLite backup made by `casereview backup`")
        origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        raw = engine.raw_connection()
        try:
            origin.backup(raw.driver_connection)  # type: ignore[arg-type]
        finally:
            origin.close()
            raw.close()
    else:
        if not header.startswith(PG_DUMP_HEADER):
            raise BackupError(f"{source} is not a PostgreSQL backup made by `casereview backup`")
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                "--dbname",
                engine.url.database or "",
                str(source),
            ],
            engine,
        )
    engine.dispose()  # connections opened before the restore saw an empty database
    return contents(engine)


def _run(command: list[str], engine: Engine) -> None:
    """Run a PostgreSQL client tool on this database; the password goes in its environment,
    never on its command line where any user of the machine could read it."""
    url = engine.url
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PGHOST": url.host or "",
        "PGPORT": str(url.port or 5432),
        "PGUSER": url.username or "",
        "PGDATABASE": url.database or "",
    }
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=3600, env=environment
        )
    except FileNotFoundError:
        raise BackupError(
            f"{command[0]} is not installed: install the PostgreSQL client tools "
            "(Debian: postgresql-client) of the server's version"
        ) from None
    if done.returncode != 0:
        error = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{command[0]} failed: {error[-1] if error else done.returncode}")
