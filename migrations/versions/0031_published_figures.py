"""published versions of the yearly figures, each kept as published (issue 20)

Revision ID: 0031
Revises: 0025
Create Date: 2026-12-01 07:40:00
"""

import sqlalchemy as sa
from alembic import op

from triggers.db import UTCDateTime

revision = "0031"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "published_figures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("partnership_id", sa.Integer(), sa.ForeignKey("partnerships.id"), nullable=False),
        sa.Column("start_year", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("published_by", sa.String(length=320), nullable=False),
        sa.Column("is_provisional", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("index_html", sa.Text(), nullable=False),
        sa.Column("figures_csv", sa.Text(), nullable=False),
        sa.Column("figures_json", sa.Text(), nullable=False),
        sa.UniqueConstraint("partnership_id", "start_year", "version"),
    )


def downgrade() -> None:
    op.drop_table("published_figures")
