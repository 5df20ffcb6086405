"""What each step of the process does with a case beyond the state machine: check what the
schema cannot (the statutory floor, a panel date before the day it was arranged, unknown
agencies or themes) and record the step's own rows (the decision, the panel, the appeal).

The process declaration (``workflows/case_review.py``) names one of these per step; a step
that needs neither records nothing but its move, its clocks, its letters and its audit.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from triggers.calendar import english_date
from triggers.models import (
    Agency,
    Appeal,
    CaseAgency,
    CaseReview,
    CaseTheme,
    Incident,
    Panel,
    PolicingBodyReview,
    Recommendation,
    ThresholdDecision,
)
from triggers.policy import Policy
from triggers.statuses import DeadlineStatus
from triggers.threshold import (
    ACT_CITATION,
    ComplaintFacts,
    IncidentFacts,
    ThresholdSuggestion,
    suggest,
)
from workflows import deadlines, panel_notices
from workflows.errors import InvalidData, ThresholdFloorMet

if TYPE_CHECKING:  # the schemas (pydantic) are imported when a step is applied
    from workflows.schemas import (
        AcknowledgeIn,
        AppealIn,
        DecideAppealIn,
        DecidePolicingBodyReviewIn,
        DecideThresholdIn,
        EventIn,
        ReasonIn,
        RecordReviewIn,
        RefuseApplicationIn,
        RequestPolicingBodyReviewIn,
        SchedulePanelIn,
    )


def threshold_suggestion(case: CaseReview, policy: Policy) -> ThresholdSuggestion:
    """What the rules say about this case's recorded incidents and complaints."""
    return suggest_for(case.incidents, case.received_on, policy)


def suggest_for(
    incidents: list[Incident], received_on: date, policy: Policy
) -> ThresholdSuggestion:
    """What the rules say about these incidents (with their complaints), for an application
    received on ``received_on``: for a list of cases without loading each case."""
    facts = [
        IncidentFacts(
            occurred_on=incident.occurred_on,
            hate_related=incident.is_hate_related,
            complaints=[
                ComplaintFacts(c.reported_on, c.reporter, c.reported_to, c.is_registered_provider)
                for c in incident.complaints
            ],
        )
        for incident in incidents
    ]
    return suggest(facts, received_on, policy.config.threshold)


def acknowledge(session, case, event_in: AcknowledgeIn, on, actor, policy, outcome):  # type: ignore[no-untyped-def]
    case.acknowledged_on = on
    if event_in.single_point_of_contact:
        case.single_point_of_contact = event_in.single_point_of_contact
    # The agencies the manager confirms now (an online application proposes them) join
    # the case before the chronology requests are written, so each is asked.
    added = []
    if event_in.agencies:
        agencies = agencies_by_name(session, case.partnership_id)
        on_case = {link.agency_id for link in case.agencies}
        for index, name in enumerate(event_in.agencies):
            agency = agency_named(agencies, name, f"agencies.{index}")
            if agency.id not in on_case:
                case.agencies.append(CaseAgency(agency=agency))
                on_case.add(agency.id)
                added.append(agency.name)
    for link in case.agencies:
        link.chronology_requested_on = on
    if not case.agencies:
        outcome.warnings.append(
            "No agency is on the case, so no chronology was requested. Add the agencies "
            "involved on the case page: each is asked for its chronology when added."
        )
    due = deadlines.find(case, "acknowledge")
    if due is not None and on > due.due_on:
        outcome.warnings.append(f"Acknowledged after the limit of {english_date(due.due_on)}.")
    return {"agencies_added": added} if added else {}


#: What a decision against the rules' suggestion without its own reason is told.
AGAINST_SUGGESTION_NEEDS_A_REASON = "Explain why the decision differs from the rules' suggestion"


