"""the audit trail's free text digested apart, so that a redacted event's other columns
stay checked; the chain re-linked with the new digests

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 04:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

PAGE = 5000

EVENTS = sa.table(
    "audit_events",
    *(sa.column(name) for name in ("id", "partnership_id", "case_id", "actor", "event")),
    *(sa.column(name) for name in ("client_address", "from_state", "to_state")),
    sa.column("at", sa.DateTime()),
    sa.column("step_on", sa.Date()),
    sa.column("redacted_on", sa.Date()),
    sa.column("data", sa.JSON()),
    *(sa.column(name) for name in ("text_hash", "content_hash", "prev_hash", "hash")),
)
CHAIN = sa.table("audit_chain", sa.column("id"), sa.column("last_hash"))


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("text_hash", sa.String(length=64), server_default="", nullable=False)
        )
    _relink(upgrading=True)


def downgrade() -> None:
    _relink(upgrading=False)
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("text_hash")


def _relink(*, upgrading: bool) -> None:
    """Check every link under the digest being replaced, then write the new ones.

    An event redacted before this revision has lost the free text its old digest covered:
    that digest becomes its ``text_hash``, standing for the text as retention leaves it to."""
    from triggers.audit import (
        GENESIS,
        HEAD_ID,
        BrokenTrail,
        digest_before_0010,
        link_hash,
        record_digest,
        text_digest,
    )

    connection = op.get_bind()
    old_previous = new_previous = GENESIS
    after = 0
    while True:
        rows = (
            connection.execute(
                sa.select(EVENTS).where(EVENTS.c.id > after).order_by(EVENTS.c.id).limit(PAGE)
            )
            .mappings()
            .all()
        )
        if not rows:
            break
        links = []
        for row in rows:
            redacted = row["redacted_on"] is not None
            if upgrading:  # the old digest covered everything, save a redacted text
                holds = redacted or digest_before_0010(row) == row["content_hash"]
                text = row["content_hash"] if redacted else text_digest(row)
                record = record_digest(row, text)
            else:
                holds = record_digest(row, row["text_hash"]) == row["content_hash"] and (
                    redacted or text_digest(row) == row["text_hash"]
                )
                text, record = "", row["text_hash"] if redacted else digest_before_0010(row)
            if not (
                holds
                and row["prev_hash"] == old_previous
                and row["hash"] == link_hash(old_previous, row["content_hash"])
            ):
                raise BrokenTrail(
                    f"the audit trail does not hold at event {row['id']}; this upgrade "
                    "re-links the trail and so would hide that. Restore the last good "
                    "backup (or find out what changed it) and run it again."
                )
            link = link_hash(new_previous, record)
            links.append(
                {
                    "row_id": row["id"],
                    "text": text,
                    "record": record,
                    "previous": new_previous,
                    "link": link,
                }
            )
            old_previous, new_previous, after = row["hash"], link, row["id"]
        connection.execute(
            sa.update(EVENTS)
            .where(EVENTS.c.id == sa.bindparam("row_id"))
            .values(
                text_hash=sa.bindparam("text"),
                content_hash=sa.bindparam("record"),
                prev_hash=sa.bindparam("previous"),
                hash=sa.bindparam("link"),
            ),
            links,
        )
    head = connection.scalar(sa.select(CHAIN.c.last_hash).where(CHAIN.c.id == HEAD_ID))
    if (head or GENESIS) != old_previous:
        raise BrokenTrail(
            "the audit trail ends before its head: its latest events were removed. Restore "
            "the last good backup and upgrade again."
        )
    if head is not None:
        connection.execute(
            sa.update(CHAIN).where(CHAIN.c.id == HEAD_ID).values(last_hash=new_previous)
        )
