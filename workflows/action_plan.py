"""The victim at the centre and the action plan (Home Office statutory guidance, 2025).

Victims choose their level of involvement and how they take part in the panel; the draft
action plan is shared with them for comment before it is finalised, and their response is
recorded; each agency responds to its recommendations and reports progress. None of these
changes the case's state: each goes through ``service.change_beside``, which audits it and
queues its letters.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from pydantic import Field
from sqlalchemy.orm import Session

from triggers.calendar import english_date
from triggers.models import CaseReview, Recommendation
from triggers.policy import Policy
from triggers.statuses import RecommendationStatus
from workflows import permissions
from workflows.errors import InvalidData, StaleCase
from workflows.schemas import IsoDate, LongText, RequiredText, Strict, parse
from workflows.service import Actor, change_beside, require_allowed, step_date

Involvement = Literal["informed", "consulted", "involved"]
Attendance = Literal["in_person", "online", "representative", "written_statement", "not_attending"]


class InvolvementIn(Strict):
    involvement_level: Involvement
    panel_attendance: Attendance


class DatedIn(Strict):
    on: IsoDate | None = None


class VictimResponseIn(DatedIn):
    response: RequiredText


class RecommendationUpdateIn(Strict):
    status: Literal["open", "in_progress", "done", "superseded", "refused", "dropped"]
    agency_response: LongText = ""
    progress: LongText = ""
    #: Why it no longer stands open (what superseded it); kept for the close (workflows.closing).
    reason: LongText = ""
    on: IsoDate | None = Field(default=None)


def record_involvement(
    session: Session,
    case: CaseReview,
    data: Mapping[str, Any],
    actor: Actor,
    now: datetime,
    policy: Policy,
) -> None:
    permissions.require(actor, permissions.RECORD_INVOLVEMENT)
    values = parse(InvolvementIn, dict(data))
    case.involvement_level = values.involvement_level
    case.panel_attendance = values.panel_attendance
    change_beside(
        session, case, "record_involvement", actor, now, policy.today(now), values.model_dump()
    )


def share_action_plan(
    session: Session,
    case: CaseReview,
    data: Mapping[str, Any],
    actor: Actor,
    now: datetime,
    policy: Policy,
) -> None:
    """Send the draft action plan to the victim for comment, before the findings go."""
    permissions.require(actor, permissions.SHARE_ACTION_PLAN)
    require_allowed(case, "share_action_plan")
    if case.action_plan_shared_on is not None:  # a second click, or a second tab
        raise StaleCase(
            f"The draft action plan was already shared on "
            f"{english_date(case.action_plan_shared_on)}."
        )
    if not case.recommendations:
        raise InvalidData(
            {
                "recommendations": "there is no action plan to share: the panel "
                "made no recommendations"
            }
        )
    values = parse(DatedIn, dict(data))
    on = step_date(values, case, policy, now)  # type: ignore[arg-type]
    case.action_plan_shared_on = on
    change_beside(session, case, "share_action_plan", actor, now, on, {})


def record_victim_response(
    session: Session,
    case: CaseReview,
    data: Mapping[str, Any],
    actor: Actor,
    now: datetime,
    policy: Policy,
) -> None:
    permissions.require(actor, permissions.RECORD_VICTIM_RESPONSE)
    if case.action_plan_shared_on is None:
        raise InvalidData({"response": "share the draft action plan with the victim first"})
    values = parse(VictimResponseIn, dict(data))
    on = values.on or policy.today(now)
    if on < case.action_plan_shared_on or on > policy.today(now):
        raise InvalidData({"on": "must be between the day the plan was shared and today"})
    case.victim_response, case.victim_responded_on = values.response, on
    change_beside(
        session, case, "record_victim_response", actor, now, on, {"response": values.response}
    )


def update_recommendation(
    session: Session,
    case: CaseReview,
    recommendation_id: int,
    data: Mapping[str, Any],
    actor: Actor,
    now: datetime,
    policy: Policy,
) -> Recommendation:
    """The owning agency (or the manager) responds to a recommendation and reports progress."""
    permissions.require(actor, permissions.UPDATE_RECOMMENDATION)
    rec = next((r for r in case.recommendations if r.id == recommendation_id), None)
    if rec is None:
        raise InvalidData({"recommendation": "is not one of this case's recommendations"})
    permissions.require_act_for(actor, permissions.UPDATE_RECOMMENDATION, rec.agency_id)
    values = parse(RecommendationUpdateIn, dict(data))
    if values.status == RecommendationStatus.SUPERSEDED and not (
        values.reason or rec.closing_reason
    ):
        raise InvalidData({"reason": "is required: say what superseded the recommendation"})
    if values.status == RecommendationStatus.REFUSED and not (
        values.agency_response or rec.agency_response
    ):
        raise InvalidData(
            {"agency_response": "is required: the agency's 'have regard' response to it"}
        )
    rec.status = values.status
    rec.agency_response = values.agency_response or rec.agency_response
    rec.progress = values.progress or rec.progress
    rec.closing_reason = values.reason or rec.closing_reason
    rec.updated_on = values.on or policy.today(now)
    change_beside(
        session,
        case,
        "update_recommendation",
        actor,
        now,
        rec.updated_on,
        {"recommendation": rec.id, "status": rec.status},
    )
    return rec
