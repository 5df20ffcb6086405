"""The ASB case review as casereview runs it: the one declaration of its process.

received → acknowledged (5 working days) → threshold met / not met → panel scheduled
(within 28 working days of the decision) → review complete → findings sent (with appeal
rights) → appeal → upheld: a fresh review, or not upheld: closed. Where the partnership
turns it on (Crime and Policing Act 2026), the applicant may instead ask the local policing
body to review a "not met" decision or the review: upheld, threshold met with the panel
clock restarted; not upheld, closed. An application may be refused as ineligible or
vexatious (2025 guidance) instead of a threshold decision. Any open case may be withdrawn.
(Charnwood procedure and Home Office statutory guidance for the limits; LLR procedure for
the appeal.) The state and event names are part of the API.

Adding a step is adding to this file (and its templates): see "Changing the process" in
the README. ``tests/workflows/test_process.py`` fails if anything a step needs is missing.
"""

from __future__ import annotations

from notifications.outbox import (
    ALL_AGENCIES,
    APPEAL_BODY,
    APPLICANT,
    PANEL_INVITEES,
    POLICING_BODY,
    RECOMMENDATION_OWNERS,
)
from workflows import closing, step_imports, steps
from workflows.errors import InvalidData
from workflows.permissions import CHAIR, MANAGER, PANEL
from workflows.process import (
    ANY_OPEN_STATE,
    ANY_STATE,
    N_,
    Clock,
    Imported,
    Letter,
    Move,
    Operation,
    Process,
    State,
    Step,
)
from workflows.step_corrections import STEP_CORRECTIONS

RECEIVED = "received"
ACKNOWLEDGED = "acknowledged"
THRESHOLD_MET = "threshold_met"
THRESHOLD_NOT_MET = "threshold_not_met"
PANEL_SCHEDULED = "panel_scheduled"
REVIEW_COMPLETE = "review_complete"
FINDINGS_SENT = "findings_sent"
APPEAL = "appeal"
POLICING_BODY_REVIEW = "policing_body_review"
CLOSED = "closed"
WITHDRAWN = "withdrawn"

MANAGER_ONLY = frozenset({MANAGER})

STATES = (
    State(RECEIVED, N_("Received")),
    State(ACKNOWLEDGED, N_("Acknowledged")),
    State(THRESHOLD_MET, N_("Threshold met")),
    State(THRESHOLD_NOT_MET, N_("Threshold not met")),
    State(PANEL_SCHEDULED, N_("Panel scheduled")),
    State(REVIEW_COMPLETE, N_("Review complete")),
    State(FINDINGS_SENT, N_("Findings sent")),
    State(APPEAL, N_("Appeal")),
    State(POLICING_BODY_REVIEW, N_("Local policing body review")),
    State(CLOSED, N_("Closed"), final=True),
    State(WITHDRAWN, N_("Withdrawn"), final=True),
)

#: Acknowledge within 5 of receipt; decide the threshold within 10 of acknowledging; hold
#: the panel within 28 of a "met" decision; send the findings within 5 of the panel; the
#: applicant may appeal within 20 of the findings or of a "not met" letter; the chair
#: decides within 20 of the appeal; the local policing body within its configured
#: ``decision_days`` of a request. config.toml's [deadlines] may change each.
CLOCKS = (
    Clock("acknowledge", 5, N_("Acknowledge"), "acknowledgement"),
    Clock("threshold_decision", 10, N_("Threshold decision"), "threshold decision"),
    Clock("panel", 28, N_("Panel meeting"), "case review panel"),
    Clock("findings", 5, N_("Findings letter"), "findings letter"),
    Clock("appeal_window", 20, N_("Appeal window closes"), "appeal window", reminded=False),
    Clock("appeal_decision", 20, N_("Appeal decision"), "appeal decision"),
    Clock(
        "policing_body_decision",
        20,
        N_("Local policing body decision"),
        "local policing body's decision",
        config_key="review_routes.local_policing_body.decision_days",
    ),
)

