"""Finding a case: by reference, a victim's or applicant's name, address or postcode, phone
or e-mail, across open and closed cases, and the list of closed cases.

Only what the person may see is searched (``workflows.permissions.visible_to``): a name on a
case outside their view finds nothing, exactly as its URL is "not found". Matching is a
case-insensitive substring (``ILIKE``), which PostgreSQL answers from the ``pg_trgm``
indexes of migration 0025 and SQLite by scanning; phone numbers and postcodes are compared
without their spaces, as people type them either way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, exists, extract, false, func, or_, select
from sqlalchemy.orm import Session, aliased

from triggers.audit import append_events
from triggers.models import Applicant, CaseReview, Panel, Victim
from workflows.case_review import CLOSED, WITHDRAWN
from workflows.permissions import visible_to

if TYPE_CHECKING:
    from workflows.service import Actor

#: Fewer characters than this would match half the file: asked for more instead.
SHORTEST = 2
#: Longest search text taken (a reference, a name, an address line).
LONGEST = 200
#: Cases shown for one search: enough to pick from, a nudge to narrow it down past that.
MOST = 50
#: Digits in a phone number before a search compares phone numbers at all.
PHONE_DIGITS = 5

#: How a closed case ended, as the closed-cases list filters it.
OUTCOMES = {
    "reviewed": "Closed after a review",
    "not_reviewed": "Closed without a review (threshold not met)",
    "withdrawn": "Withdrawn",
}


@dataclass(frozen=True)
class Match:
    """One case found, and which of its facts matched."""

    reference: str
    state: str
    received_on: date
    victim: str
    #: (what matched, its value): "Victim's postcode", "LE11 2TX".
    matched: list[tuple[str, str]] = field(default_factory=list)
    case_id: int = 0


def _escaped(text: str) -> str:
    """``text`` for a LIKE pattern: its own % and _ are matched as themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _contains(column: Any, text: str) -> ColumnElement[bool]:
    return column.ilike(f"%{_escaped(text)}%", escape="\\")


def _without_spaces(column: Any) -> Any:
    return func.replace(column, " ", "")


def search_text(raw: str | None) -> str:
    """The search as it is used: one line, collapsed spaces, at most ``LONGEST`` characters."""
    return " ".join((raw or "").split())[:LONGEST]


def find_cases(
    session: Session,
    raw: str,
    *,
    partnership_id: int,
    role: str,
    agency_id: int | None,
    limit: int = MOST,
) -> list[Match]:
    """The cases this person may see that match ``raw``, most recently received first."""
    text = search_text(raw)
    if len(text) < SHORTEST:
        return []
    compact = text.replace(" ", "")
    digits = re.sub(r"\D", "", text)
    applicant = aliased(Applicant)
    facts: list[tuple[str, Any, ColumnElement[bool]]] = [
        ("Reference", CaseReview.reference, _contains(CaseReview.reference, text)),
        ("Victim's name", Victim.name, _contains(Victim.name, text)),
        ("Applicant's name", applicant.name, _contains(applicant.name, text)),
        ("Victim's address", Victim.address, _contains(Victim.address, text)),
        ("Applicant's address", applicant.address, _contains(applicant.address, text)),
        (
            "Victim's postcode",
            Victim.postcode,
            _contains(_without_spaces(Victim.postcode), compact),
        ),
        ("Victim's e-mail", Victim.email, _contains(Victim.email, text)),
        ("Applicant's e-mail", applicant.email, _contains(applicant.email, text)),
    ]
    phone = digits if len(digits) >= PHONE_DIGITS and len(digits) >= len(compact) - 1 else ""
    for label, column in (("Victim's phone", Victim.phone), ("Applicant's phone", applicant.phone)):
        facts.append(
            (label, column, _contains(_without_spaces(column), phone) if phone else false())
        )
    query: Select[Any] = (
        select(
            CaseReview.reference,
            CaseReview.state,
            CaseReview.received_on,
            Victim.name,
            CaseReview.id,
            *[column.label(f"v{index}") for index, (_, column, _) in enumerate(facts)],
            *[condition.label(f"m{index}") for index, (_, _, condition) in enumerate(facts)],
        )
        .join(Victim, Victim.case_id == CaseReview.id)
        .outerjoin(applicant, applicant.case_id == CaseReview.id)
        .where(or_(*[condition for _, _, condition in facts]))
        .order_by(CaseReview.received_on.desc(), CaseReview.reference.desc())
        .limit(limit)
    )
    query = visible_to(query, partnership_id=partnership_id, role=role, agency_id=agency_id)
    found = []
    for row in session.execute(query):
        values = tuple(row)
        shown = values[5 : 5 + len(facts)]
        hits = values[5 + len(facts) :]
        found.append(
            Match(
                reference=row.reference,
                state=row.state,
                received_on=row.received_on,
                victim=row.name,
                case_id=row.id,
                matched=[
                    (facts[index][0], str(shown[index] or ""))
                    for index, hit in enumerate(hits)
                    if hit
                ],
            )
        )
    return found


