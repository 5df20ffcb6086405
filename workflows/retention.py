"""Retention: a closed case's personal data is anonymised once its retention period passes.

UK GDPR Art. 5(1)(e) (storage limitation): councils keep ASB case files for 3 to 6 years after
closure (``retention.years_after_closure``, 6 by default); anonymised figures are kept
indefinitely. So the people (names, addresses, contact details, needs), what they and the
agencies wrote (incidents, chronology, findings, reasons, letters, the documents attached and
the notes) and the free text of the case's audit events are removed, and what the published
figures count is kept: dates, states, decisions, reviews and their number of
recommendations, appeals, flags, themes and the area. Figures published before and after are
therefore the same. Each anonymisation is itself recorded in the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from triggers.audit import REDACTED
from triggers.models import AuditEvent, CaseReview, MessageDelivery, OutboxMessage
from triggers.policy import Policy
from workflows.case_review import PROCESSES
from workflows.documents import remove_case_files
from workflows.service import Actor, write_audit

RETENTION_ACTOR = Actor(label="retention")


@dataclass(frozen=True)
class RetentionResult:
    #: The references anonymised (or, in a dry run, that would be).
    references: list[str]
    #: Cases closed on or before this date are past their retention period.
    closed_on_or_before: date


def cut_off(policy: Policy, today: date) -> date:
    return today - relativedelta(years=policy.config.retention.years_after_closure)


def ended_on_its_own_version() -> ColumnElement[bool]:
    """A case in a state that is final on the version of the process it runs on: a state
    final only on another version (a later one may end a case where this one goes on) is
    not an end."""
    return or_(
        *(
            and_(
                CaseReview.workflow_version == version,
                CaseReview.state.in_(sorted(PROCESSES[version].final_states)),
            )
            for version in sorted(PROCESSES)
        )
    )


def due(session: Session, policy: Policy, today: date) -> list[CaseReview]:
    """Cases that ended at least the retention period ago and still hold personal data."""
    return list(
        session.scalars(
            select(CaseReview)
            .where(
                ended_on_its_own_version(),
                CaseReview.ended_on <= cut_off(policy, today),
                CaseReview.anonymised_on.is_(None),
            )
            .order_by(CaseReview.ended_on, CaseReview.id)
        )
    )


def run_retention(
    session: Session, policy: Policy, now: datetime, *, dry_run: bool = False
) -> RetentionResult:
    """Anonymise every case past its retention period, in the caller's transaction."""
    today = policy.today(now)
    cases = due(session, policy, today)
    if not dry_run:
        for case in cases:
            anonymise(session, case, today, now, policy)
        session.flush()
    return RetentionResult([case.reference for case in cases], cut_off(policy, today))


def anonymise(
    session: Session, case: CaseReview, today: date, now: datetime, policy: Policy
) -> None:
    victim, applicant = case.victim, case.applicant
    for name in (
        "name",
        "address",
        "postcode",
        "email",
        "phone",
        "accessibility_needs",
        "language",
    ):
        setattr(victim, name, "")
    victim.is_vulnerable = victim.is_repeat_victim = False
    for name in ("name", "relationship_to_victim", "email", "phone", "address"):
        setattr(applicant, name, "")
    applicant.consent_given_on = None
    for incident in case.incidents:
        incident.description, incident.location = "", ""
        for complaint in incident.complaints:
            complaint.reporter, complaint.reference = "", ""
    for entry in case.chronology:
        entry.summary = ""
    for decision in case.threshold_decisions:
        decision.rationale = decision.persistence = decision.harm = ""
        decision.adequacy_of_response = ""
    for panel in case.panels:
        panel.findings, panel.attendees = "", []
    for recommendation in case.recommendations:
        recommendation.action = recommendation.agency_response = recommendation.progress = ""
        recommendation.closing_reason = ""
    for deadline in case.deadlines:
        deadline.extension_reason = ""
    for appeal in case.appeals:
        appeal.grounds, appeal.reason = "", ""
    for review in case.policing_body_reviews:
        review.grounds, review.reason = "", ""
    # Documents and notes are the case's own papers, not figures: they go whole.
    removed = remove_case_files(session, case, policy)
    case.dissatisfaction = case.single_point_of_contact = ""
    case.end_reason = case.victim_response = ""
    case.anonymised_on = today
    case.updated_at = now
    # Letters and the free text of the case's history: the only change ever made to an
    # audit event; its text_hash keeps the chain verifiable, and the "anonymised" event
    # below, on the same day, is what makes verify believe the redaction (triggers.audit).
    session.execute(
        update(OutboxMessage).where(OutboxMessage.case_id == case.id).values(payload=REDACTED)
    )
    # The copies of the messages as sent (names, addresses, the letter's text and PDF).
    session.execute(
        update(MessageDelivery)
        .where(
            MessageDelivery.message_id.in_(
                select(OutboxMessage.id).where(OutboxMessage.case_id == case.id)
            )
        )
        .values(sent_to="", subject="", headers={}, body="", pdf=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(AuditEvent)
        .where(AuditEvent.case_id == case.id, AuditEvent.redacted_on.is_(None))
        .values(data=REDACTED, redacted_on=today)
        .execution_options(synchronize_session=False)
    )
    years = policy.config.retention.years_after_closure
    write_audit(
        session,
        case,
        RETENTION_ACTOR,
        now,
        "anonymised",
        case.state,
        case.state,
        today,
        {"years_after_closure": years, "ended_on": case.ended_on.isoformat(), **removed},
    )