CLOSURE = Letter("closure", APPLICANT)
#: Who is invited to a panel; a moved panel invites them again (a higher SEQUENCE).
PANEL_INVITATION = (Letter("panel_invitation", APPLICANT), Letter("panel_invitation", ALL_AGENCIES))
#: A panel called off: each of them gets its cancellation (none when no panel is arranged).
PANEL_CANCELLED = Letter("panel_cancelled", PANEL_INVITEES)


def _policing_body_refusal(config, on):  # type: ignore[no-untyped-def]
    """Off until the partnership turns it on, and not before it applies (commencement)."""
    return config.review_routes.policing_body_refusal(on)


STEPS = (
    Step(
        "acknowledge",
        "Acknowledge the application",
        "AcknowledgeIn",
        "AcknowledgeForm",
        MANAGER_ONLY,
        (
            Move(
                (RECEIVED,),
                ACKNOWLEDGED,
                meets=("acknowledge",),
                starts=("threshold_decision",),
                letters=(
                    Letter("acknowledgement", APPLICANT),
                    Letter("chronology_request", ALL_AGENCIES),
                ),
            ),
        ),
        reads=("agencies",),
        record=steps.acknowledge,
        imported=Imported("acknowledged_on"),
    ),
    Step(
        "decide_threshold",
        "Decide the threshold",
        "DecideThresholdIn",
        "DecideThresholdForm",
        MANAGER_ONLY,
        (
            Move(
                (ACKNOWLEDGED,),
                THRESHOLD_MET,
                when=("decision", "met"),
                condition_label="decision is met",
                meets=("threshold_decision",),
                starts=("panel",),
                letters=(Letter("threshold_met", APPLICANT),),
            ),
            Move(
                (ACKNOWLEDGED,),
                THRESHOLD_NOT_MET,
                when=("decision", "not_met"),
                condition_label="decision is not met",
                meets=("threshold_decision",),
                starts=("appeal_window",),
                letters=(Letter("threshold_not_met", APPLICANT),),
            ),
        ),
        reads=("incidents",),
        record=steps.decide_threshold,
        imported=Imported(
            "threshold_decided_on",
            values={"decision": "threshold_decision"},
            hint="acknowledged_on is needed before a threshold decision",
            record=step_imports.decide_threshold,
        ),
    ),
    Step(
        "refuse_application",
        "Refuse the application (ineligible or vexatious)",
        "RefuseApplicationIn",
        "RefuseApplicationForm",
        MANAGER_ONLY,
        (
            Move(
                (RECEIVED, ACKNOWLEDGED),
                CLOSED,
                stops_all=True,
                letters=(Letter("application_refused", APPLICANT),),
            ),
        ),
        record=steps.refuse_application,
        imported=Imported(
            "refused_on",
            values={"ground": "refusal_ground"},
            hint="an application is refused before any threshold decision",
            record=step_imports.refuse_application,
        ),
    ),
    Step(
        "schedule_panel",
        "Schedule the panel",
        "SchedulePanelIn",
        "SchedulePanelForm",
        MANAGER_ONLY,
        (
            Move((THRESHOLD_MET,), PANEL_SCHEDULED, letters=PANEL_INVITATION),
            # Rearranged: the same step, its invitations sent again with the new time.
            Move(
                (PANEL_SCHEDULED,),
                PANEL_SCHEDULED,
                letters=PANEL_INVITATION,
                done=N_("Panel moved"),
            ),
        ),
        reads=("panels", "agencies"),
        record=steps.schedule_panel,
        # A spreadsheet gives the day the panel met: it was arranged for that day.
        imported=Imported(
            "panel_held_on",
            values={"panel_on": "panel_held_on"},
            hint="a panel needs a 'met' threshold decision (or an upheld appeal) first",
        ),
    ),
    Step(
        "record_review",
        "Record the review",
        "RecordReviewIn",
        "RecordReviewForm",
        # The panel records its own meeting (findings, recommendations, who attended).
        frozenset({MANAGER, PANEL}),
        (Move((PANEL_SCHEDULED,), REVIEW_COMPLETE, meets=("panel",), starts=("findings",)),),
        reads=("panels", "agencies"),
        record=steps.record_review,
        imported=Imported(
            "panel_held_on",
            hint="a panel needs a 'met' threshold decision (or an upheld appeal) first",
            record=step_imports.record_review,
        ),
    ),
    Step(
        "send_findings",
        "Send the findings",
        "SendFindingsIn",
        "SendFindingsForm",
        MANAGER_ONLY,
        (
            Move(
                (REVIEW_COMPLETE,),
                FINDINGS_SENT,
                meets=("findings",),
                starts=("appeal_window",),
                letters=(
                    Letter("findings", APPLICANT),
                    Letter("action_plan", RECOMMENDATION_OWNERS),
                ),
            ),
        ),
        reads=("recommendations",),
        record=steps.send_findings,
        imported=Imported(
            "findings_sent_on", hint="findings follow a panel: panel_held_on is needed"
        ),
    ),
    Step(
        "appeal",
        "Record an appeal",
        "AppealIn",
        "AppealForm",
        MANAGER_ONLY,
        (
            Move(
                (FINDINGS_SENT, THRESHOLD_NOT_MET),
                APPEAL,
                meets=("appeal_window",),
                starts=("appeal_decision",),
                letters=(
                    Letter("appeal_received", APPLICANT),
                    Letter("appeal_referral", APPEAL_BODY),
                ),
            ),
        ),
        record=steps.appeal,
        imported=Imported(
            "appeal_received_on",
            fixed={"grounds": ""},
            hint="an appeal follows the findings or a 'not met' decision",
        ),
    ),
    Step(
        "decide_appeal",
        "Decide the appeal",
        "DecideAppealIn",
        "DecideAppealForm",
        frozenset({MANAGER, CHAIR}),
        (
            Move(
                (APPEAL,),
                THRESHOLD_MET,
                when=("outcome", "upheld"),
                condition_label="appeal upheld",
                meets=("appeal_decision",),
                starts=("panel",),
                letters=(Letter("appeal_outcome", APPLICANT),),
            ),
            Move(
                (APPEAL,),
                CLOSED,
                when=("outcome", "not_upheld"),
                condition_label="appeal not upheld",
                meets=("appeal_decision",),
                stops_all=True,
                letters=(Letter("appeal_outcome", APPLICANT), CLOSURE),
            ),
        ),
        reads=("appeals",),
        record=steps.decide_appeal,
        imported=Imported(
            "appeal_outcome",
            dates=("appeal_decided_on", "appeal_received_on"),
            values={"outcome": "appeal_outcome"},
            hint="an appeal outcome needs an appeal",
            record=step_imports.decided("appeals", "appeal_decided_on", "Appeal"),
        ),
    ),
    Step(
        "request_policing_body_review",
        "Record a request for the local policing body's review",
        "RequestPolicingBodyReviewIn",
        "PolicingBodyRequestForm",
        MANAGER_ONLY,
        (
            Move(
                (THRESHOLD_NOT_MET, FINDINGS_SENT),
                POLICING_BODY_REVIEW,
                meets=("appeal_window",),
                starts=("policing_body_decision",),
                letters=(
                    Letter("policing_body_review_requested", APPLICANT),
                    Letter("policing_body_referral", POLICING_BODY),
                ),
            ),
        ),
        record=steps.request_policing_body_review,
        imported=Imported(
            "policing_body_review_requested_on",
            fixed={"grounds": ""},
            hint="a review by the local policing body follows the findings or a 'not met' decision",
        ),
        unavailable=_policing_body_refusal,
    ),
    Step(
        "decide_policing_body_review",
        "Record the local policing body's decision",
        "DecidePolicingBodyReviewIn",
        "PolicingBodyDecisionForm",
        MANAGER_ONLY,
        (
            Move(
                (POLICING_BODY_REVIEW,),
                THRESHOLD_MET,
                when=("outcome", "upheld"),
                condition_label="review upheld",
                meets=("policing_body_decision",),
                starts=("panel",),
                letters=(Letter("policing_body_review_outcome", APPLICANT),),
            ),
            Move(
                (POLICING_BODY_REVIEW,),
                CLOSED,
                when=("outcome", "not_upheld"),
                condition_label="review not upheld",
                meets=("policing_body_decision",),
                stops_all=True,
                letters=(Letter("policing_body_review_outcome", APPLICANT), CLOSURE),
            ),
        ),
        reads=("policing_body_reviews",),
        record=steps.decide_policing_body_review,
        imported=Imported(
            "policing_body_review_outcome",
            dates=("policing_body_review_decided_on", "policing_body_review_requested_on"),
            values={"outcome": "policing_body_review_outcome"},
            hint="a local policing body's decision needs a request for its review",
            record=step_imports.decided(
                "policing_body_reviews",
                "policing_body_review_decided_on",
                "Review by the local policing body",
            ),
        ),
    ),
    Step(
        "close",
        "Close the case",
        # Before the appeal window ends only with the applicant's agreement; each open
        # recommendation with a reason (workflows/closing.py).
        "CloseIn",
        "CloseForm",
        MANAGER_ONLY,
        (Move((FINDINGS_SENT, THRESHOLD_NOT_MET), CLOSED, stops_all=True, letters=(CLOSURE,)),),
        reads=("recommendations",),
        record=closing.close,
        imported=Imported(
            "closed_on",
            hint="a case closes after its findings were sent or a 'not met' decision "
            "(otherwise give withdrawn_on)",
            record=step_imports.close,
        ),
    ),
    Step(
        "withdraw",
        "Withdraw the case",
        "ReasonIn",
        "ReasonForm",
        MANAGER_ONLY,
        (
            Move(
                (ANY_OPEN_STATE,),
                WITHDRAWN,
                stops_all=True,
                # A panel arranged and not yet met is called off: each invitee's calendar
                # entry is cancelled (METHOD:CANCEL, the invitation's UID, a higher SEQUENCE).
                letters=(CLOSURE, PANEL_CANCELLED),
            ),
        ),
        # Whether a panel is to be called off, and who was invited to it.
        reads=("panels", "agencies"),
        record=steps.end,
        imported=Imported("withdrawn_on", fixed={"reason": "Withdrawn (imported)."}),
    ),
)

