"""published versions keep the Welsh page (cy/index.html) beside the English one

A bilingual partnership publishes its figures in Welsh and English (issue 21, the Welsh
Language Standards); the version kept with its date keeps both pages. Empty: the partnership
was not bilingual when the version was published.

Revision ID: 0038
Revises: 0034
Create Date: 2026-12-01 10:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0038"
down_revision = "0034"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "published_figures",
        sa.Column("index_cy_html", sa.Text(), server_default="", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("published_figures", "index_cy_html")
