"""What waits for each person, soonest first: the work that comes to them (issue 20).

A manager runs many cases beside other duties; an agency officer or a panel member touches a
case a few times a year. Each must be told what is theirs without searching: the steps due
on the cases they may act on (from the running deadlines and the process declaration: the
step that meets the clock, or failing that the next step the case allows), an agency's
chronology requests and recommendations, a panel member's panels, the failed messages a
manager can retry. Each task names what on the case page does it (``opens``), so that the
page, the reminder e-mails and the tests all point at the same form.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import exists, literal, select
from sqlalchemy.orm import Session

from triggers.calendar import english_date
from triggers.models import (
    CaseAgency,
    CaseReview,
    ChronologyEntry,
    Deadline,
    OutboxMessage,
    Panel,
    Recommendation,
)
from triggers.statuses import OUTSTANDING, DeadlineStatus, OutboxStatus
from workflows import permissions
from workflows.case_review import PROCESSES

if TYPE_CHECKING:
    from workflows.service import Actor

#: What ``Task.opens`` names besides a step of the process (an event) or a recommendation's
#: form (``rec-<id>``): the chronology form, or the case itself (nothing to fill in).
CHRONOLOGY = "chronology"
CASE = ""

#: Recommendations still to be done (the same as the dashboard's late list and the sweep).
UNFINISHED = tuple(status.value for status in OUTSTANDING)


#: A panel still to meet is the task of those who may record its review (the event's roles).
RECORD_REVIEW = "record_review"


@dataclass(frozen=True)
class Task:
    #: step, chronology, recommendation, panel, failed_message or held_letter.
    kind: str
    reference: str
    #: What to do, as the page says it ("Acknowledge the application").
    title: str
    due_on: date | None
    #: What the link opens on the case page: an event, ``chronology``, ``rec-<id>`` or "".
    opens: str = CASE
    detail: str = ""
    #: The case's single point of contact (the manager's filter).
    contact: str = ""
    #: A failed message's id (its retry button), or a held letter's (its page).
    message_id: int | None = None


def contacts(session: Session, partnership_id: int) -> list[str]:
    """The single points of contact named on open cases: the manager's filter."""
    final = set().union(*(p.final_states for p in PROCESSES.values()))
    return list(
        session.scalars(
            select(CaseReview.single_point_of_contact)
            .where(
                CaseReview.partnership_id == partnership_id,
                CaseReview.state.not_in(final),
                CaseReview.single_point_of_contact != "",
            )
            .distinct()
            .order_by(CaseReview.single_point_of_contact)
        )
    )


def tasks_for(
    session: Session,
    actor: Actor,
    partnership_id: int,
    today: date,
    contact: str = "",
) -> list[Task]:
    """Everything waiting for ``actor``, the soonest due first (undated last).

    ``contact`` limits the steps due to the cases of one single point of contact."""
    found = _steps_due(session, actor, partnership_id, contact)
    # An agency's tasks go to those who speak for it and may do what the task asks.
    agency_id = permissions.own_agency(actor)
    if agency_id is not None and permissions.may(actor, permissions.ADD_CHRONOLOGY):
        found += _chronology_requests(session, agency_id, partnership_id)
    if agency_id is not None and permissions.may(actor, permissions.UPDATE_RECOMMENDATION):
        found += _recommendations(session, agency_id, partnership_id)
    if agency_id is not None and permissions.may(actor, RECORD_REVIEW):
        found += _panels(session, agency_id, partnership_id, today)
    if permissions.may(actor, permissions.RETRY_MESSAGE):
        found += _failed_messages(session, partnership_id)
    if permissions.may(actor, permissions.APPROVE_LETTERS):
        found += _held_letters(session, partnership_id)
    return sorted(found, key=lambda t: (t.due_on is None, t.due_on or today, t.reference))


def _visible(actor: Actor, partnership_id: int):  # type: ignore[no-untyped-def]
    return permissions.visible_to(
        select(CaseReview.id),
        partnership_id=partnership_id,
        role=actor.role or permissions.MANAGER,
        agency_id=actor.agency_id,
    )


def _steps_due(session: Session, actor: Actor, partnership_id: int, contact: str) -> list[Task]:
    """The running deadlines of the cases ``actor`` sees, each as the step that answers it."""
    query = (
        select(
            Deadline.step,
            Deadline.due_on,
            CaseReview.reference,
            CaseReview.state,
            CaseReview.workflow_version,
            CaseReview.single_point_of_contact,
        )
        .join(CaseReview, CaseReview.id == Deadline.case_id)
        .where(
            Deadline.status == DeadlineStatus.RUNNING,
            CaseReview.id.in_(_visible(actor, partnership_id)),
        )
    )
    if contact:
        query = query.where(CaseReview.single_point_of_contact == contact)
    tasks = []
    for clock, due_on, reference, state, version, spoc in session.execute(query):
        process = PROCESSES[version]
        if clock not in process.reminded_clocks or state in process.final_states:
            continue
        event = process.step_for_clock(state, clock, actor.role)
        if event is None:
            continue
        tasks.append(
            Task(
                "step",
                reference,
                process.titles[event],
                due_on,
                opens=event,
                detail=process.clock_labels[clock],
                contact=spoc,
            )
        )
    return tasks


