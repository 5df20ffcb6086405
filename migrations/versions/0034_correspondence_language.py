"""cases record the language the applicant asked to be written to: Welsh, English or not known

The Welsh Language Standards: ask a person's language preference at first contact and then
correspond in that language (issue 21). Empty: not known (a bilingual partnership then
writes in Welsh and English, Welsh first).

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-01 08:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "case_reviews",
        sa.Column("correspondence_language", sa.String(2), server_default="", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("case_reviews", "correspondence_language")
