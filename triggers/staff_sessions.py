"""Signed-in sessions kept on the server, so that they can be ended (OWASP session
management: sign-out, deactivation and a password change end the session at once, on every
web node, rather than waiting for a signed cookie to expire).

The cookie holds a random id; the store keeps only its SHA-256, the user, when it started,
when it was last used (the idle timeout runs from there) and when it ended. The store is a
small interface so that another (Redis, issue 23) can stand in for the database table.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Protocol

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.orm import Session

from triggers.accounts import digest
from triggers.models import StaffSession, User

#: last_seen_at is written at most this often: not a database write on every page.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Live:
    user_id: int
    #: last_seen_at is older than TOUCH_EVERY: write it, so the idle timeout restarts.
    due_a_touch: bool
    #: The user's row, when the store read it with the session's (the database's does, in
    #: the same statement: no second query on every request); else the caller reads it.
    user: User | None = None


class SessionStore(Protocol):
    def start(self, db: Session, user_id: int, now: datetime) -> str: ...

    def live(self, db: Session, session_id: str, now: datetime, idle: timedelta) -> Live | None: ...

    def touch(self, db: Session, session_id: str, now: datetime) -> None: ...

    def end(self, db: Session, session_id: str, now: datetime) -> None: ...

    def end_all_of(self, db: Session, user_id: int, now: datetime) -> int: ...


class DatabaseSessions:
    """The ``staff_sessions`` table, written in the caller's transaction."""

    def start(self, db: Session, user_id: int, now: datetime) -> str:
        """A new session for ``user_id``; the id returned goes in the cookie only."""
        session_id = secrets.token_urlsafe(32)
        db.add(
            StaffSession(
                id_hash=digest(session_id), user_id=user_id, created_at=now, last_seen_at=now
            )
        )
        return session_id

    def live(self, db: Session, session_id: str, now: datetime, idle: timedelta) -> Live | None:
        """The live session (not ended, used within ``idle``), or None; only reads, so a
        page view takes no write lock unless the session is due to be touched.

        Its user's row comes in the same statement (``Live.user``): every request reads
        both, so one query instead of two."""
        found = db.execute(_live_statement(), {"id_hash": digest(session_id)}).first()
        if found is None:
            return None
        row, user = found
        if row.ended_at is not None or row.last_seen_at + idle <= now:
            return None
        return Live(row.user_id, due_a_touch=now - row.last_seen_at >= TOUCH_EVERY, user=user)

    def touch(self, db: Session, session_id: str, now: datetime) -> None:
        """Restart the idle timeout (only of a session not ended meanwhile)."""
        db.execute(
            update(StaffSession)
            .where(StaffSession.id_hash == digest(session_id), StaffSession.ended_at.is_(None))
            .values(last_seen_at=now)
        )

    def end(self, db: Session, session_id: str, now: datetime) -> None:
        db.execute(
            update(StaffSession)
            .where(StaffSession.id_hash == digest(session_id), StaffSession.ended_at.is_(None))
            .values(ended_at=now)
        )

    def end_all_of(self, db: Session, user_id: int, now: datetime) -> int:
        """End every session of ``user_id``; how many were live."""
        result = db.execute(
            update(StaffSession)
            .where(StaffSession.user_id == user_id, StaffSession.ended_at.is_(None))
            .values(ended_at=now)
        )
        return result.rowcount


@lru_cache(maxsize=1)
def _live_statement() -> Select[tuple[StaffSession, User]]:
    """Built once, its digest bound at execution (as ``triggers.accounts``' token's): every
    page view runs it, and building it cost as much as running it."""
    return (
        select(StaffSession, User)
        .join(User, User.id == StaffSession.user_id)
        .where(StaffSession.id_hash == bindparam("id_hash"))
    )


#: The store in use.
store: SessionStore = DatabaseSessions()