CASE_REVIEW = Process(
    version=1,
    states=STATES,
    clocks=CLOCKS,
    steps=STEPS,
    initial=RECEIVED,
    first_clock="acknowledge",
    operations=(
        # The draft action plan goes to the victim for comment before the findings (2025
        # statutory guidance).
        Operation(
            "share_action_plan",
            (Letter("action_plan_draft", APPLICANT),),
            allowed_in=(REVIEW_COMPLETE,),
        ),
        # A running deadline moved by agreement, with its reason (2025 statutory guidance;
        # workflows/extensions.py). No letter of its own: later letters carry the new date.
        Operation("extend_deadline", allowed_in=(ANY_OPEN_STATE,)),
        # The facts of an open case: its agencies, its incidents and their complaints
        # (workflows/case_agencies.py, case_incidents.py); a chronology request to an agency
        # brought in after the acknowledgement is the acknowledgement's letter.
        Operation("add_agency", allowed_in=(ANY_OPEN_STATE,)),
        Operation("add_incident", allowed_in=(ANY_OPEN_STATE,)),
        Operation("add_complaint", allowed_in=(ANY_OPEN_STATE,)),
        # What is recorded in any state, the case's file growing after it ends: the
        # chronology, the victim's part and response, the recommendations' progress, an
        # agency brought in by mistake taken off, the notes and documents.
        *(
            Operation(name, allowed_in=(ANY_STATE,))
            for name in (
                "remove_agency",
                "record_chronology",
                "record_involvement",
                "record_victim_response",
                "update_recommendation",
                "add_note",
                "edit_note",
                "correct_note",
                "add_document",
            )
        ),
    ),
    # An action plan's recommendations are reminded to their agencies under this name.
    extra_letter_labels={"recommendation": "recommendation"},
    # A step taken in error: re-dated, or reversed back to the state before it (issue 18).
    corrections=STEP_CORRECTIONS,
)

