"""The words stored in status and recipient columns, named once: the outbox's, the
deadlines', the recommendations', and who an outbox row is for. ``StrEnum`` members are the
strings themselves, so rows, JSON and SQL read them unchanged."""

from __future__ import annotations

from enum import StrEnum


class OutboxStatus(StrEnum):
    """Where a letter, e-mail or reminder is on its way out."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    #: A letter of a step that was reversed before it went (workflows.corrections).
    CANCELLED = "cancelled"
    #: A letter held for a manager's approval ([mail] hold_for_approval).
    HELD = "held"
    #: A reminder held for the day's digest, and one folded into it.
    DIGEST = "digest"
    DIGESTED = "digested"


#: The statuses a person may list or filter by (the digest's are internal).
LISTED_OUTBOX_STATUSES = (
    OutboxStatus.PENDING,
    OutboxStatus.SENDING,
    OutboxStatus.SENT,
    OutboxStatus.FAILED,
    OutboxStatus.CANCELLED,
    OutboxStatus.HELD,
)


class DeliveryOutcome(StrEnum):
    """What one attempt to send a message came to (a delivery row's ``outcome``), and what
    the sweep counts: sent, to be tried again later, given up, or its claim lost."""

    SENT = "sent"
    RETRYING = "retrying"
    FAILED = "failed"
    #: The claim was released under the sender (a stale lease): nothing recorded.
    RELEASED = "released"


class DeadlineStatus(StrEnum):
    """A clock: running; met (the step happened); stopped (the case ended or moved on)."""

    RUNNING = "running"
    MET = "met"
    STOPPED = "stopped"


class RecommendationStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    #: Replaced by another recommendation (the reason kept), or refused by its agency.
    SUPERSEDED = "superseded"
    REFUSED = "refused"
    DROPPED = "dropped"


#: A recommendation still to be done.
OUTSTANDING = (RecommendationStatus.OPEN, RecommendationStatus.IN_PROGRESS)


class Recipients(StrEnum):
    """Who an outbox row is for, beside one agency (``agency_recipient``)."""

    MANAGERS = "managers"
    #: An escalation: the managers and the CSP chairs.
    ESCALATION = "managers,chairs"


#: A half-finished online application that was sent: the key in its answers under which
#: it keeps its remains (workflows.drafts), so that a second send finds the case.
DRAFT_SENT = "sent"

_AGENCY = "agency:"


def agency_recipient(agency_id: int) -> str:
    """The recipient column's value for one agency's people."""
    return f"{_AGENCY}{agency_id}"


def agency_of(recipient: str) -> int | None:
    """The agency a recipient column's value names; None when it names no agency."""
    if not recipient.startswith(_AGENCY):
        return None
    tail = recipient[len(_AGENCY) :]
    return int(tail) if tail.isdigit() else None
