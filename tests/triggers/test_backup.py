"""Backup and restore: a backup restored into an empty database holds everything."""

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, select, text

from tests.conftest import POSTGRES_SERVER
from tests.factories import case_in_state
from triggers.backup import BackupError, backup, restore
from triggers.db import make_engine, write_transaction
from triggers.models import AuditEvent, CaseReview, OutboxMessage


@pytest.fixture
def empty_database(engine: Engine, tmp_path) -> Iterator[Engine]:
    """A new, empty database of the same kind as the one under test."""
    if engine.dialect.name == "sqlite":
        target = make_engine(f"sqlite:///{tmp_path / 'restored.db'}")
        yield target
        target.dispose()
        return
    name = f"casereview_restore_{uuid.uuid4().hex[:8]}"
    server = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    target = make_engine(POSTGRES_SERVER.rsplit("/", 1)[0] + f"/{name}")
    yield target
    target.dispose()
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


def rows(engine: Engine) -> dict[str, list[tuple]]:
    with engine.connect() as connection:
        return {
            "cases": connection.execute(
                select(CaseReview.reference, CaseReview.state, CaseReview.version).order_by(
                    CaseReview.id
                )
            ).all(),
            "audit": connection.execute(
                select(AuditEvent.id, AuditEvent.event, AuditEvent.actor, AuditEvent.data).order_by(
                    AuditEvent.id
                )
            ).all(),
            "outbox": connection.execute(
                select(OutboxMessage.dedupe_key, OutboxMessage.status).order_by(OutboxMessage.id)
            ).all(),
        }


def test_a_backup_restored_into_an_empty_database_holds_every_case_event_and_message(
    engine, sessions, partnership, policy, empty_database, tmp_path
):
    with write_transaction(sessions) as session:
        for state in ("received", "threshold_not_met", "appeal", "closed", "withdrawn"):
            case_in_state(session, partnership, policy, state)
    before = rows(engine)
    assert len(before["cases"]) == 5 and before["audit"] and before["outbox"]

    held = backup(engine, tmp_path / "casereview.backup")
    assert (held.cases, held.audit_events, held.messages) == (
        5,
        len(before["audit"]),
        len(before["outbox"]),
    )
    restored = restore(empty_database, tmp_path / "casereview.backup")
    assert restored == held
    assert rows(empty_database) == before


def test_a_backup_never_overwrites_a_file(engine, partnership, tmp_path):
    existing = tmp_path / "old.backup"
    existing.write_text("last week's backup")
    with pytest.raises(BackupError, match="already exists"):
        backup(engine, existing)
    assert existing.read_text() == "last week's backup"


def test_a_restore_refuses_a_database_that_is_not_empty(engine, partnership, tmp_path):
    backup(engine, tmp_path / "casereview.backup")
    with pytest.raises(BackupError, match="not empty"):
        restore(engine, tmp_path / "casereview.backup")


def test_a_restore_refuses_a_file_that_is_not_a_backup(empty_database, tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup at all")
    with pytest.raises(BackupError, match="is not a"):
        restore(empty_database, junk)
    with pytest.raises(BackupError, match="no such file"):
        restore(empty_database, tmp_path / "missing.backup")
