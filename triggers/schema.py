"""Creating and upgrading the database, always through the Alembic migrations.

``casereview init`` calls ``upgrade``: on a new database it creates every table, on an
existing one it applies what is missing, and run twice it does nothing the second time.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from triggers.db import refresh_statistics


def _alembic_config() -> AlembicConfig:
    config = AlembicConfig()
    # Found, not imported: the migrations depend on triggers, never the other way round.
    spec = find_spec("migrations")
    assert spec is not None and spec.origin is not None
    config.set_main_option("script_location", str(Path(spec.origin).parent))
    return config


def upgrade(engine: Engine) -> None:
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        refresh_statistics(connection)


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> frozenset[str]:
    """Every revision this version knows; one it does not know is a newer version's."""
    script = ScriptDirectory.from_config(_alembic_config())
    return frozenset(revision.revision for revision in script.walk_revisions())


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
