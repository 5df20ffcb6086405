"""The command line's list of cases (`casereview case list`): the open cases of the whole
installation, those due first first, a page at a time, each with its next deadline.

One query for the page and one for the count, whatever the history holds: the open cases
are found by their state, and each shown case's next deadline by its id in the same query
(``workflows.deadlines.next_due_columns``), never by loading each case's deadlines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from triggers.models import CaseReview
from workflows.deadlines import next_due_columns
from workflows.permissions import visible_to

#: Cases a page: what fits a terminal's scrollback at a glance.
PAGE_SIZE = 50


@dataclass(frozen=True)
class ListedCase:
    reference: str
    state: str
    #: The version of the process the case runs on, whose words name its state and step.
    workflow_version: int
    #: The step the case waits for and when it is due (None: no clock running).
    step: str | None
    due_on: date | None
    #: When the application was received (the API's list shows it).
    received_on: date | None = None


@dataclass(frozen=True)
class CaseList:
    cases: list[ListedCase]
    #: How many cases match, on every page together.
    total: int
    page: int
    pages: int


def list_cases(
    session: Session, states: Sequence[str] | None, page: int, page_size: int = PAGE_SIZE
) -> CaseList:
    """Page ``page`` (from 1) of the cases in ``states`` (every case if None), overdue and
    soonest due first, then in the order they were received."""
    matching = select(CaseReview.id)
    if states is not None:
        matching = matching.where(CaseReview.state.in_(states))
    total = session.scalar(select(func.count()).select_from(matching.subquery())) or 0
    due_on, step = next_due_columns()
    query = select(
        CaseReview.reference, CaseReview.state, CaseReview.workflow_version, step, due_on
    )
    if states is not None:
        query = query.where(CaseReview.state.in_(states))
    rows = session.execute(
        query.order_by(due_on.nulls_last(), CaseReview.received_on, CaseReview.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return CaseList(
        [
            ListedCase(row.reference, row.state, row.workflow_version, row.step, row.due_on)
            for row in rows
        ],
        total,
        page,
        max(1, -(-total // page_size)),
    )


def visible_cases(
    session: Session,
    *,
    partnership_id: int,
    role: str,
    agency_id: int | None,
    state: str | None,
    limit: int,
    offset: int,
) -> list[ListedCase]:
    """``limit`` cases from ``offset`` of those a person with ``role`` may see
    (``permissions.visible_to``), in ``state`` if given, the newest received first, each
    with its next deadline: the API's list. One query, as ``list_cases``."""
    due_on, step = next_due_columns()
    query = visible_to(
        select(
            CaseReview.reference,
            CaseReview.state,
            CaseReview.workflow_version,
            step,
            due_on,
            CaseReview.received_on,
        ),
        partnership_id=partnership_id,
        role=role,
        agency_id=agency_id,
    )
    if state is not None:
        query = query.where(CaseReview.state == state)
    rows = session.execute(
        query.order_by(CaseReview.received_on.desc(), CaseReview.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [
        ListedCase(
            row.reference, row.state, row.workflow_version, row.step, row.due_on, row.received_on
        )
        for row in rows
    ]
