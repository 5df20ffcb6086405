"""A partnership's own wording of a letter, kept as numbered versions: the domain's part of
the Letters page (the page checks and previews the text; saving it is this). Earlier
versions are never changed, so a letter as sent can always be read with the words it had;
each save is audited with its text."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from triggers.audit import append_event
from triggers.models import LetterTemplate
from workflows import permissions
from workflows.service import Actor


def latest_template(session: Session, partnership_id: int, kind: str) -> LetterTemplate | None:
    """The partnership's newest wording of letter ``kind``; None while it uses the shipped."""
    return session.scalar(
        select(LetterTemplate)
        .where(LetterTemplate.partnership_id == partnership_id, LetterTemplate.kind == kind)
        .order_by(LetterTemplate.version.desc())
        .limit(1)
    )


def save_template(
    session: Session, partnership_id: int, kind: str, text: str, actor: Actor, now: datetime
) -> int:
    """Keep ``text`` as the next version of the partnership's letter ``kind``, audited, in
    the caller's transaction; returns its version. Refused to anyone who may not change the
    letters' wording, whichever channel asks."""
    permissions.require(actor, permissions.EDIT_LETTERS)
    latest = latest_template(session, partnership_id, kind)
    version = (latest.version if latest else 0) + 1
    session.add(
        LetterTemplate(
            partnership_id=partnership_id,
            kind=kind,
            version=version,
            text=text,
            created_at=now,
            created_by=actor.label,
        )
    )
    append_event(
        session,
        {
            "partnership_id": partnership_id,
            "case_id": None,
            "at": now,
            "actor": actor.label,
            "event": "letter_template_saved",
            "data": {"kind": kind, "version": version, "text": text},
            "client_address": actor.address,
            "request_id": actor.request_id,
        },
    )
    return version
