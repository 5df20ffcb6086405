"""What the several-machines tests share: a PostgreSQL database of their own (whichever
database the rest of the suite runs on: the advisory lock exists only there), letters due
now, a real SMTP sink, and `casereview` processes started and killed for real."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, create_engine, delete, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import POSTGRES_SERVER
from tests.factories import MANAGER, new_case
from tests.notifications.conftest import Mailbox, free_port
from triggers.config import load_config
from triggers.db import make_engine, make_session_factory, write_transaction
from triggers.models import OutboxMessage, Partnership
from triggers.partnerships import sync_partnership
from triggers.policy import Policy
from triggers.schema import upgrade
from workflows.service import apply

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class SharedDatabase:
    url: str
    engine: Engine
    sessions: sessionmaker[Session]
    partnership: Partnership
    policy: Policy


@contextmanager
def fresh_postgres_database() -> Iterator[SharedDatabase]:
    """A fresh PostgreSQL database at the schema head, dropped afterwards."""
    name = f"casereview_hosts_{uuid.uuid4().hex[:10]}"
    server = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_SERVER.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    try:
        upgrade(engine)
        config = load_config(ROOT / "config.toml", environ={})
        sessions = make_session_factory(engine)
        with write_transaction(sessions) as session:
            partnership = sync_partnership(session, config, datetime.now(UTC))
        yield SharedDatabase(url, engine, sessions, partnership, Policy.from_config(config))
    finally:
        engine.dispose()
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture
def shared_database() -> Iterator[SharedDatabase]:
    with fresh_postgres_database() as database:
        yield database


def letters_due(database: SharedDatabase, count: int) -> None:
    """Exactly ``count`` more letters due now: acknowledged applications (three letters each),
    received today, so no reminder falls due while the test runs."""
    now = datetime.now(UTC)
    today = database.policy.today(now)
    cases = -(-count // 3)
    with write_transaction(database.sessions) as session:
        for _ in range(cases):
            case = new_case(session, database.partnership, database.policy, now, received_on=today)
            on = {"on": today.isoformat()}
            apply(session, case, "acknowledge", on, MANAGER, now, database.policy)
        session.flush()
        surplus = session.scalars(
            select(OutboxMessage.id).order_by(OutboxMessage.id.desc()).limit(cases * 3 - count)
        ).all()
        if surplus:
            session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(surplus)))


def outbox(database: SharedDatabase) -> dict[str, int]:
    with write_transaction(database.sessions) as session:
        rows = session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
    return dict(rows)


def wait_for(condition: Callable[[], object], seconds: float, what: str) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.25)
    raise AssertionError(f"waited {seconds:.0f} s for {what}")


@contextmanager
def smtp_sink() -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it is sent."""
    box = Mailbox()
    box.port = free_port()  # type: ignore[attr-defined]
    controller = Controller(box, hostname="127.0.0.1", port=box.port)  # type: ignore[attr-defined]
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def sink() -> Iterator[Mailbox]:
    with smtp_sink() as box:
        yield box


class Processes:
    """`casereview` commands started for real, killed at the end whatever happens."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[subprocess.Popen[bytes]] = []
        self.logs: list[IO[bytes]] = []

    def start(
        self, *args: str, env: dict[str, str], prefix: tuple[str, ...] = ()
    ) -> subprocess.Popen[bytes]:
        log = (self.folder / f"process-{len(self.started)}.log").open("wb")
        self.logs.append(log)
        process = subprocess.Popen(
            [*prefix, sys.executable, "-m", "web.cli", *args],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "CASEREVIEW_CONFIG": str(ROOT / "config.toml"), **env},
        )
        self.started.append(process)
        return process

    def output(self, process: subprocess.Popen[bytes]) -> str:
        index = self.started.index(process)
        return (self.folder / f"process-{index}.log").read_text(errors="replace")

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        for log in self.logs:
            log.close()


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    started = Processes(tmp_path)
    yield started
    started.stop_all()
