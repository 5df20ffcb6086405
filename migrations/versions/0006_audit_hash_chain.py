"""the audit trail as a hash chain, with the address each action came from

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 03:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("client_address", sa.String(length=45), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("content_hash", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("prev_hash", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("hash", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("redacted_on", sa.Date(), nullable=True))
    chain = op.create_table(
        "audit_chain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    _chain_existing_events(chain)


def _chain_existing_events(chain: sa.Table) -> None:
    """Events written before the chain existed are chained now, in the order of their ids,
    with the digest of this revision (the live models describe a later schema)."""
    from triggers.audit import GENESIS, HEAD_ID, digest_before_0010, link_hash

    events = sa.table(
        "audit_events",
        *(sa.column(name) for name in ("id", "partnership_id", "case_id", "actor", "event")),
        *(sa.column(name) for name in ("client_address", "from_state", "to_state")),
        sa.column("at", sa.DateTime()),
        sa.column("step_on", sa.Date()),
        sa.column("data", sa.JSON()),
        *(sa.column(name) for name in ("content_hash", "prev_hash", "hash")),
    )
    connection = op.get_bind()
    previous = GENESIS
    for row in connection.execute(sa.select(events).order_by(events.c.id)).mappings().all():
        digest = digest_before_0010(row)
        link = link_hash(previous, digest)
        connection.execute(
            sa.update(events)
            .where(events.c.id == row["id"])
            .values(content_hash=digest, prev_hash=previous, hash=link)
        )
        previous = link
    connection.execute(sa.insert(chain).values(id=HEAD_ID, last_hash=previous))


def downgrade() -> None:
    op.drop_table("audit_chain")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("redacted_on")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("content_hash")
        batch_op.drop_column("client_address")
