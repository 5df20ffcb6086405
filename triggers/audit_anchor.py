"""Signed checkpoints of the audit chain, kept outside the database.

The chain (triggers.audit) shows an edit, but not a rewrite: whoever can write the database
can recompute every link after the event they changed, and the head with them. So, every
``audit.checkpoint_minutes`` and by ``casereview audit checkpoint``, the chain's length and
latest link are appended to a file outside the database (``audit.checkpoint_file``), under an
HMAC-SHA256 whose key is not in the database either (``CASEREVIEW_AUDIT_KEY`` or
``audit.key_file``). ``casereview audit verify`` then checks the chain against every
checkpoint: the event at each checkpoint's count must still carry its link. A DBA can still
drop the events written since the last checkpoint; nothing before it changes unseen (UK GDPR
Art. 5(1)(f) and 5(2); SECURITY.md, "The audit anchor").
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from triggers.audit import GENESIS, ChainReport, verify_chain
from triggers.config import Config, relative_path
from triggers.models import AuditEvent, OutboxMessage, Partnership
from triggers.statuses import Recipients

ENV_AUDIT_KEY = "CASEREVIEW_AUDIT_KEY"
#: Shorter keys could be guessed; 32 bytes is what ``openssl rand -hex 32`` prints in hex.
MINIMUM_KEY_BYTES = 32
#: Signed with every checkpoint, so that the key signs nothing else by accident.
PURPOSE = "casereview audit checkpoint 1"

HOW_TO_CONFIGURE = (
    "set CASEREVIEW_AUDIT_KEY (or [audit] key_file, a file holding the key) and "
    "[audit] checkpoint_file, then run `casereview audit checkpoint` (SECURITY.md, "
    '"The audit anchor")'
)


class AnchorError(Exception):
    """The checkpoints cannot be written or read; the message says why and what to do."""


@dataclass(frozen=True)
class Checkpoint:
    """The chain at one moment: how many events, the last one's id and link."""

    at: datetime
    events: int
    last_id: int | None
    hash: str

    def fields(self) -> dict[str, object]:
        return {
            "at": self.at.astimezone(UTC).isoformat(timespec="seconds"),
            "events": self.events,
            "last_id": self.last_id,
            "hash": self.hash,
        }

    def signature(self, key: bytes) -> str:
        text = json.dumps({"purpose": PURPOSE, **self.fields()}, sort_keys=True)
        return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()

    def line(self, key: bytes) -> str:
        return json.dumps({**self.fields(), "hmac": self.signature(key)}, sort_keys=True)


@dataclass(frozen=True)
class TrailReport:
    """The chain's own report, and what the checkpoints say about it."""

    chain: ChainReport
    #: Checkpoints found true of the chain.
    checkpoints: list[Checkpoint] = field(default_factory=list)
    #: Each checkpoint that does not hold, or cannot be read, in a sentence.
    problems: list[str] = field(default_factory=list)
    #: Why the checkpoints could not be checked at all ("" when they were).
    unchecked: str = ""

    @property
    def intact(self) -> bool:
        return self.chain.intact and not self.problems and not self.unchecked


def checkpoint_path(config: Config) -> Path | None:
    name = config.audit.checkpoint_file
    return relative_path(config, name) if name else None


def audit_key(config: Config, environ: Mapping[str, str] | None = None) -> bytes | None:
    """The checkpoints' key, from the environment or the key file; None when neither is set.

    Never from the database or config.toml: whoever could read it there could sign a
    rewritten chain's checkpoints too."""
    environ = os.environ if environ is None else environ
    if text := environ.get(ENV_AUDIT_KEY, "").strip():
        where, key = ENV_AUDIT_KEY, text.encode()
    elif config.audit.key_file:
        path = relative_path(config, config.audit.key_file)
        try:
            key = path.read_bytes().strip()
        except OSError as error:
            raise AnchorError(
                f"the audit key file {path} cannot be read ({error.strerror})"
            ) from None
        where = str(path)
    else:
        return None
    if len(key) < MINIMUM_KEY_BYTES:
        raise AnchorError(
            f"the audit key in {where} is {len(key)} characters; use at least "
            f"{MINIMUM_KEY_BYTES} (`openssl rand -hex 32` makes one)"
        )
    return key