def _chronology_requests(session: Session, agency_id: int, partnership_id: int) -> list[Task]:
    """Cases that asked the agency for its chronology, while the threshold decision it informs
    is still to be made, and the agency has added nothing yet."""
    rows = session.execute(
        select(CaseReview.reference, Deadline.due_on, CaseAgency.chronology_requested_on)
        .join(CaseAgency, CaseAgency.case_id == CaseReview.id)
        .join(Deadline, Deadline.case_id == CaseReview.id)
        .where(
            CaseReview.partnership_id == partnership_id,
            CaseAgency.agency_id == agency_id,
            CaseAgency.chronology_requested_on.is_not(None),
            Deadline.step == "threshold_decision",
            Deadline.status == DeadlineStatus.RUNNING,
            ~exists().where(
                ChronologyEntry.case_id == CaseReview.id, ChronologyEntry.agency_id == agency_id
            ),
        )
    )
    return [
        Task(
            "chronology",
            reference,
            "Add your agency's chronology",
            due_on,
            opens=CHRONOLOGY,
            detail=f"Asked for on {english_date(requested_on)}, for the threshold decision",
        )
        for reference, due_on, requested_on in rows
    ]


def _recommendations(session: Session, agency_id: int, partnership_id: int) -> list[Task]:
    """The agency's unfinished recommendations on open cases (those the sweep reminds)."""
    final = set().union(*(p.final_states for p in PROCESSES.values()))
    rows = session.execute(
        select(
            Recommendation.id, Recommendation.action, Recommendation.due_on, CaseReview.reference
        )
        .join(CaseReview, CaseReview.id == Recommendation.case_id)
        .where(
            CaseReview.partnership_id == partnership_id,
            Recommendation.agency_id == agency_id,
            Recommendation.status.in_([literal(s, literal_execute=True) for s in UNFINISHED]),
            CaseReview.state.not_in(final),
        )
    )
    return [
        Task(
            "recommendation",
            reference,
            "Report progress on a recommendation",
            due_on,
            opens=f"rec-{rec_id}",
            detail=action,
        )
        for rec_id, action, due_on, reference in rows
    ]


def _panels(session: Session, agency_id: int, partnership_id: int, today: date) -> list[Task]:
    """Panels still to meet on the cases the panel member's agency is part of."""
    rows = session.execute(
        select(CaseReview.reference, Panel.panel_on, Panel.starts_at, Panel.location)
        .join(Panel, Panel.case_id == CaseReview.id)
        .join(CaseAgency, CaseAgency.case_id == CaseReview.id)
        .where(
            CaseReview.partnership_id == partnership_id,
            CaseAgency.agency_id == agency_id,
            CaseReview.state == "panel_scheduled",
            Panel.held_on.is_(None),
            Panel.panel_on >= today,
        )
    )
    return [
        Task(
            "panel",
            reference,
            "Attend the case review panel",
            panel_on,
            detail=", ".join(part for part in (starts_at, location) if part),
        )
        for reference, panel_on, starts_at, location in rows
    ]


def _failed_messages(session: Session, partnership_id: int) -> list[Task]:
    """Messages the sweep gave up on: a person must look (a wrong address) and retry."""
    rows = session.execute(
        select(OutboxMessage.id, OutboxMessage.kind, OutboxMessage.recipient, CaseReview.reference)
        .join(CaseReview, CaseReview.id == OutboxMessage.case_id)
        .where(
            OutboxMessage.status == literal(OutboxStatus.FAILED.value, literal_execute=True),
            CaseReview.partnership_id == partnership_id,
        )
    )
    return [
        Task(
            "failed_message",
            reference,
            f"Retry the {kind.replace('_', ' ')} to {recipient}",
            None,
            message_id=message_id,
        )
        for message_id, kind, recipient, reference in rows
    ]


def _held_letters(session: Session, partnership_id: int) -> list[Task]:
    """Letters held for approval (``mail.hold_for_approval``): due the day they were written,
    since the applicant waits for them."""
    rows = session.execute(
        select(
            OutboxMessage.id,
            OutboxMessage.kind,
            OutboxMessage.created_at,
            CaseReview.reference,
        )
        .join(CaseReview, CaseReview.id == OutboxMessage.case_id)
        .where(
            OutboxMessage.status == literal(OutboxStatus.HELD.value, literal_execute=True),
            CaseReview.partnership_id == partnership_id,
        )
    )
    return [
        Task(
            "held_letter",
            reference,
            f"Read and approve the {kind.replace('_', ' ')} letter",
            created_at.date(),
            message_id=message_id,
        )
        for message_id, kind, created_at, reference in rows
    ]
