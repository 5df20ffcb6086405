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


class Audience(StrEnum):
    """Who a letter the process declares goes to (``Letter.to``): one recipient, whose
    word is also the outbox row's ``recipient``, or a group the outbox writes a row each
    for (the case's agencies, the recommendations' owners, the panel's invitees)."""

    APPLICANT = "applicant"
    #: The applicant's e-mail address whatever way they chose to be contacted.
    APPLICANT_EMAIL = "applicant_email"
    CHAIR = "chair"
    #: Whoever hears appeals ([review_routes.appeal] in config.toml).
    APPEAL_BODY = "appeal_body"
    MANAGER = "manager"
    ALL_AGENCIES = "agencies"
    RECOMMENDATION_OWNERS = "recommendation_owners"
    #: The local policing body ([review_routes.local_policing_body] in config.toml).
    POLICING_BODY = "policing_body"
    PANEL_INVITEES = "panel_invitees"


class Recipients(StrEnum):
    """Who an outbox row is for, beside one agency (``agency_recipient``), one person
    (``user_recipient``) and a declared letter's audience (``Audience``)."""

    MANAGERS = "managers"
    #: An escalation: the managers and the CSP chairs.
    ESCALATION = "managers,chairs"
    #: A copy of an audit checkpoint (triggers.audit_anchor): [audit] checkpoint_email.
    AUDIT = "audit"


#: The words a recipient naming people by their role is made of (comma-separated: the
#: escalation's "managers,chairs"), each the role whose active accounts it reaches.
ROLE_WORDS = {"manager": "manager", "managers": "manager", "chair": "chair", "chairs": "chair"}


def roles_of(recipient: str) -> tuple[str, ...] | None:
    """The roles a recipient column's value names ("managers,chairs": manager, chair), or
    None when it is not made of role words: a word nobody declared is never a role."""
    words = recipient.split(",")
    if not all(word in ROLE_WORDS for word in words):
        return None
    return tuple(ROLE_WORDS[word] for word in words)


#: A half-finished online application that was sent: the key in its answers under which
#: it keeps its remains (workflows.drafts), so that a second send finds the case.
DRAFT_SENT = "sent"

_AGENCY = "agency:"
_USER = "user:"


def agency_recipient(agency_id: int) -> str:
    """The recipient column's value for one agency's people."""
    return f"{_AGENCY}{agency_id}"


def agency_of(recipient: str) -> int | None:
    """The agency a recipient column's value names; None when it names no agency."""
    if not recipient.startswith(_AGENCY):
        return None
    tail = recipient[len(_AGENCY) :]
    return int(tail) if tail.isdigit() else None


def user_recipient(user_id: int) -> str:
    """The recipient column's value for one person's own account (a reset link)."""
    return f"{_USER}{user_id}"


def user_of(recipient: str) -> int | None:
    """The account a recipient column's value names; None when it names no account."""
    if not recipient.startswith(_USER):
        return None
    tail = recipient[len(_USER) :]
    return int(tail) if tail.isdigit() else None