def decide_threshold(session, case, event_in: DecideThresholdIn, on, actor, policy, outcome):  # type: ignore[no-untyped-def]
    suggestion = threshold_suggestion(case, policy)
    if event_in.decision == "not_met" and suggestion.statutory_floor_met:
        raise ThresholdFloorMet(
            {
                "decision": (
                    "cannot be 'not met': the recorded complaints meet the statutory threshold "
                    f"under {ACT_CITATION} (at least "
                    f"{policy.config.threshold.statutory_minimum_incidents} qualifying complaints "
                    "about separate incidents), so the threshold must be treated as met"
                )
            }
        )
    rationale = event_in.rationale
    if (event_in.decision == "met") != suggestion.met:
        # The domain's rule, whichever channel asks: the pages, the API and the CLI alike.
        if not event_in.against_suggestion.strip():
            raise InvalidData({"against_suggestion": AGAINST_SUGGESTION_NEEDS_A_REASON})
        rationale += f"\n\nAgainst the suggestion: {event_in.against_suggestion.strip()}"
        outcome.warnings.append(
            f"The decision '{event_in.decision.replace('_', ' ')}' differs from the rules' "
            "suggestion "
            f"('{'met' if suggestion.met else 'not met'}'); the rationale is recorded."
        )
    if event_in.lead_agency:
        agencies = agencies_by_name(session, case.partnership_id)
        case.lead_agency = agency_named(agencies, event_in.lead_agency, "lead_agency")
    session.add(
        ThresholdDecision(
            case=case,
            decision=event_in.decision,
            suggested_met=suggestion.met,
            rules_held=suggestion.rules_held,
            rationale=rationale,
            persistence=event_in.persistence,
            harm=event_in.harm,
            adequacy_of_response=event_in.adequacy_of_response,
            decided_on=on,
            decided_by=actor.label,
        )
    )
    case.threshold_decided_on = on
    return {"suggested_met": suggestion.met, "rules_held": suggestion.rules_held}


def schedule_panel(session, case, event_in: SchedulePanelIn, on, actor, policy, outcome):  # type: ignore[no-untyped-def]
    if event_in.panel_on < on:
        raise InvalidData(
            {"panel_on": f"cannot be before the day it was arranged ({english_date(on)})"}
        )
    check_in_range(event_in.panel_on, "panel_on", policy)
    panel = open_panel(case)
    details = {}
    if panel is None:
        panel = Panel(panel_on=event_in.panel_on)
        case.panels.append(panel)
    else:  # kept so that a move recorded in error can be reversed (workflows.corrections)
        details["rescheduled_from"] = {
            "panel_on": panel.panel_on.isoformat(),
            "starts_at": panel.starts_at,
            "location": panel.location,
        }
        # An invitation to the old time not yet sent never goes: this move's own invitation
        # reaches the same people with the new time (two would carry the same SEQUENCE).
        if stopped := panel_notices.stop_unsent_invitations(session, case):
            details["invitations_stopped"] = stopped
    panel.panel_on = event_in.panel_on
    panel.starts_at = event_in.starts_at or panel.starts_at or ""
    panel.duration_minutes = event_in.duration_minutes
    panel.location = event_in.location or panel.location or ""
    limit = deadlines.find(case, "panel")
    if limit is not None and event_in.panel_on > limit.due_on:
        outcome.warnings.append(
            f"The panel on {english_date(event_in.panel_on)} is after the "
            f"{policy.config.deadlines.panel}-working-day limit ({english_date(limit.due_on)})."
        )
    return details


def record_review(session, case, event_in: RecordReviewIn, on, actor, policy, outcome):  # type: ignore[no-untyped-def]
    agencies = agencies_by_name(session, case.partnership_id)
    problems: dict[str, str] = {}
    panel = open_panel(case)
    assert panel is not None  # the state machine only allows this with a panel scheduled
    # A review cannot be held before the panel meets: the date it was set for stays as it
    # was (``panel_on``), the day it was held is its own fact (``held_on``); rearranging the
    # meeting is scheduling it again.
    if on < panel.panel_on:
        problems["on"] = (
            f"cannot be before the panel meets ({english_date(panel.panel_on)}); if it met "
            "earlier, schedule the panel again with the day it met"
        )
    owners = []
    for index, rec in enumerate(event_in.recommendations):
        try:
            owners.append(agency_named(agencies, rec.agency, f"recommendations.{index}.agency"))
        except InvalidData as error:
            problems.update(error.fields)
        if rec.due_on < on:
            problems[f"recommendations.{index}.due_on"] = "cannot be before the review"
    known = policy.config.theme_keys()
    for index, theme in enumerate(event_in.themes):
        if theme not in known:
            problems[f"themes.{index}"] = (
                f"'{theme}' is not a configured theme; themes are: {', '.join(known) or 'none'}"
            )
    if problems:
        raise InvalidData(problems)
    panel.held_on = on
    panel.findings = event_in.findings
    panel.victim_attended = event_in.victim_attended
    panel.representative_attended = event_in.representative_attended
    panel.attendees = list(event_in.attendees)
    panel.recommendation_count = len(event_in.recommendations)
    for rec, agency in zip(event_in.recommendations, owners, strict=True):
        session.add(
            Recommendation(
                case=case, panel=panel, agency=agency, action=rec.action, due_on=rec.due_on
            )
        )
        if all(link.agency_id != agency.id for link in case.agencies):
            case.agencies.append(CaseAgency(agency=agency))
    for theme in dict.fromkeys(event_in.themes):
        session.add(CaseTheme(case=case, panel=panel, theme=theme))
    return {}


