"""flat as history grows: partial indexes for late recommendations, failed messages and
the sweep's claims in flight

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 06:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OPEN = "status IN ('open', 'in_progress')"
FAILED = "status = 'failed'"
SENDING = "status = 'sending'"


def upgrade() -> None:
    op.create_index(
        "ix_recommendations_open_due",
        "recommendations",
        ["due_on"],
        sqlite_where=sa.text(OPEN),
        postgresql_where=sa.text(OPEN),
    )
    op.create_index(
        "ix_outbox_failed",
        "outbox",
        ["id"],
        sqlite_where=sa.text(FAILED),
        postgresql_where=sa.text(FAILED),
    )
    op.create_index(
        "ix_outbox_sending",
        "outbox",
        ["claimed_at"],
        sqlite_where=sa.text(SENDING),
        postgresql_where=sa.text(SENDING),
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_sending", table_name="outbox")
    op.drop_index("ix_outbox_failed", table_name="outbox")
    op.drop_index("ix_recommendations_open_due", table_name="recommendations")
