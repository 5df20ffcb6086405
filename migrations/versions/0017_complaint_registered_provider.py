"""complaints record whether a housing provider is a registered provider

Only a registered provider (England) or registered social landlord (Wales), co-opted under
Schedule 4 of the 2014 Act, is a relevant body, so only a complaint to one counts towards the
s.104 floor. Complaints already recorded keep counting (the default is true).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 04:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "is_registered_provider", sa.Boolean(), server_default=sa.true(), nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_column("is_registered_provider")
