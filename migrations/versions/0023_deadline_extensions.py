"""deadlines record an agreed extension or pause: the original date and the reason

A manager moves a deadline with a reason (and the victim's agreement where the victim asked);
the case page shows the original and the new date, and the figures count a step done by the
new date as within the agreed extension, not late.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01 07:35:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("original_due_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("extension_kind", sa.String(10), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("extension_reason", sa.Text(), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("extension_requested_by", sa.String(20), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("extended_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        for name in (
            "extended_on",
            "extension_requested_by",
            "extension_reason",
            "extension_kind",
            "original_due_on",
        ):
            batch_op.drop_column(name)