#: Every version of the process cases may be on; a new version is added here, never
#: replacing the one before while a case is on it.
PROCESSES: dict[int, Process] = {CASE_REVIEW.version: CASE_REVIEW}


def process_for(version: int) -> Process:
    """The process a case on ``version`` runs on."""
    try:
        return PROCESSES[version]
    except KeyError:
        known = ", ".join(str(v) for v in sorted(PROCESSES))
        raise InvalidData(
            {"workflow_version": f"{version} is not a version of the process (known: {known})"}
        ) from None


def newest() -> Process:
    """The version new cases are opened under."""
    return PROCESSES[max(PROCESSES)]


def labels_of_every_version() -> tuple[dict[str, str], dict[str, str]]:
    """Each state's and each clock's label in any version a case may be on (the newest
    version's words where two differ): for pages that list cases of several versions."""
    states: dict[str, str] = {}
    clocks: dict[str, str] = {}
    for version in sorted(PROCESSES):
        states.update(PROCESSES[version].state_labels)
        clocks.update(PROCESSES[version].clock_labels)
    return states, clocks


def states_of_every_version() -> list[State]:
    """Every state a case may be in, whatever version it runs on: the newest version's in
    its order, then each state only an older version has, after the state it follows there.
    For what lists or filters cases of several versions (a case opened under an older
    version may sit in a state the newest no longer has)."""
    found = list(newest().states)
    names = {state.name for state in found}
    for version in sorted(PROCESSES, reverse=True):
        before: str | None = None
        for state in PROCESSES[version].states:
            if state.name not in names:
                at = next((i + 1 for i, s in enumerate(found) if s.name == before), len(found))
                found.insert(at, state)
                names.add(state.name)
            before = state.name
    return found


