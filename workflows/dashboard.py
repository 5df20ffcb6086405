"""What the dashboard shows, read from the database as typed values: the open cases a person
may see (a page of them, with each one's next deadline and, while the threshold is to be
decided, the rules' suggestion), the count by state, late recommendations and messages that
could not be sent. The page only renders them (web.staff.dashboard)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, exists, func, literal, select
from sqlalchemy.orm import Session

from triggers.models import (
    Agency,
    CaseAgency,
    CaseReview,
    Incident,
    OutboxMessage,
    Recommendation,
    Victim,
)
from triggers.policy import Policy
from triggers.statuses import OUTSTANDING, OutboxStatus
from workflows.deadlines import next_due_columns
from workflows.permissions import visible_to
from workflows.steps import suggest_for


@dataclass(frozen=True)
class Viewer:
    """Whose dashboard: what they may see follows from these (workflows.permissions)."""

    partnership_id: int
    role: str
    agency_id: int | None = None

    def visible(self, query: Select[Any]) -> Select[Any]:
        return visible_to(
            query, partnership_id=self.partnership_id, role=self.role, agency_id=self.agency_id
        )


@dataclass(frozen=True)
class CaseRow:
    reference: str
    state: str
    victim: str
    received_on: date
    channel: str
    #: The language the applicant asked to be written to: "cy", "en", or "" (not known).
    language: str
    #: Whether the rules suggest "met", while the threshold is to be decided; else None.
    suggestion: bool | None
    #: The clock that comes due first, when: the step the case waits for.
    step: str | None
    due_on: date | None
    #: Working days until ``due_on`` (negative: overdue).
    left: int | None


@dataclass(frozen=True)
class LateRecommendation:
    reference: str
    agency: str
    action: str
    due_on: date


@dataclass(frozen=True)
class FailedMessage:
    id: int
    kind: str
    recipient: str
    attempts: int
    last_error: str


@dataclass(frozen=True)
class CasePage:
    rows: list[CaseRow]
    total: int
    page: int
    pages: int


#: The states in which the threshold is still to be decided.
AWAITING_DECISION = ("received", "acknowledged")


def open_cases(
    session: Session,
    viewer: Viewer,
    policy: Policy,
    today: date,
    *,
    states: list[str],
    agency_id: int | None,
    page: int,
    page_size: int,
) -> CasePage:
    """A page of the cases in ``states`` the viewer may see (of one agency's, if given),
    those due first first; ``page`` is kept within the pages there are."""
    # Each shown case's next deadline, looked up by its id (not an aggregate over every
    # running deadline of the installation), and the open states by the index on
    # (partnership, state): the page costs what it shows, not what the history holds.
    next_due, next_step = next_due_columns()
    cases = viewer.visible(select(CaseReview.id)).where(CaseReview.state.in_(states))
    if agency_id is not None:
        cases = cases.where(
            exists().where(CaseAgency.case_id == CaseReview.id, CaseAgency.agency_id == agency_id)
        )
    total = session.scalar(select(func.count()).select_from(cases.subquery())) or 0
    pages = max(1, -(-total // page_size))
    page = min(page, pages)
    # The columns the table shows, in one query: no case, victim or deadline objects.
    shown = session.execute(
        select(
            CaseReview.id,
            CaseReview.reference,
            CaseReview.state,
            CaseReview.received_on,
            CaseReview.channel,
            CaseReview.correspondence_language,
            Victim.name.label("victim"),
            next_due,
            next_step,
        )
        .join(Victim, Victim.case_id == CaseReview.id)
        .where(CaseReview.id.in_(cases))
        .order_by(next_due.nulls_last(), CaseReview.reference)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    suggested = _suggestions(
        session, [row for row in shown if row.state in AWAITING_DECISION], policy
    )
    rows = [
        CaseRow(
            reference=row.reference,
            state=row.state,
            victim=row.victim,
            received_on=row.received_on,
            channel=row.channel,
            language=row.correspondence_language,
            suggestion=suggested.get(row.id),
            step=row.step,
            due_on=row.due_on,
            left=(policy.calendar.working_days_between(today, row.due_on) if row.due_on else None),
        )
        for row in shown
    ]
    return CasePage(rows, total, page, pages)


def count_by_state(session: Session, viewer: Viewer) -> Counter[str]:
    """How many cases the viewer may see are in each state."""
    query = viewer.visible(select(CaseReview.state, func.count())).group_by(CaseReview.state)
    return Counter(dict(session.execute(query).all()))  # type: ignore[arg-type]


def late_recommendations(session: Session, viewer: Viewer, today: date) -> list[LateRecommendation]:
    """Recommendations past their date and not done, of cases the viewer may see (not of
    withdrawn ones)."""
    # Few among millions of rows: found by their partial index first (literal statuses,
    # which SQLite needs to use it), then kept to the cases this person may see.
    late_rows = session.execute(
        select(Recommendation.case_id, Agency.name, Recommendation.action, Recommendation.due_on)
        .join(Agency, Agency.id == Recommendation.agency_id)
        .where(
            Recommendation.status.in_(
                [literal(s.value, literal_execute=True) for s in OUTSTANDING]
            ),
            Recommendation.due_on < today,
        )
        .order_by(Recommendation.due_on)
    ).all()
    references = visible_references(
        session, viewer, {row.case_id for row in late_rows}, exclude_states=("withdrawn",)
    )
    return [
        LateRecommendation(references[case_id], agency, action, due)
        for case_id, agency, action, due in late_rows
        if case_id in references
    ]


def failed_messages(session: Session, viewer: Viewer) -> list[tuple[FailedMessage, str]]:
    """Messages that could not be sent, of cases the viewer may see, each with its case's
    reference."""
    messages = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == literal(OutboxStatus.FAILED.value, literal_execute=True))
        .order_by(OutboxMessage.id)
    ).all()
    references = visible_references(session, viewer, {m.case_id for m in messages})
    return [
        (
            FailedMessage(row.id, row.kind, row.recipient, row.attempts, row.last_error),
            references[row.case_id],
        )
        for row in messages
        if row.case_id in references
    ]


def visible_references(
    session: Session,
    viewer: Viewer,
    case_ids: set[int | None],
    exclude_states: tuple[str, ...] = (),
) -> dict[int, str]:
    """The references of those of ``case_ids`` the viewer may see."""
    wanted = sorted(case_id for case_id in case_ids if case_id is not None)
    found: dict[int, str] = {}
    for start in range(0, len(wanted), 1_000):  # bind parameters are limited per statement
        query = viewer.visible(select(CaseReview.id, CaseReview.reference)).where(
            CaseReview.id.in_(wanted[start : start + 1_000]),
            CaseReview.state.not_in(exclude_states),
        )
        found.update((case_id, reference) for case_id, reference in session.execute(query))
    return found


def _suggestions(session: Session, cases: list[Any], policy: Policy) -> dict[int, bool]:
    """Whether the rules suggest "met", for each of ``cases`` (rows with ``id`` and
    ``received_on``): their incidents and complaints read in one query."""
    if not cases:
        return {}
    incidents: dict[int, list[Incident]] = {row.id: [] for row in cases}
    found = session.scalars(
        select(Incident)
        .where(Incident.case_id.in_(list(incidents)))
        .order_by(Incident.occurred_on, Incident.id)
    ).unique()
    for incident in found:
        incidents[incident.case_id].append(incident)
    return {row.id: suggest_for(incidents[row.id], row.received_on, policy).met for row in cases}
