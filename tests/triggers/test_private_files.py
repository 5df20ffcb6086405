"""Files that hold personal data are the service's account's alone (0600 in 0700 folders),
whatever the umask; the published figures are public and stay readable."""

import os
import stat
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from notifications.senders import FileSender, OutgoingMessage
from triggers.backup import backup
from triggers.db import make_engine
from triggers.figures import performance_year


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask():
    """The common default, under which a plain write gives 0644 (the defect)."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_a_backup_is_private(engine, partnership, tmp_path):
    out = tmp_path / "casereview.backup"
    backup(engine, out)
    assert out.stat().st_size > 0
    assert mode(out) == 0o600


def test_a_new_sqlite_database_and_its_wal_and_shm_are_private(tmp_path):
    database = tmp_path / "casereview.db"
    engine = make_engine(f"sqlite:///{database}")
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE cases (reference TEXT)"))
            connection.execute(text("INSERT INTO cases VALUES ('CT-2025-001')"))
        with engine.connect() as connection:  # the WAL and its index exist while one is open
            assert connection.scalar(text("SELECT count(*) FROM cases")) == 1
            files = [database, *tmp_path.glob("casereview.db-*")]
            assert {path.name for path in files} >= {"casereview.db-wal", "casereview.db-shm"}
            assert {path.name: mode(path) for path in files} == dict.fromkeys(
                (path.name for path in files), 0o600
            )
    finally:
        engine.dispose()


def test_an_older_world_readable_database_is_made_private(tmp_path):
    database = tmp_path / "old.db"
    first = make_engine(f"sqlite:///{database}")
    with first.begin() as connection:
        connection.execute(text("CREATE TABLE cases (reference TEXT)"))
    first.dispose()
    os.chmod(database, 0o644)
    engine = make_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        assert mode(database) == 0o600
    finally:
        engine.dispose()


def test_letters_written_as_files_are_private_in_a_private_folder(tmp_path):
    folder = tmp_path / "mail" / "outbox"
    sender = FileSender(folder, "community.safety@example.org")
    sender.send(
        OutgoingMessage(
            message_id="casereview-1@example.org",
            to=("applicant@example.org",),
            subject="Your application for an ASB case review",
            body="Dear applicant",
        )
    )
    (letter,) = folder.glob("*.eml")
    assert mode(letter) == 0o600
    assert mode(folder) == 0o700 and mode(folder.parent) == 0o700


def test_the_published_page_stays_public(engine, sessions, partnership, config, tmp_path):
    from triggers.db import read_session
    from web.publish import publish

    with read_session(sessions) as session:
        written = publish(
            session, config, None, performance_year(2024), tmp_path / "site", date(2025, 5, 1)
        )
    assert {mode(path) for path in written} == {0o644}
