"""closing a case records the applicant's agreement and a reason per recommendation

Closing while the appeal window is open removes the applicant's route under Schedule 4
paragraph 3 of the 2014 Act, so it needs their recorded agreement; closing with the action
plan's recommendations still open needs a recorded reason for each (done, superseded, or
refused by the agency with its "have regard" response).

Revision ID: 0022
Revises: 0018
Create Date: 2026-12-01 07:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("early_close_agreed_on", sa.Date(), nullable=True))
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("closing_reason", sa.Text(), server_default="", nullable=False)
        )


def downgrade() -> None:
    # A plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): batch mode would copy and drop
    # case_reviews, which the other tables' foreign keys refuse once a case exists.
    op.drop_column("recommendations", "closing_reason")
    op.drop_column("case_reviews", "early_close_agreed_on")
