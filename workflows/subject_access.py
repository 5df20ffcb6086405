"""Subject access: everything held about one victim or applicant (UK GDPR Art. 15).

A person may ask for all the data held about them; the partnership must answer within a
month. The answer must hold that person's data and nobody else's (Art. 15(4): it may not
adversely affect the rights of others), so a search matches a person, not a name: an exact
identifier (the case's own victim record, an e-mail address, a phone number) decides which
cases are theirs; a name alone only proposes candidates, which a manager confirms one by one.
Each case is exported as the service holds it, with its letters and audit trail, and the
export itself is recorded on each case's trail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from triggers.audit import case_trail
from triggers.models import Applicant, CaseReview, Victim
from triggers.policy import Policy
from workflows import permissions
from workflows.describe import describe_case
from workflows.documents import describe_document, describe_note, documents_of, notes_of
from workflows.errors import InvalidData
from workflows.service import Actor, record_view

#: What a phone number is written with besides its digits; "+44" is the leading "0".
_PHONE_SPACING = (" ", "-", "(", ")", ".")


@dataclass(frozen=True)
class Subject:
    """The person asked about. An e-mail address or a phone number identifies them; a name
    does not (two people share one), so it only proposes candidates."""

    name: str = ""
    email: str = ""
    phone: str = ""

    @classmethod
    def of_victim(cls, case: CaseReview) -> Subject:
        victim = case.victim
        return cls(name=victim.name, email=victim.email, phone=victim.phone)

    def asked_for(self) -> dict[str, str]:
        return {key: value for key, value in vars(self).items() if value.strip()}


@dataclass
class SubjectCases:
    """The person's cases, and the cases a manager may add after checking them."""

    #: Theirs: the case asked from, and those matching an e-mail address or phone number.
    matched: list[CaseReview] = field(default_factory=list)
    #: The same name with no identifier in common: not exported unless confirmed.
    candidates: list[CaseReview] = field(default_factory=list)

    def chosen(self, confirmed: list[str]) -> list[CaseReview]:
        """The matched cases and the ``confirmed`` candidates (references); a reference that
        is not a candidate is refused, so that no other person's case can be slipped in."""
        wanted = {reference.strip().upper() for reference in confirmed if reference.strip()}
        by_reference = {case.reference: case for case in self.candidates}
        unknown = sorted(wanted - set(by_reference) - {c.reference for c in self.matched})
        if unknown:
            raise InvalidData(
                {
                    "include": f"{', '.join(unknown)} is not a case with this person's name; "
                    "only the candidates listed can be added"
                }
            )
        added = [case for reference, case in by_reference.items() if reference in wanted]
        return sorted(self.matched + added, key=lambda case: (case.received_on, case.id))


def phone_key(phone: str) -> str:
    """A phone number as compared: without spacing, and "+44" read as the leading "0"."""
    for mark in _PHONE_SPACING:
        phone = phone.replace(mark, "")
    return phone.strip().replace("+44", "0")


def _phone_column_key(column: Any) -> ColumnElement[str]:
    key = column
    for mark in _PHONE_SPACING:
        key = func.replace(key, mark, "")
    return func.replace(key, "+44", "0")


def find_subject(
    session: Session, partnership_id: int, subject: Subject, case: CaseReview | None = None
) -> SubjectCases:
    """The partnership's cases of ``subject`` as victim or applicant; ``case``, when the
    search starts from one, is theirs by its victim record."""
    email = subject.email.strip().casefold()
    phone = phone_key(subject.phone)
    name = " ".join(subject.name.split()).casefold()
    identifiers = []
    names = []
    for table in (Victim, Applicant):
        # An empty identifier identifies nobody: it must never match the others left empty.
        if email:
            identifiers.append(func.lower(table.email) == email)
        if phone:
            identifiers.append(_phone_column_key(table.phone) == phone)
        if name:
            names.append(func.lower(table.name) == name)
    matched = [case] if case is not None else []
    if identifiers:
        matched += [c for c in _cases(session, partnership_id, identifiers) if c not in matched]
    seen = {c.id for c in matched}
    candidates = []
    if names:
        candidates = [c for c in _cases(session, partnership_id, names) if c.id not in seen]
    matched.sort(key=lambda c: (c.received_on, c.id))
    return SubjectCases(matched=matched, candidates=candidates)


def _cases(
    session: Session, partnership_id: int, conditions: list[ColumnElement[bool]]
) -> list[CaseReview]:
    query = (
        select(CaseReview)
        .outerjoin(Victim, Victim.case_id == CaseReview.id)
        .outerjoin(Applicant, Applicant.case_id == CaseReview.id)
        .where(CaseReview.partnership_id == partnership_id, or_(*conditions))
        .order_by(CaseReview.received_on, CaseReview.id)
    )
    return list(session.scalars(query).unique())


def subject_access_record(
    session: Session,
    cases: list[CaseReview],
    policy: Policy,
    actor: Actor,
    now: datetime,
    asked_for: dict[str, str],
) -> dict[str, Any]:
    """One record of everything held on these cases; each export is itself audited."""
    permissions.require(actor, permissions.SUBJECT_ACCESS)
    today: date = policy.today(now)
    record = {
        "generated_on": today.isoformat(),
        "generated_by": actor.label,
        "partnership": cases[0].partnership.name if cases else "",
        "asked_for": asked_for,
        "cases": [],
    }
    for case in cases:
        record_view(session, case, actor, now, "subject access export", at_once=True)
        held = describe_case(session, case, policy, today)
        # The documents' index (what is held, not the files: each can be added on request)
        # and the notes, which are the person's data as the rest of the case is.
        held["documents"] = [describe_document(d) for d in documents_of(session, case.id)]
        held["notes"] = [describe_note(n) for n in notes_of(session, case.id)]
        held["audit_trail"] = case_trail(session, case.id)
        record["cases"].append(held)
    return record
