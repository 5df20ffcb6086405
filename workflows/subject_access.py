"""Subject access: everything held about one victim or applicant (UK GDPR Art. 15).

A person may ask for all the data held about them; the partnership must answer within a
month. The manager finds the person's cases (as victim or as applicant, by e-mail address or
by name, within the partnership) and gets one record of each: the case as the service holds
it, the letters sent, and the audit trail. The export itself is recorded on each case's trail.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from triggers.audit import case_trail
from triggers.models import Applicant, CaseReview, Victim
from triggers.policy import Policy
from workflows.describe import describe_case
from workflows.service import Actor, record_view


def find_subject_cases(
    session: Session, partnership_id: int, *, email: str = "", name: str = ""
) -> list[CaseReview]:
    """The partnership's cases where the person is the victim or the applicant."""
    email, name = email.strip().casefold(), " ".join(name.split()).casefold()
    if not email and not name:
        return []
    conditions = []
    for table in (Victim, Applicant):
        if email:
            conditions.append(func.lower(table.email) == email)
        if name:
            conditions.append(func.lower(table.name) == name)
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
    today: date = policy.today(now)
    record = {
        "generated_on": today.isoformat(),
        "generated_by": actor.label,
        "partnership": cases[0].partnership.name if cases else "",
        "asked_for": asked_for,
        "cases": [],
    }
    for case in cases:
        record_view(session, case, actor, now, "subject access export")
        session.flush()
        held = describe_case(session, case, policy, today)
        held["audit_trail"] = case_trail(session, case.id)
        record["cases"].append(held)
    return record
