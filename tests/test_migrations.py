"""The migrations are the schema: pinned head, and models that match them exactly."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from triggers.models import Base
from triggers.schema import current_revision, head_revision


def test_the_migration_head_is_pinned():
    """Bump this when adding a migration, so two branches adding one at once are caught."""
    assert head_revision() == "0038"


def test_the_test_database_is_at_head(engine):
    assert current_revision(engine) == head_revision()


def test_the_models_match_the_migrations(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
