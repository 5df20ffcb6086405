"""The migrations are the schema: pinned head, and models that match them exactly."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from triggers.db import make_engine
from triggers.models import Base
from triggers.schema import HEAD_REVISION, current_revision, head_revision, migrations_head


def test_the_migration_head_is_pinned():
    """Bump this when adding a migration, so two branches adding one at once are caught."""
    assert head_revision() == "0039"


def test_the_head_the_commands_check_is_the_migrations_head():
    """The commands compare the database's schema with a constant, not Alembic's reading of
    every migration: bump ``triggers.schema.HEAD_REVISION`` with each migration."""
    assert migrations_head() == HEAD_REVISION


def test_a_database_never_set_up_has_no_revision(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    assert current_revision(engine) is None
    engine.dispose()


def test_the_test_database_is_at_head(engine):
    assert current_revision(engine) == head_revision()


def test_the_models_match_the_migrations(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