def record_search(
    session: Session,
    actor: Actor,
    now: datetime,
    partnership_id: int,
    found: list[Match],
) -> None:
    """A search is a reading of personal data (UK GDPR accountability), so it is audited as
    a view: once for the partnership with how many cases it found, and once on each case
    shown (its names, addresses and contact details were on the page): who saw whose data
    is what the trail must answer. The search text itself is kept nowhere: it is a name,
    an address or a phone number, perhaps of someone with no case, and an audit event is
    never deleted, so it would outlive every retention rule (Article 5(1)(e)); nor may it
    reach a case's trail, which its agencies read and a subject access export gives out."""
    common = {
        "partnership_id": partnership_id,
        "at": now,
        "actor": actor.label,
        "client_address": actor.address,
        "request_id": actor.request_id,
        "event": "viewed",
    }
    append_events(
        session,
        [
            {
                **common,
                "case_id": None,
                "data": {"what": "search", "results": len(found)},
            },
            *(
                {
                    **common,
                    "case_id": match.case_id,
                    "from_state": match.state,
                    "to_state": match.state,
                    "data": {"what": "search results"},
                }
                for match in found
            ),
        ],
    )


@dataclass(frozen=True)
class ClosedCase:
    reference: str
    state: str
    victim: str
    received_on: date
    ended_on: date | None
    outcome: str


def _outcome_condition(outcome: str) -> ColumnElement[bool]:
    reviewed = exists().where(Panel.case_id == CaseReview.id, Panel.held_on.is_not(None))
    if outcome == "withdrawn":
        return CaseReview.state == WITHDRAWN
    if outcome == "reviewed":
        return (CaseReview.state == CLOSED) & reviewed
    return (CaseReview.state == CLOSED) & ~reviewed


def closed_cases(
    session: Session,
    *,
    partnership_id: int,
    role: str,
    agency_id: int | None,
    year: int | None = None,
    outcome: str = "",
    limit: int = 500,
) -> list[ClosedCase]:
    """The closed and withdrawn cases this person may see, the latest to end first; ``year``
    is the calendar year the case ended, ``outcome`` one of ``OUTCOMES``."""
    reviewed = (
        exists().where(Panel.case_id == CaseReview.id, Panel.held_on.is_not(None)).label("reviewed")
    )
    query = (
        select(
            CaseReview.reference,
            CaseReview.state,
            Victim.name,
            CaseReview.received_on,
            CaseReview.ended_on,
            reviewed,
        )
        .join(Victim, Victim.case_id == CaseReview.id)
        .where(CaseReview.state.in_((CLOSED, WITHDRAWN)))
        .order_by(CaseReview.ended_on.desc().nulls_last(), CaseReview.reference.desc())
        .limit(limit)
    )
    if year is not None:
        query = query.where(extract("year", CaseReview.ended_on) == year)
    if outcome in OUTCOMES:
        query = query.where(_outcome_condition(outcome))
    query = visible_to(query, partnership_id=partnership_id, role=role, agency_id=agency_id)
    return [
        ClosedCase(
            reference=row.reference,
            state=row.state,
            victim=row.name,
            received_on=row.received_on,
            ended_on=row.ended_on,
            outcome=(
                "withdrawn"
                if row.state == WITHDRAWN
                else ("reviewed" if row.reviewed else "not_reviewed")
            ),
        )
        for row in session.execute(query)
    ]


def closed_years(
    session: Session, *, partnership_id: int, role: str, agency_id: int | None
) -> list[int]:
    """The years in which a case this person may see ended, latest first (the filter's choices)."""
    year = extract("year", CaseReview.ended_on)
    query = (
        select(year)
        .where(CaseReview.state.in_((CLOSED, WITHDRAWN)), CaseReview.ended_on.is_not(None))
        .distinct()
    )
    query = visible_to(query, partnership_id=partnership_id, role=role, agency_id=agency_id)
    return sorted({int(value) for value in session.scalars(query)}, reverse=True)
