"""each partnership's own wording of its letters, versioned; a person's calendar feed secret
(issue 20)

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-01 08:00:00
"""

import sqlalchemy as sa
from alembic import op

from triggers.db import UTCDateTime

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "letter_templates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("partnership_id", sa.Integer(), sa.ForeignKey("partnerships.id"), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.UniqueConstraint("partnership_id", "kind", "version"),
    )
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("calendar_token_hash", sa.String(length=64), nullable=True))
        batch.create_unique_constraint("uq_users_calendar_token_hash", ["calendar_token_hash"])


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("uq_users_calendar_token_hash", type_="unique")
        batch.drop_column("calendar_token_hash")
    op.drop_table("letter_templates")
