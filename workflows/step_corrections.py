"""What correcting a step taken in error does to the step's own rows, per step.

A step recorded on the wrong date is re-dated (``redate``: its date columns follow); a step
taken on the wrong case is reversed (``undo``: the rows it wrote are taken back) by a
recorded correction (``workflows.corrections``), never by deleting its audit event: the
trail keeps the step and the correction both. The process declaration names these per step
(``workflows/case_review.py``); a step without them cannot be corrected that way.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from notifications.panel_calendar import PanelTime
from triggers.models import AuditEvent, CaseReview, CaseTheme, Recommendation
from workflows.panel_notices import restart
from workflows.process import StepCorrection


def _redate_acknowledge(case: CaseReview, old: date, new: date) -> None:
    case.acknowledged_on = new
    for link in case.agencies:
        if link.chronology_requested_on == old:
            link.chronology_requested_on = new


def _undo_acknowledge(session: Session, case: CaseReview, step: AuditEvent) -> dict[str, Any]:
    case.acknowledged_on = None
    added = set(step.data.get("agencies_added", []))
    kept = []
    for link in list(case.agencies):
        if link.agency.name in added and link.agency_id != case.lead_agency_id:
            case.agencies.remove(link)
            continue
        if link.chronology_requested_on == step.step_on:
            link.chronology_requested_on = None
        kept.append(link.agency.name)
    return {"agencies_taken_off": sorted(added - set(kept))}


def _redate_threshold(case: CaseReview, old: date, new: date) -> None:
    case.threshold_decided_on = new
    if case.threshold_decisions:
        case.threshold_decisions[-1].decided_on = new


def _undo_threshold(session: Session, case: CaseReview, step: AuditEvent) -> dict[str, Any]:
    decision = case.threshold_decisions[-1]
    case.threshold_decisions.remove(decision)
    session.delete(decision)
    earlier = case.threshold_decisions
    case.threshold_decided_on = earlier[-1].decided_on if earlier else None
    return {"decision_taken_back": decision.decision}


def _undo_schedule(session: Session, case: CaseReview, step: AuditEvent) -> dict[str, Any]:
    panel = next((p for p in reversed(case.panels) if p.held_on is None), None)
    if panel is None:
        return {}
    before = step.data.get("rescheduled_from")
    if before:  # a panel moved to another day goes back to the day it had
        panel.panel_on = date.fromisoformat(before["panel_on"])
        panel.starts_at = before.get("starts_at", "")
        panel.location = before.get("location", "")
        # The invitations to that time that the move stopped go after all.
        restart(session, case, step.data.get("invitations_stopped", []))
        return {"panel_back_to": before["panel_on"]}
    case.panels.remove(panel)
    session.delete(panel)
    kept = PanelTime(
        panel.id, panel.panel_on, panel.starts_at, panel.duration_minutes, panel.location
    )
    # Its time and place, for the cancellation of an invitation that had already gone.
    return {"panel_taken_off": panel.panel_on.isoformat(), "panel": kept.as_payload()}


def _held_panel(case: CaseReview) -> Any:
    return next((p for p in reversed(case.panels) if p.held_on is not None), None)


def _redate_review(case: CaseReview, old: date, new: date) -> None:
    panel = _held_panel(case)
    if panel is not None:
        panel.held_on = new


def _undo_review(session: Session, case: CaseReview, step: AuditEvent) -> dict[str, Any]:
    panel = _held_panel(case)
    if panel is None:
        return {}
    session.execute(delete(Recommendation).where(Recommendation.panel_id == panel.id))
    session.execute(delete(CaseTheme).where(CaseTheme.panel_id == panel.id))
    session.expire(case, ["recommendations", "themes"])
    panel.held_on, panel.findings, panel.attendees = None, "", []
    panel.victim_attended = panel.representative_attended = None
    panel.recommendation_count = 0
    return {"review_taken_back": True}


def _redate_findings(case: CaseReview, old: date, new: date) -> None:
    case.findings_sent_on = new


def _undo_findings(session: Session, case: CaseReview, step: AuditEvent) -> dict[str, Any]:
    case.findings_sent_on = None
    return {}


def _redate_appeal(case: CaseReview, old: date, new: date) -> None:
    if case.appeals:
        case.appeals[-1].received_on = new


def _undo_appeal(session: Session, case: CaseReview, step: AuditEvent) -> dict[str, Any]:
    appeal = case.appeals[-1]
    case.appeals.remove(appeal)
    session.delete(appeal)
    return {"appeal_taken_back": appeal.received_on.isoformat()}


def _redate_appeal_decision(case: CaseReview, old: date, new: date) -> None:
    if case.appeals:
        case.appeals[-1].decided_on = new
    if case.ended_on == old:
        case.ended_on = new


def _undo_appeal_decision(session: Session, case: CaseReview, step: AuditEvent) -> dict[str, Any]:
    appeal = case.appeals[-1]
    outcome = appeal.outcome
    appeal.outcome, appeal.reason, appeal.decided_on, appeal.decided_by = "", "", None, ""
    case.ended_on, case.end_reason = None, ""
    return {"appeal_outcome_taken_back": outcome}


def _redate_end(case: CaseReview, old: date, new: date) -> None:
    case.ended_on = new


def _undo_end(session: Session, case: CaseReview, step: AuditEvent) -> dict[str, Any]:
    case.ended_on, case.end_reason = None, ""
    # Panel invitations a withdrawal stopped go after all (workflows.panel_notices).
    restart(session, case, step.data.get("invitations_stopped", []))
    return {}


def _redate_policing_body_request(case: CaseReview, old: date, new: date) -> None:
    if case.policing_body_reviews:
        case.policing_body_reviews[-1].requested_on = new


def _undo_policing_body_request(
    session: Session, case: CaseReview, step: AuditEvent
) -> dict[str, Any]:
    review = case.policing_body_reviews[-1]
    case.policing_body_reviews.remove(review)
    session.delete(review)
    return {"policing_body_review_taken_back": review.requested_on.isoformat()}


def _redate_policing_body_decision(case: CaseReview, old: date, new: date) -> None:
    if case.policing_body_reviews:
        case.policing_body_reviews[-1].decided_on = new
    if case.ended_on == old:
        case.ended_on = new


def _undo_policing_body_decision(
    session: Session, case: CaseReview, step: AuditEvent
) -> dict[str, Any]:
    review = case.policing_body_reviews[-1]
    outcome = review.outcome
    review.outcome, review.reason, review.decided_on, review.decided_by = "", "", None, ""
    case.ended_on, case.end_reason = None, ""
    return {"policing_body_outcome_taken_back": outcome}


def _undo_refusal(session: Session, case: CaseReview, step: AuditEvent) -> dict[str, Any]:
    ground = case.refusal_ground
    case.refusal_ground = ""
    case.ended_on, case.end_reason = None, ""
    return {"refusal_taken_back": ground}


def _nothing_to_redate(case: CaseReview, old: date, new: date) -> None:
    return None


#: event → how it is re-dated and reversed (the process declaration takes this table).
STEP_CORRECTIONS = {
    "acknowledge": StepCorrection(_redate_acknowledge, _undo_acknowledge),
    "decide_threshold": StepCorrection(_redate_threshold, _undo_threshold),
    "schedule_panel": StepCorrection(_nothing_to_redate, _undo_schedule),
    "record_review": StepCorrection(_redate_review, _undo_review),
    "send_findings": StepCorrection(_redate_findings, _undo_findings),
    "appeal": StepCorrection(_redate_appeal, _undo_appeal),
    "decide_appeal": StepCorrection(_redate_appeal_decision, _undo_appeal_decision),
    "close": StepCorrection(_redate_end, _undo_end),
    "withdraw": StepCorrection(_redate_end, _undo_end),
    "request_policing_body_review": StepCorrection(
        _redate_policing_body_request, _undo_policing_body_request
    ),
    "decide_policing_body_review": StepCorrection(
        _redate_policing_body_decision, _undo_policing_body_decision
    ),
    "refuse_application": StepCorrection(_redate_end, _undo_refusal),
}
