"""the local policing body's review of a case (Crime and Policing Act 2026)

A request (date, grounds) and the body's decision (upheld or not, with its reason), one row
each time a case is referred to the local policing body.

Revision ID: 0020
Revises: 0030
Create Date: 2026-12-01 07:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policing_body_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("grounds", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_by", sa.String(length=320), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_reviews.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("policing_body_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_policing_body_reviews_case_id"), ["case_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("policing_body_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policing_body_reviews_case_id"))
    op.drop_table("policing_body_reviews")
