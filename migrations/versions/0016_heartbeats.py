"""heartbeats: when the sweep last succeeded (and other marks the operations team watches)

Revision ID: 0016
Revises: 0010
Create Date: 2026-12-01 03:40:00
"""

import sqlalchemy as sa
from alembic import op

from triggers.db import UTCDateTime

revision = "0016"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "heartbeats",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("by", sa.String(length=100), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("heartbeats")
