"""Fixtures: an app on a fresh database, on SQLite or (CASEREVIEW_TEST_DATABASE=postgresql)
on a PostgreSQL database created for this run and dropped after it.

The schema is built once per run through the real migrations; every test then starts from
empty tables, so tests can commit for real (the concurrency tests need it).
"""

from __future__ import annotations

import dataclasses
import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner
from flask import Flask
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.routing import Rule

from tests.factories import SAMPLE_NOW
from triggers import accounts
from triggers.accounts import create_token, create_user
from triggers.config import Config, DatabaseConfig, load_config
from triggers.db import make_engine, make_session_factory, write_transaction
from triggers.models import Base, Partnership
from triggers.partnerships import sync_partnership
from triggers.policy import Policy
from triggers.schema import upgrade
from web.cli import main

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_SERVER = os.environ.get(
    "CASEREVIEW_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


class CompiledOnce(BytecodeCache):
    """Jinja's compiled templates, kept for the test process.

    Most tests make an app of their own, and each app's Jinja compiled every template it
    rendered again: over half of the route-by-role table's time. Jinja's bytecode cache checks each
    template's source before using what it kept, so a template is still compiled afresh
    whenever it changes; what is rendered is the same.
    """

    def __init__(self) -> None:
        self.kept: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if (code := self.kept.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.kept[bucket.key] = bucket.bytecode_to_string()


def kept_url_builder(rule: Rule, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
    """Werkzeug's URL builder for a rule, generated once per test process.

    Each app compiles two builders for each of its hundred rules from Python's ``ast``: a
    third of making an app, which most tests do. A builder is a plain function of the rule's
    text, its parts and its defaults' names (the rule is passed in when it is called), so the
    same rule in another app can take the same one. A rule whose default fills one of its
    parts bakes the converted value in: that rare kind is compiled afresh each time."""
    defaults = rule.defaults or {}
    if any(dynamic and name in defaults for dynamic, name in rule._trace):
        return _compile_url_builder(rule, append_unknown)
    key = (rule.rule, tuple(rule._trace), tuple(defaults), append_unknown)
    if (builder := _url_builders.get(key)) is None:
        builder = _url_builders[key] = _compile_url_builder(rule, append_unknown)
    return builder


#: Werkzeug's own (3.x); a release without it is run unchanged, only slower.
_compile_url_builder = getattr(Rule, "_compile_builder", None)
_url_builders: dict[tuple[object, ...], Callable[..., tuple[str, str]]] = {}


#: The service's Argon2 (OWASP's parameters: 20 ms of CPU a hash or a verify). The suite signs
#: in thousands of times, so its passwords are hashed at Argon2's lowest cost instead; the
#: tests of the parameters themselves put this one back (tests/web/test_sessions.py).
SERVICE_HASHER = accounts._hasher


def pytest_configure() -> None:
    Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": CompiledOnce()}
    if _compile_url_builder is not None:
        Rule._compile_builder = kept_url_builder  # type: ignore[method-assign]
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


TEST_DATABASE = os.environ.get("CASEREVIEW_TEST_DATABASE", "sqlite")


def pytest_report_header() -> str:
    header = f"casereview test database: {TEST_DATABASE}"
    if TEST_DATABASE == "postgresql":
        header += " (the tests that use no database run in the SQLite run only)"
    return header


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The PostgreSQL run holds the tests that reach the run's database (through the
    ``test_database`` fixture, as ``database_url`` does); the others would do exactly the same
    thing twice, since `make test` runs the SQLite run beside it. Among them are the
    several-machines tests, which make a PostgreSQL database of their own in either run."""
    if TEST_DATABASE != "postgresql":
        return
    reach = [item for item in items if "test_database" in getattr(item, "fixturenames", ())]
    if len(reach) < len(items):
        kept = set(map(id, reach))
        config.hook.pytest_deselected(items=[item for item in items if id(item) not in kept])
        items[:] = reach


@pytest.fixture(scope="session")
def test_database() -> str:
    """The database this run of the suite is on: ``sqlite`` or ``postgresql``."""
    return TEST_DATABASE


@pytest.fixture(scope="session")
def database_url(test_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if test_database == "postgresql":
        name = f"casereview_test_{uuid.uuid4().hex[:10]}"
        server = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
        with server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
            # A test database need not survive the server's crash: its commits do not wait
            # for the disk (a fifth of each test's TRUNCATE); what they see is the same.
            connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
        url = POSTGRES_SERVER.rsplit("/", 1)[0] + f"/{name}"
        yield url
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'casereview.db'}"


@pytest.fixture(scope="session")
def migrated_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(migrated_engine: Engine) -> Iterator[Engine]:
    yield migrated_engine
    with migrated_engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Truncated, not emptied row by row (which costs a tenth): a fresh table gives back
            # rows in the order they were written, as tests reading without ORDER BY expect.
            names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())


@pytest.fixture(scope="session")
def base_config(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Config:
    config = load_config(ROOT / "config.toml", environ={})
    # Tests sign in far more often than people do; tests/web/test_sessions.py checks the limit.
    server = dataclasses.replace(config.server, sign_in_limit="10000 per minute")
    # ... and send far more online applications (tests/web/test_apply.py checks that limit).
    online = dataclasses.replace(
        config.online, submission_limit="10000 per minute", draft_limit="10000 per minute"
    )
    # ... and keep the documents they upload in a folder of this run, not the checkout's.
    documents = dataclasses.replace(
        config.documents, folder=str(tmp_path_factory.mktemp("documents"))
    )
    return dataclasses.replace(
        config,
        database=DatabaseConfig(url=database_url),
        server=server,
        online=online,
        documents=documents,
    )


@pytest.fixture
def config(base_config: Config) -> Config:
    return base_config


@pytest.fixture
def policy(config: Config) -> Policy:
    return Policy.from_config(config)


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def partnership(sessions: sessionmaker[Session], config: Config) -> Partnership:
    with write_transaction(sessions) as session:
        partnership = sync_partnership(session, config, SAMPLE_NOW)
    return partnership


@pytest.fixture
def now() -> datetime:
    return SAMPLE_NOW


@pytest.fixture
def app(config: Config, engine: Engine, partnership: Partnership):  # type: ignore[no-untyped-def]
    from web.app import create_app

    app = create_app(config, engine=engine)
    app.config["TESTING"] = True
    app.extensions["casereview"].clock = lambda: SAMPLE_NOW
    return app


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


def make_token(
    sessions: sessionmaker[Session], partnership: Partnership, role: str, email: str | None = None
) -> str:
    with write_transaction(sessions) as session:
        merged = session.merge(partnership)
        user = create_user(
            session,
            merged,
            email or f"{role}-{uuid.uuid4().hex[:6]}@example.org",
            "correct horse battery staple",
            role,
            datetime.now(UTC),
        )
        return create_token(session, user, datetime.now(UTC))


@pytest.fixture
def manager_token(sessions: sessionmaker[Session], partnership: Partnership) -> str:
    return make_token(sessions, partnership, "manager", "manager@example.org")


@pytest.fixture
def auth(manager_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {manager_token}"}


@pytest.fixture
def run(database_url, engine, partnership):
    def invoke(*args: str, input: str | None = None):
        runner = CliRunner()
        return runner.invoke(
            main,
            list(args),
            input=input,
            env={"DATABASE_URL": database_url, "CASEREVIEW_CONFIG": str(ROOT / "config.toml")},
        )

    return invoke
