"""a case's history read without its views: a partial index on the audit events that are
not views

A case's page and the API read the case's audit events but its views (workflows.describe);
the views were filtered out row by row, so the read grew with every time the case was seen
(a case viewed 500 times: 0.7 ms a read against 0.03). The index holds only the events
that are not views, in the order they were written.

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-01 23:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0039"
down_revision = "0038"
branch_labels = None
depends_on = None

NOT_A_VIEW = "event != 'viewed'"


def upgrade() -> None:
    op.create_index(
        "ix_audit_events_case_history",
        "audit_events",
        ["case_id", "id"],
        sqlite_where=sa.text(NOT_A_VIEW),
        postgresql_where=sa.text(NOT_A_VIEW),
    )


def downgrade() -> None:
    op.drop_index("ix_audit_events_case_history", table_name="audit_events")
