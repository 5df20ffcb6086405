"""The audit trail as a hash chain, so that a change made behind the service's back shows.

Every audit event carries two digests: ``text_hash`` of its free text (``data``), and
``content_hash`` of everything else it records and of ``text_hash``; and a link hash over
``content_hash`` and the previous event's link (UK GDPR Art. 5(1)(f) and 5(2): integrity, and
being able to show it). Retention may then remove an old case's free text (``redacted_on``):
``text_hash`` stands for it, and all else the event recorded is still recomputed. The events
of the whole installation form one chain in the order of their ids; ``audit_chain`` holds
its head, locked by each transaction that appends (``FOR UPDATE`` on PostgreSQL; SQLite's
writers are already one at a time), so two writers can never fork it. Every writer of the
installation queues for that one row, so it is held as briefly as can be: on PostgreSQL one
event is one statement (the link computed by the server), and a read path's view is appended
as its transaction commits (``append_at_commit``), not while its page is built. ``verify_chain``
recomputes every link and names the first that does not hold: an edited event, a deleted
one, a cut tail, or a redaction the trail does not record. A chain rewritten whole is caught
by the checkpoints kept outside the database (triggers.audit_anchor).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date
from typing import Any

from sqlalchemy import bindparam, event, func, insert, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, SessionTransaction

from triggers.models import AuditChain, AuditEvent


class BrokenTrail(Exception):
    """The trail does not hold where an operation needs it to (the 0010 upgrade re-links it,
    which would hide a break)."""


#: The "previous hash" of the first event.
GENESIS = "0" * 64
HEAD_ID = 1


#: The columns an event's digest covers: everything recorded except its id and hashes.
CONTENT_COLUMNS = (
    "partnership_id",
    "case_id",
    "at",
    "actor",
    "client_address",
    "request_id",
    "event",
    "from_state",
    "to_state",
    "step_on",
    "data",
)


def content_of(row: Mapping[str, Any]) -> dict[str, Any]:
    """What the digests cover, from an event's column values (a row about to be inserted in
    bulk, or an event read back)."""
    at = row["at"]  # aware from the models; naive UTC as the migrations read it
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    at = at.isoformat(timespec="microseconds")
    step_on = row.get("step_on")
    return {
        "partnership_id": row["partnership_id"],
        "case_id": row.get("case_id"),
        "at": at,
        "actor": row["actor"],
        "address": row.get("client_address") or "",
        "event": row["event"],
        "from_state": row.get("from_state") or "",
        "to_state": row.get("to_state") or "",
        "step_on": step_on.isoformat() if step_on else None,
        "data": row.get("data") or {},
    } | (
        # Covered once recorded; absent from events written before it existed (before
        # 0018, and by the CLI and the scheduler), whose digests stay as they were.
        {"request_id": row["request_id"]} if row.get("request_id") else {}
    )


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def text_digest(row: Mapping[str, Any]) -> str:
    """The digest of the free text retention may remove (``data``): once it is removed, the
    stored ``text_hash`` stands for it."""
    return _digest(row.get("data") or {})


def record_digest(row: Mapping[str, Any], text_hash: str) -> str:
    """The digest of everything else recorded, and of the free text's digest: what no
    redaction may change, so verify always recomputes it."""
    record = content_of(row)
    del record["data"]
    return _digest({**record, "text_hash": text_hash})


def digest_before_0010(row: Mapping[str, Any]) -> str:
    """The one digest over everything recorded that revisions 0006 to 0009 wrote: for the
    migrations only (0010 replaced it, since it left a redacted event's columns unchecked)."""
    return _digest(content_of(row))


def link_hash(previous: str, digest: str) -> str:
    return hashlib.sha256(f"{previous}\n{digest}".encode()).hexdigest()


def chain_fields(previous: str, row: Mapping[str, Any]) -> dict[str, str]:
    """The hash columns of an event given as column values, linked after ``previous``."""
    text = text_digest(row)
    record = record_digest(row, text)
    return {
        "text_hash": text,
        "content_hash": record,
        "prev_hash": previous,
        "hash": link_hash(previous, record),
    }


def columns_of(audit: AuditEvent) -> dict[str, Any]:
    return {name: getattr(audit, name) for name in CONTENT_COLUMNS}


def event_hash(previous: str, audit: AuditEvent) -> str:
    return chain_fields(previous, columns_of(audit))["hash"]


_EVENTS = AuditEvent.__table__
_CHAIN = AuditChain.__table__
_INSERT_EVENT = insert(_EVENTS)
_LOCKED_HEAD = select(AuditChain.last_hash).where(AuditChain.id == HEAD_ID).with_for_update()
_MOVE_HEAD = update(_CHAIN).where(_CHAIN.c.id == HEAD_ID).values(last_hash=bindparam("head"))
#: What the caller gives for one event: its columns and the digests that need no lock.
_GIVEN = (*CONTENT_COLUMNS, "text_hash", "content_hash")


def _append_one_statement() -> Any:
    """PostgreSQL: lock the head, insert the event linked after it and move the head on, in
    ONE statement. The link is ``link_hash`` computed by the server (sha256 of the previous
    link, a newline and the content digest), so nothing runs in Python while the head is held
    and a step or a view pays one round trip for the chain instead of three. No row comes
    back when the head row does not exist yet (a new installation)."""
    head = select(_CHAIN.c.last_hash).where(_CHAIN.c.id == HEAD_ID).with_for_update().cte("head")
    linked = func.encode(
        func.sha256(
            func.convert_to(head.c.last_hash + literal("\n") + bindparam("content_hash"), "UTF8")
        ),
        "hex",
    )
    # Typed, so that the driver casts each to its column's type (a JSON ``data`` included).
    given = [bindparam(name, type_=_EVENTS.c[name].type) for name in _GIVEN]
    appended = (
        insert(_EVENTS)
        .from_select(
            [*_GIVEN, "prev_hash", "hash"],
            select(*given, head.c.last_hash, linked).select_from(head),
        )
        .returning(_EVENTS.c.hash, literal(HEAD_ID).label("head_id"))
        .cte("appended")
    )
    return (
        update(_CHAIN)
        .where(_CHAIN.c.id == appended.c.head_id)
        .values(last_hash=appended.c.hash)
        .returning(_CHAIN.c.last_hash)
    )


_APPEND_ONE = _append_one_statement()


#: What an event records when its writer does not say (the insert takes every column).
_UNSAID: dict[str, Any] = {
    "case_id": None,
    "client_address": "",
    "request_id": "",
    "from_state": "",
    "to_state": "",
    "step_on": None,
    "data": {},
}


def append_events(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """The one way an audit event is written: insert ``rows`` (column values, each with its
    ``case_id`` known) on the chain at once, in order: the head locked, each event linked
    after the one before and inserted, the head moved on, in the caller's transaction.

    Not through the ORM: an object would cost the unit of work a third of a step's time, for
    a row that is never read back; and with one writer there is one place where the chain's
    order and its lock are kept (the models refuse an ``AuditEvent`` added to a session).
    One event on PostgreSQL (every step, every view) is one statement; the digests that do
    not depend on the previous event are computed before the head is locked."""
    if not rows:
        return
    if len(rows) == 1 and session.get_bind().dialect.name == "postgresql":
        full = {**_UNSAID, **rows[0]}
        text = text_digest(full)
        given = {**full, "text_hash": text, "content_hash": record_digest(full, text)}
        connection = session.connection()
        if connection.execute(_APPEND_ONE, given).first() is None:
            _lock_head(session)  # a new installation: make the head, then append on it
            connection.execute(_APPEND_ONE, given)
        return
    previous = _lock_head(session)
    values = []
    for row in rows:
        full = {**_UNSAID, **row}
        links = chain_fields(previous, full)
        values.append({**full, **links})
        previous = links["hash"]
    connection = session.connection()
    connection.execute(_INSERT_EVENT, values)
    connection.execute(_MOVE_HEAD, {"head": previous})


def append_event(session: Session, row: Mapping[str, Any]) -> None:
    """One event: ``append_events`` of one row."""
    append_events(session, [row])


#: Where a session keeps the events to append when it commits (``append_at_commit``).
_AT_COMMIT = "audit_events_at_commit"


def append_at_commit(session: Session, row: Mapping[str, Any]) -> None:
    """Append the event as the last statement of the session's transaction, just before it
    commits: for a read path's record of a view. The chain's head is the one row every writer
    of the installation queues for; appended at once, a view would hold it while the page or
    the answer is built in Python, and every view and step would wait on that. The event
    belongs to the transaction all the same: rolled back, it is not written."""
    session.info.setdefault(_AT_COMMIT, []).append(row)


@event.listens_for(Session, "before_commit")
def _append_before_commit(session: Session) -> None:
    rows = session.info.pop(_AT_COMMIT, None)
    if rows:
        session.flush()  # the session's own writes first, so the head is held the least
        append_events(session, rows)


@event.listens_for(Session, "after_transaction_end")
def _forget_at_rollback(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # rolled back (a commit has taken them already)
        session.info.pop(_AT_COMMIT, None)


def _lock_head(session: Session) -> str:
    """Lock the chain's head row and return its hash, creating the row on first use."""
    connection = session.connection()
    previous = connection.scalar(_LOCKED_HEAD)
    if previous is None:
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        connection.execute(
            insert(AuditChain).values(id=HEAD_ID, last_hash=GENESIS).on_conflict_do_nothing()
        )
        previous = connection.scalar(_LOCKED_HEAD)
    return previous


@dataclass(frozen=True)
class ChainReport:
    events: int
    #: The id of the first event whose link does not hold, and why; None when intact.
    broken_at: int | None = None
    reason: str = ""
    #: The id and link of the event at each position asked for (1 is the oldest event).
    links_at: Mapping[int, tuple[int, str]] = field(default_factory=dict)

    @property
    def intact(self) -> bool:
        return self.reason == ""


#: What retention leaves in place of a redacted event's free text (workflows.retention).
REDACTED = {"redacted": True}


def verify_chain(
    session: Session, positions: Collection[int] = (), *, after: tuple[int, str] | None = None
) -> ChainReport:
    """Recompute every link, oldest first, and name the first that does not hold; note the
    link at each of ``positions`` (for the checkpoints, triggers.audit_anchor). With
    ``after`` (an event's id and link), only the events after that one: the count is theirs.

    A redacted event's free text is gone by design, so its ``text_hash`` stands for it; all
    else it recorded is still recomputed. Redaction is only believed where the chain itself
    records the case's anonymisation after the event, on the day of the redaction: setting
    ``redacted_on`` by hand hides nothing."""
    query = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000)
    if after is not None:
        query = query.where(AuditEvent.id > after[0])
    wanted = set(positions)
    links_at: dict[int, tuple[int, str]] = {}
    first: tuple[int, str] | None = None
    #: Redacted events waiting for their case's anonymisation: case id -> day -> first id.
    unexplained: dict[int | None, dict[date, int]] = {}
    result = session.scalars(query)
    try:
        previous, count, last_id = GENESIS if after is None else after[1], 0, None
        for audit in result:
            count += 1
            if count in wanted:
                links_at[count] = (audit.id, audit.hash)
            if first is None:
                first = _link_fault(audit, previous)
            if audit.redacted_on is not None:
                days = unexplained.setdefault(audit.case_id, {})
                days.setdefault(audit.redacted_on, audit.id)
            elif audit.event == "anonymised" and audit.step_on is not None:
                unexplained.get(audit.case_id, {}).pop(audit.step_on, None)
            previous, last_id = audit.hash, audit.id
            session.expunge(audit)  # a long chain must not fill memory
    finally:
        result.close()  # a server-side cursor on PostgreSQL, even when we stop early
    hidden = min((i for days in unexplained.values() for i in days.values()), default=None)
    if hidden is not None and (first is None or hidden < first[0]):
        first = (
            hidden,
            f"event {hidden} is marked redacted, but the trail records no anonymisation of "
            "its case on that day: its free text was removed behind the service's back",
        )
    if first is not None:
        return ChainReport(count, first[0], first[1], links_at)
    head = session.scalar(select(AuditChain.last_hash).where(AuditChain.id == HEAD_ID))
    if (head or GENESIS) != previous:
        return ChainReport(
            count,
            last_id,
            "the latest events were removed: the chain ends before its head",
            links_at,
        )
    return ChainReport(count, links_at=links_at)


def _link_fault(audit: AuditEvent, previous: str) -> tuple[int, str] | None:
    """Why this event's link does not hold, or None."""
    if audit.prev_hash != previous:
        return (
            audit.id,
            f"event {audit.id} does not follow the event before it: one was deleted, "
            "inserted or changed",
        )
    changed = (audit.id, f"event {audit.id} was changed after it was written")
    columns = columns_of(audit)
    if audit.redacted_on is None:
        if text_digest(columns) != audit.text_hash:
            return changed
    elif audit.data != REDACTED:
        return (
            audit.id,
            f"event {audit.id} is marked redacted but holds free text written after it was",
        )
    record = record_digest(columns, audit.text_hash)
    if record != audit.content_hash or audit.hash != link_hash(previous, record):
        return changed
    return None


TRAIL_COLUMNS = (
    "id",
    "at",
    "actor",
    "address",
    "request_id",
    "event",
    "from_state",
    "to_state",
    "step_on",
    "data",
    "hash",
)


def case_trail(session: Session, case_id: int) -> list[dict[str, Any]]:
    """A case's audit trail as plain rows, oldest first: for a manager's export."""
    query = select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.id)
    return [
        {
            "id": audit.id,
            "at": audit.at.astimezone(UTC).isoformat(timespec="seconds"),
            "actor": audit.actor,
            "address": audit.client_address,
            "request_id": audit.request_id,
            "event": audit.event,
            "from_state": audit.from_state,
            "to_state": audit.to_state,
            "step_on": audit.step_on.isoformat() if audit.step_on else "",
            "data": json.dumps(audit.data or {}, sort_keys=True, default=str),
            "hash": audit.hash,
        }
        for audit in session.scalars(query)
    ]


def trail_csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=TRAIL_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
