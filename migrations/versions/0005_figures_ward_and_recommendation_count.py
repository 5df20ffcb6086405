"""the yearly figures: the case's area, each review's number of recommendations, and an
index on the date of receipt

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 02:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_reviews", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("ward", sa.String(length=100), server_default="", nullable=False)
        )
        batch_op.create_index("ix_case_reviews_received", ["received_on"], unique=False)

    with op.batch_alter_table("panels", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("recommendation_count", sa.Integer(), server_default="0", nullable=False)
        )
    # Reviews recorded before this migration: count the recommendations they made.
    op.execute(
        "UPDATE panels SET recommendation_count = "
        "(SELECT count(*) FROM recommendations WHERE recommendations.panel_id = panels.id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("panels", schema=None) as batch_op:
        batch_op.drop_column("recommendation_count")

    with op.batch_alter_table("case_reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_case_reviews_received")
        batch_op.drop_column("ward")