def _every_version() -> list[Process]:
    """Every version a case may be on, the oldest first (read at call time: a test, or a
    later release, adds one)."""
    return [PROCESSES[version] for version in sorted(PROCESSES)]


def all_states() -> list[str]:
    """Every state a case may be in, on any version, named in the order
    ``states_of_every_version`` gives. What a list filters by and a schema enumerates, so
    that a case in a state only another version has is never refused or left out."""
    return [state.name for state in states_of_every_version()]


def all_final_states() -> frozenset[str]:
    """Every state that ends a case on some version (a schema's or a list's choices; whether
    one case has ended is its own version's ``final_states``, as retention asks)."""
    return frozenset().union(*(p.final_states for p in _every_version()))


def all_steps() -> dict[str, Step]:
    """Each event of any version, as the newest version that declares it has it (its
    schema and roles), in the oldest version's order then the newer ones'."""
    steps = {step.event: step for p in _every_version() for step in p.steps}
    return {event: steps[event] for event in all_events()}


def all_events() -> list[str]:
    """Every event of any version, the oldest version's in its order first."""
    return list(dict.fromkeys(e for p in _every_version() for e in p.events))


def all_clocks() -> list[str]:
    """Every clock's key in any version: the deadlines a case of any version may have."""
    return list(dict.fromkeys(c.key for p in _every_version() for c in p.clocks))
