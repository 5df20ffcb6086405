"""Heartbeats: the last time a periodic job succeeded, kept in the database so that every
node's metrics tell the same story, whichever host the job ran on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from triggers.models import Heartbeat

#: Each successful sweep (workflows.scheduler).
SWEEP = "sweep"
#: Each `casereview audit verify` that found the chain whole.
AUDIT_VERIFIED = "audit_verified"


def record_heartbeat(session: Session, name: str, at: datetime, by: str = "") -> None:
    """Set ``name``'s time to ``at`` in one statement (an upsert, so two writers never
    collide on the first insert)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(Heartbeat).values(name=name, at=at, by=by[:100])
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[Heartbeat.name], set_={"at": statement.excluded.at, "by": by[:100]}
        )
    )


def heartbeats(session: Session) -> dict[str, datetime]:
    """Every heartbeat's last time, by name."""
    return {row.name: row.at for row in session.scalars(select(Heartbeat))}
