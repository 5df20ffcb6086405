"""The shape of a case as ``workflows.describe`` gives it: typed values (dates as ``date``,
times as ``datetime``), so that each channel formats them once in its own way (the pages in
English, the API and the CLI's JSON as ISO strings) and none parses them back.

The keys are the API's, in its order: a field added here is a field of the API.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypedDict


class AgencyRole(TypedDict):
    agency: str
    role: str
    chronology_requested_on: date | None


class Victim(TypedDict):
    type: str
    name: str
    address: str
    postcode: str
    email: str
    phone: str
    contact_preference: str
    accessibility_needs: str
    language: str
    is_vulnerable: bool
    is_repeat_victim: bool


class Applicant(TypedDict):
    on_behalf: bool
    name: str
    relationship: str
    consent_given_on: date | None
    email: str
    phone: str
    address: str
    contact_preference: str


class Complaint(TypedDict):
    reported_on: date
    reported_to: str
    is_registered_provider: bool
    reporter: str
    reference: str


class Incident(TypedDict):
    occurred_on: date
    description: str
    location: str
    hate_related: bool
    complaints: list[Complaint]


class Extension(TypedDict):
    kind: str | None
    reason: str | None
    requested_by: str | None
    agreed_on: date | None


class DeadlineDetail(TypedDict):
    step: str
    started_on: date
    due_on: date
    status: str
    ended_on: date | None
    original_due_on: date | None
    extension: Extension | None
    #: Working days from today to ``due_on`` while the clock runs (negative: overdue).
    working_days_left: int | None
    overdue: bool


class NextDeadline(TypedDict):
    step: str
    due_on: date
    working_days_left: int


class Rule(TypedDict):
    name: str
    held: bool
    statutory: bool
    explanation: str


class Suggestion(TypedDict):
    met: bool
    statutory_floor_met: bool
    rules_held: list[str]
    rules: list[Rule]


class ThresholdDecision(TypedDict):
    decision: str
    suggested_met: bool | None
    rules_held: Any
    rationale: str
    decided_on: date
    decided_by: str


class Panel(TypedDict):
    panel_on: date
    starts_at: str | None
    duration_minutes: int | None
    location: str
    held_on: date | None
    attendees: Any
    victim_attended: bool | None
    representative_attended: bool | None
    findings: str


class Recommendation(TypedDict):
    id: int
    agency_id: int
    agency: str
    action: str
    due_on: date
    status: str
    agency_response: str | None
    progress: str | None
    closing_reason: str | None
    updated_on: date | None
    late: bool


class Appeal(TypedDict):
    received_on: date
    grounds: str
    outcome: str | None
    reason: str
    decided_on: date | None


class PolicingBodyReview(TypedDict):
    requested_on: date
    grounds: str
    outcome: str | None
    reason: str
    decided_on: date | None


class ChronologyEntry(TypedDict):
    agency: str
    occurred_on: date
    summary: str
    recorded_by: str


class Message(TypedDict):
    id: int
    kind: str
    recipient: str
    #: The recipient in words ("the applicant", an agency's name).
    to: str
    status: str
    attempts: int
    last_error: str | None
    sent_at: datetime | None


class HistoryEntry(TypedDict):
    id: int
    at: datetime
    actor: str
    event: str
    from_state: str | None
    to_state: str | None
    #: The day the step happened (not the day it was recorded).
    on: date | None
    data: Any


class CaseDescription(TypedDict):
    reference: str
    state: str
    version: int
    workflow_version: int
    partnership: str
    received_on: date
    acknowledged_on: date | None
    threshold_decided_on: date | None
    findings_sent_on: date | None
    channel: str
    ward: str
    single_point_of_contact: str
    dissatisfaction: str
    correspondence_language: str | None
    hate_related: bool
    youth_asb: bool
    lead_agency: str | None
    involvement_level: str | None
    panel_attendance: str | None
    action_plan_shared_on: date | None
    victim_response: str | None
    victim_responded_on: date | None
    agencies: list[str]
    #: Agencies of the bodies the victim complained to, not yet on the case: an online
    #: application's proposals for the manager to confirm at acknowledgement (so only
    #: until the case is acknowledged).
    proposed_agencies: list[str]
    #: Each agency on the case with its role and when its chronology was asked for.
    agency_roles: list[AgencyRole]
    victim: Victim
    applicant: Applicant
    incidents: list[Incident]
    #: Each clock's due date, in the order of the case's version of the procedure.
    deadlines: dict[str, date]
    deadline_details: list[DeadlineDetail]
    next_deadline: NextDeadline | None
    threshold_suggestion: Suggestion
    threshold_decisions: list[ThresholdDecision]
    panels: list[Panel]
    recommendations: list[Recommendation]
    themes: list[str]
    appeals: list[Appeal]
    policing_body_reviews: list[PolicingBodyReview]
    refusal_ground: str | None
    chronology: list[ChronologyEntry]
    ended_on: date | None
    end_reason: str | None
    early_close_agreed_on: date | None
    allowed_events: list[str]
    messages: list[Message]
    history: list[HistoryEntry]
