"""The agencies on a case: brought in, given a role (lead agency or involved), taken off.

Every involved agency supplies a record of its contact with the victim (Charnwood procedure,
step 3): an agency brought in after the acknowledgement is asked for its chronology at once,
as the others were then. Its officers and panel members see the case from then on
(``workflows.permissions.visible_to``). An online application names the bodies the victim
complained to, so it proposes their agencies for the manager to confirm at acknowledgement.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from notifications.outbox import queue_for_event
from triggers.models import Agency, CaseAgency, CaseReview, ChronologyEntry, Recommendation
from triggers.policy import Policy
from triggers.statuses import agency_recipient
from workflows import permissions
from workflows.case_review import process_for
from workflows.errors import InvalidData
from workflows.process import Letter
from workflows.service import Actor, change_beside, check_version, require_allowed
from workflows.steps import agencies_by_name, agency_named

#: The body a complaint was made to → the kind of agency that answers for it.
AGENCY_KIND_FOR_BODY = {
    "council": "council",
    "police": "police",
    "health": "health",
    "housing_provider": "housing_provider",
}


def proposed_agencies(session: Session, case: CaseReview) -> list[Agency]:
    """The partnership's agencies of the bodies the victim complained to, not yet on the
    case (police → the partnership's police agency, and so on), by name."""
    kinds = {
        AGENCY_KIND_FOR_BODY[complaint.reported_to]
        for incident in case.incidents
        for complaint in incident.complaints
        if complaint.reported_to in AGENCY_KIND_FOR_BODY
    }
    on_case = {link.agency_id for link in case.agencies}
    if not kinds:
        return []
    found = session.scalars(
        select(Agency)
        .where(Agency.partnership_id == case.partnership_id, Agency.kind.in_(sorted(kinds)))
        .order_by(Agency.name)
    )
    return [agency for agency in found if agency.id not in on_case]


def link_agency(case: CaseReview, agency: Agency) -> CaseAgency:
    """The case's link to ``agency``, made if it has none."""
    for link in case.agencies:
        if link.agency_id == agency.id or link.agency is agency:
            return link
    link = CaseAgency(agency=agency)
    case.agencies.append(link)
    return link


def add_agency(
    session: Session,
    case: CaseReview,
    data: Mapping[str, Any],
    actor: Actor,
    now: datetime,
    policy: Policy,
) -> list[str]:
    """Bring an agency into the case (or make an agency on it the lead); returns what the
    manager should know (the chronology request sent)."""
    permissions.require(actor, permissions.MANAGE_CASE_AGENCIES)
    from workflows.schemas import CaseAgencyIn, parse  # pydantic: when a change is made

    values = parse(CaseAgencyIn, dict(data))
    check_version(case, values.version)
    require_allowed(case, "add_agency")
    agency = agency_named(agencies_by_name(session, case.partnership_id), values.agency, "agency")
    already = any(link.agency_id == agency.id for link in case.agencies)
    if already and (values.role == "involved" or case.lead_agency_id == agency.id):
        raise InvalidData({"agency": f"{agency.name} is already on the case"})
    link = link_agency(case, agency)
    notes = []
    before_lead = case.lead_agency.name if case.lead_agency else None
    if values.role == "lead":
        case.lead_agency = agency
        notes.append(f"{agency.name} is now the lead agency.")
    today = policy.today(now)
    requested = not already and case.acknowledged_on is not None
    if requested:
        link.chronology_requested_on = today
        notes.append(f"{agency.name} was asked for its chronology.")
    change_beside(
        session,
        case,
        "add_agency",
        actor,
        now,
        today,
        {
            "agency": agency.name,
            "role": values.role,
            "lead_before": before_lead,
            "chronology_requested": requested,
            "reason": values.reason,
        },
    )
    if requested:
        queue_for_event(
            session,
            case,
            [
                Letter(letter.kind, agency_recipient(agency.id))
                for letter in _acknowledge_letters(case)
                if letter.kind == "chronology_request"
            ],
            f"agency{agency.id}-v{case.version}",
            now,
            {"event": "add_agency", "on": today.isoformat()},
        )
    return notes


def remove_agency(
    session: Session,
    case: CaseReview,
    data: Mapping[str, Any],
    actor: Actor,
    now: datetime,
    policy: Policy,
) -> None:
    """Take an agency off the case (brought in by mistake): its people no longer see it.
    An agency that wrote to the chronology or owns a recommendation stays: the record is
    theirs, and they must see the case to answer for it."""
    permissions.require(actor, permissions.MANAGE_CASE_AGENCIES)
    from workflows.schemas import RemoveAgencyIn, parse  # pydantic: when a change is made

    values = parse(RemoveAgencyIn, dict(data))
    check_version(case, values.version)
    agency = agency_named(agencies_by_name(session, case.partnership_id), values.agency, "agency")
    link = next((link for link in case.agencies if link.agency_id == agency.id), None)
    if link is None:
        raise InvalidData({"agency": f"{agency.name} is not on the case"})
    wrote = session.scalar(
        select(ChronologyEntry.id).where(
            ChronologyEntry.case_id == case.id, ChronologyEntry.agency_id == agency.id
        )
    )
    owns = session.scalar(
        select(Recommendation.id).where(
            Recommendation.case_id == case.id, Recommendation.agency_id == agency.id
        )
    )
    if wrote is not None or owns is not None:
        raise InvalidData(
            {
                "agency": f"{agency.name} stays on the case: it "
                + ("added to the chronology" if wrote is not None else "owns a recommendation")
            }
        )
    was_lead = case.lead_agency_id == agency.id
    if was_lead:
        case.lead_agency = None
    case.agencies.remove(link)
    change_beside(
        session,
        case,
        "remove_agency",
        actor,
        now,
        policy.today(now),
        {"agency": agency.name, "was_lead": was_lead, "reason": values.reason},
    )


def _acknowledge_letters(case: CaseReview) -> tuple[Any, ...]:
    """The letters the acknowledgement sends (the case's version's declaration), of which an
    agency brought in later gets its own chronology request."""
    acknowledge = process_for(case.workflow_version).step["acknowledge"]
    return tuple(letter for move in acknowledge.moves for letter in move.letters)
