"""Creating and upgrading the database, always through the Alembic migrations.

``casereview init`` calls ``upgrade``: on a new database it creates every table, on an
existing one it applies what is missing, and run twice it does nothing the second time.

Every other command only checks that the database is at this version's schema. That check
reads the one row of ``alembic_version`` and compares it with ``HEAD_REVISION``, a constant,
so that a command does not import Alembic and parse every migration before its first query
(tests/test_migrations.py keeps the constant equal to the migrations' head).
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text

from triggers.db import refresh_statistics

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

#: The newest migration's revision id: bump it with each migration added (a test fails
#: until it equals the head Alembic finds in migrations/versions).
HEAD_REVISION = "0039"


def _alembic_config() -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    # Found, not imported: the migrations depend on triggers, never the other way round.
    spec = find_spec("migrations")
    assert spec is not None and spec.origin is not None
    config.set_main_option("script_location", str(Path(spec.origin).parent))
    return config


def upgrade(engine: Engine) -> None:
    from alembic import command

    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        refresh_statistics(connection)


def head_revision() -> str:
    """The schema this version needs."""
    return HEAD_REVISION


def migrations_head() -> str:
    """The head of migrations/versions as Alembic finds it (slow: it reads every file)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> frozenset[str]:
    """Every revision this version knows; one it does not know is a newer version's."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config())
    return frozenset(revision.revision for revision in script.walk_revisions())


def current_revision(engine: Engine) -> str | None:
    """The database's schema revision; None for a database never set up."""
    with engine.connect() as connection:
        if not connection.dialect.has_table(connection, "alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