def current_checkpoint(session: Session, now: datetime) -> Checkpoint:
    """The chain as it stands: one statement, so the count and the link agree."""
    count = select(func.count()).select_from(AuditEvent).scalar_subquery()
    row = session.execute(
        select(AuditEvent.id, AuditEvent.hash, count).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    if row is None:
        return Checkpoint(now, 0, None, GENESIS)
    return Checkpoint(now, row[2], row[0], row[1])


def write_checkpoint(
    session: Session,
    config: Config,
    now: datetime,
    *,
    environ: Mapping[str, str] | None = None,
    only_if_moved: bool = False,
) -> Checkpoint | None:
    """Append the chain's checkpoint to the checkpoint file, flushed to disk; None when
    ``only_if_moved`` and the chain has not moved since the last checkpoint."""
    path, key = _configured(config, environ)
    checkpoint = current_checkpoint(session, now)
    found, _ = read_checkpoints(path, key)
    last = max(found, key=lambda c: c.events, default=None)
    if only_if_moved and last and (last.events, last.hash) == (checkpoint.events, checkpoint.hash):
        return None
    _check_since(session, last)
    try:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(checkpoint.line(key) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        raise AnchorError(
            f"the checkpoint file {path} cannot be written ({error.strerror})"
        ) from None
    if config.audit.checkpoint_email:
        _queue_email(session, checkpoint, key, now)
    return checkpoint


def _check_since(session: Session, last: Checkpoint | None) -> None:
    """Sign nothing the last checkpoint would not vouch for: the chain must still pass
    through it, and every link written since must hold. Only the new events are read, so the
    scheduler notices a rewrite within one interval at the cost of what was written in it."""
    after = None
    if last is not None and last.events:
        count = select(func.count()).where(AuditEvent.id <= last.last_id).scalar_subquery()
        row = session.execute(
            select(AuditEvent.hash, count).where(AuditEvent.id == last.last_id)
        ).first()
        if row is None or tuple(row) != (last.hash, last.events):
            raise AnchorError(
                f"the trail no longer matches the checkpoint of {last.fields()['at']}; no "
                "checkpoint signed. Run `casereview audit verify`"
            )
        after = (last.last_id, last.hash)
    report = verify_chain(session, after=after)
    if not report.intact:
        raise AnchorError(f"{report.reason}; no checkpoint signed. Run `casereview audit verify`")


def _queue_email(session: Session, checkpoint: Checkpoint, key: bytes, now: datetime) -> None:
    """A copy of the checkpoint by e-mail, sent by the next sweep (notifications.compose
    addresses the ``audit`` recipient to ``audit.checkpoint_email``)."""
    partnership = session.scalar(select(Partnership.id).order_by(Partnership.id).limit(1))
    line = checkpoint.line(key)
    dedupe = f"audit_checkpoint:{checkpoint.signature(key)}"
    if partnership is None or session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe)
    ):
        return
    session.add(
        OutboxMessage(
            kind="audit_checkpoint",
            recipient=Recipients.AUDIT,
            dedupe_key=dedupe,
            send_after=now,
            created_at=now,
            payload={"partnership_id": partnership, "line": line, **checkpoint.fields()},
        )
    )


def read_checkpoints(path: Path, key: bytes) -> tuple[list[Checkpoint], list[str]]:
    """The checkpoints whose signature holds, and a sentence for each line that does not."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return [], []
    except (OSError, UnicodeDecodeError) as error:
        raise AnchorError(f"the checkpoint file {path} cannot be read ({error})") from None
    found: list[Checkpoint] = []
    problems: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            checkpoint = Checkpoint(
                datetime.fromisoformat(raw["at"]),
                int(raw["events"]),
                None if raw["last_id"] is None else int(raw["last_id"]),
                str(raw["hash"]),
            )
            signature = str(raw["hmac"])
            if checkpoint.events < 0:
                raise ValueError("a negative count")
        except (ValueError, KeyError, TypeError):
            problems.append(f"{path} line {number} is not a checkpoint: it was altered")
            continue
        if not hmac.compare_digest(signature, checkpoint.signature(key)):
            problems.append(
                f"{path} line {number} (the checkpoint of {raw['at']}) has a signature that "
                "does not match: it was forged or altered, or signed with another key"
            )
            continue
        found.append(checkpoint)
    return found, problems


def verify_trail(
    session: Session,
    config: Config,
    *,
    environ: Mapping[str, str] | None = None,
    checkpoints: Path | None = None,
) -> TrailReport:
    """Check every link of the chain, and the chain against every checkpoint (of the
    configured file, or of ``checkpoints``: lines saved from the e-mailed copies)."""
    try:
        path, key = _configured(config, environ, checkpoints)
    except AnchorError as error:
        return TrailReport(verify_chain(session), unchecked=str(error))
    try:
        found, problems = read_checkpoints(path, key)
    except AnchorError as error:
        return TrailReport(verify_chain(session), unchecked=str(error))
    chain = verify_chain(session, {checkpoint.events for checkpoint in found})
    held: list[Checkpoint] = []
    for checkpoint in sorted(found, key=lambda c: c.events):  # oldest first: see `vouched`
        when = checkpoint.fields()["at"]
        if checkpoint.events > chain.events:
            problems.append(
                f"the checkpoint of {when} counted {checkpoint.events} events and the trail "
                f"now has {chain.events}: events written before that checkpoint were removed"
            )
            continue
        if checkpoint.events == 0:
            held.append(checkpoint)
            continue
        event_id, link = chain.links_at[checkpoint.events]
        if (event_id, link) != (checkpoint.last_id, checkpoint.hash):
            vouched = max(
                (c for c in held if c.events < checkpoint.events),
                key=lambda c: c.events,
                default=None,
            )
            since = (
                f", after event {vouched.last_id}, which an earlier checkpoint vouches for"
                if vouched and vouched.events
                else ""
            )
            problems.append(
                f"event {event_id}, number {checkpoint.events} of the trail, is not the one "
                f"the checkpoint of {when} recorded (event {checkpoint.last_id}): the trail "
                f"was rewritten at or before it{since}"
            )
            continue
        held.append(checkpoint)
    if not found and not problems:
        return TrailReport(
            chain,
            unchecked=f"no checkpoint has been written to {path} yet; run "
            "`casereview audit checkpoint`",
        )
    return TrailReport(chain, held, problems)


def _configured(
    config: Config, environ: Mapping[str, str] | None, path: Path | None = None
) -> tuple[Path, bytes]:
    path = path or checkpoint_path(config)
    key = audit_key(config, environ)
    if path is None or key is None:
        missing = " and ".join(
            what
            for what, absent in (("no checkpoint file", path is None), ("no key", key is None))
            if absent
        )
        raise AnchorError(f"{missing} configured: {HOW_TO_CONFIGURE}")
    return path, key