def send_findings(session, case, event_in: EventIn, on, actor, policy, outcome):  # type: ignore[no-untyped-def]
    if case.recommendations and case.action_plan_shared_on is None:
        outcome.warnings.append(
            "The draft action plan was not shared with the victim for comment before the "
            "findings (2025 statutory guidance)."
        )
    case.findings_sent_on = on
    return {}


def appeal(session, case, event_in: AppealIn, on, actor, policy, outcome):  # type: ignore[no-untyped-def]
    window = deadlines.find(case, "appeal_window")
    if window is not None and on > window.due_on:
        outcome.warnings.append(
            f"The appeal came after the window closed on {english_date(window.due_on)}."
        )
    session.add(Appeal(case=case, received_on=on, grounds=event_in.grounds))
    return {}


def decide_appeal(session, case, event_in: DecideAppealIn, on, actor, policy, outcome):  # type: ignore[no-untyped-def]
    appeal = case.appeals[-1]
    appeal.outcome, appeal.reason = event_in.outcome, event_in.reason
    appeal.decided_on, appeal.decided_by = on, actor.label
    if event_in.outcome == "not_upheld":
        case.ended_on, case.end_reason = on, f"Appeal not upheld: {event_in.reason}"
    return {}


def request_policing_body_review(
    session, case, event_in: RequestPolicingBodyReviewIn, on, actor, policy, outcome
):  # type: ignore[no-untyped-def]
    window = deadlines.find(case, "appeal_window")
    if window is not None and window.status == DeadlineStatus.RUNNING and on > window.due_on:
        outcome.warnings.append(
            f"The request came after the window for challenging the decision closed on "
            f"{english_date(window.due_on)}."
        )
    session.add(PolicingBodyReview(case=case, requested_on=on, grounds=event_in.grounds))
    return {}


def decide_policing_body_review(
    session, case, event_in: DecidePolicingBodyReviewIn, on, actor, policy, outcome
):  # type: ignore[no-untyped-def]
    review = case.policing_body_reviews[-1]
    review.outcome, review.reason = event_in.outcome, event_in.reason
    review.decided_on, review.decided_by = on, actor.label
    if event_in.outcome == "not_upheld":
        name = policy.config.review_routes.local_policing_body.name
        case.ended_on = on
        case.end_reason = f"Review by {name} not upheld: {event_in.reason}"
    return {}


#: How the letters and the case page name each ground of refusal.
REFUSAL_GROUNDS = {
    "anonymous": "ineligible: the application is anonymous",
    "not_asb": "ineligible: it is not about anti-social behaviour",
    "already_reviewed": "ineligible: the same matter has already been reviewed",
    "vexatious": "refused as vexatious",
}


def refuse_application(session, case, event_in: RefuseApplicationIn, on, actor, policy, outcome):  # type: ignore[no-untyped-def]
    case.refusal_ground = event_in.ground
    case.ended_on = on
    case.end_reason = f"Application {REFUSAL_GROUNDS[event_in.ground]}. {event_in.reason}"
    return {}


def end(session, case, event_in: ReasonIn, on, actor, policy, outcome):  # type: ignore[no-untyped-def]
    case.ended_on, case.end_reason = on, event_in.reason
    if open_panel(case) is None:
        return {}
    # The panel is called off: an invitation to it still waiting never goes.
    stopped = panel_notices.stop_unsent_invitations(session, case)
    return {"invitations_stopped": stopped} if stopped else {}


# --- helpers (the service's own checks use them too) ---------------------------------


def check_in_range(day: date, name: str, policy: Policy) -> None:
    try:
        policy.calendar.add_working_days(day, 250)
    except (ValueError, IndexError):
        raise InvalidData(
            {name: "is outside the years this service can count working days in"}
        ) from None


def open_panel(case: CaseReview) -> Panel | None:
    return next((panel for panel in reversed(case.panels) if panel.held_on is None), None)


def agencies_by_name(session: Session, partnership_id: int) -> dict[str, Agency]:
    rows = session.scalars(select(Agency).where(Agency.partnership_id == partnership_id))
    return {agency.name.casefold(): agency for agency in rows}


def agency_named(agencies: dict[str, Agency], name: str, field_name: str) -> Agency:
    agency = agencies.get(name.strip().casefold())
    if agency is None:
        names = ", ".join(sorted(a.name for a in agencies.values())) or "none configured"
        raise InvalidData(
            {field_name: f"'{name}' is not one of this partnership's agencies: {names}"}
        )
    return agency
