"""case reviews record why an application was refused without a threshold decision

Ineligible (anonymous, not anti-social behaviour, the same matter already reviewed) or
vexatious: counted apart from "threshold not met" (2025 statutory guidance). Empty for every
case so far.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 07:31:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_reviews", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("refusal_ground", sa.String(length=20), server_default="", nullable=False)
        )


def downgrade() -> None:
    # A plain ALTER TABLE ... DROP COLUMN (SQLite 3.35 and later): a batch would copy
    # case_reviews, which every case's rows refer to, and SQLite refuses to drop it.
    op.drop_column("case_reviews", "refusal_ground")
