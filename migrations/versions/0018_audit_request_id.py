"""audit events record the request that wrote them (the X-Request-ID of the logs)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 05:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing events keep an empty id, which their digests never covered (triggers.audit).
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(
            sa.Column("request_id", sa.String(length=100), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("request_id")
