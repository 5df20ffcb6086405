"""online applications: half-finished answers kept on the server until sent or expired

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 05:20:00
"""

import sqlalchemy as sa
from alembic import op

from triggers.db import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "application_drafts",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["partnership_id"], ["partnerships.id"]),
        sa.PrimaryKeyConstraint("token"),
    )
    op.create_index(
        "ix_application_drafts_updated_at", "application_drafts", ["updated_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_application_drafts_updated_at", table_name="application_drafts")
    op.drop_table("application_drafts")
