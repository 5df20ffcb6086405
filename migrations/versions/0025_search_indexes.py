"""search: an index on each searched column (trigram indexes on PostgreSQL)

Revision ID: 0025
Revises: 0021
Create Date: 2026-12-01 07:20:00
"""

from alembic import op

revision = "0025"
down_revision = "0021"
branch_labels = None
depends_on = None

#: table → the columns the search box matches (workflows.search).
SEARCHED = {
    "victims": ("name", "address", "postcode", "email", "phone"),
    "applicants": ("name", "address", "email", "phone"),
}


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        # A trusted extension since PostgreSQL 13: the database's owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, columns in SEARCHED.items():
        for column in columns:
            op.create_index(
                f"ix_{table}_{column}_search",
                table,
                [column],
                postgresql_using="gin",
                postgresql_ops={column: "gin_trgm_ops"},
            )


def downgrade() -> None:
    for table, columns in SEARCHED.items():
        for column in columns:
            op.drop_index(f"ix_{table}_{column}_search", table_name=table)
