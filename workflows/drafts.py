"""Half-finished online applications: kept on the server under a random token, so answers
survive going back and forth without personal data in a cookie or a URL, and deleted once
sent or once left alone for ``online.draft_expiry_minutes``."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from triggers.models import ApplicationDraft
from triggers.statuses import DRAFT_SENT

#: The key of a sent application's remains: its reference and acknowledgement date.
SENT = DRAFT_SENT


def start_draft(session: Session, partnership_id: int, now: datetime) -> ApplicationDraft:
    draft = ApplicationDraft(
        token=secrets.token_urlsafe(32),
        partnership_id=partnership_id,
        answers={},
        created_at=now,
        updated_at=now,
    )
    session.add(draft)
    session.flush()
    return draft


def find_draft(
    session: Session, token: str, now: datetime, expiry: timedelta, *, lock: bool = False
) -> ApplicationDraft | None:
    """The draft under ``token``, or None if there is none or it has expired (then it goes).

    ``lock`` holds the row until the transaction ends, so that two sends of one application
    (a double click) queue behind each other instead of both opening a case.
    """
    if not token or len(token) > 64:
        return None
    draft = session.get(ApplicationDraft, token, with_for_update=lock)
    if draft is not None and draft.updated_at <= now - expiry:
        session.delete(draft)
        session.flush()
        return None
    return draft


def save_answers(draft: ApplicationDraft, answers: dict[str, Any], now: datetime) -> None:
    """Replace the answers (a new dict, so the JSON column sees the change)."""
    draft.answers = dict(answers)
    draft.updated_at = now


def mark_sent(draft: ApplicationDraft, sent: dict[str, Any], now: datetime) -> None:
    """Replace the answers by what the confirmation page shows (no personal data), so that
    a second send of the same application finds it was sent; the sweep deletes it later."""
    save_answers(draft, {SENT: sent}, now)


def sent_already(draft: ApplicationDraft) -> dict[str, Any] | None:
    return draft.answers.get(SENT)


def delete_expired_drafts(session: Session, now: datetime, expiry: timedelta) -> int:
    """Delete every draft not changed within ``expiry``; return how many went."""
    result = session.execute(
        delete(ApplicationDraft).where(ApplicationDraft.updated_at <= now - expiry)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
