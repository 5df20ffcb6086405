"""The shape of the data each step takes, checked before anything is written.

The same schemas serve the JSON API, the CLI and (through plain dicts) the web forms, and
give the OpenAPI document its component schemas. Unknown fields are refused, so a misspelt
name is reported instead of silently dropped.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from triggers.statuses import RecommendationStatus
from triggers.text import LARGEST_ID, email_problem, one_line_problem, strings_with_control
from workflows.errors import InvalidData

M = TypeVar("M", bound=BaseModel)


def _iso_date(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("is not a real date") from None
    raise ValueError("must be a date written YYYY-MM-DD")


def _email(value: str) -> str:
    if value and (problem := email_problem(value)):
        raise ValueError(problem)
    return value


def _one_line(value: str) -> str:
    """Names, references and the like reach e-mail headers and address blocks (triggers.text)."""
    if problem := one_line_problem(value):
        raise ValueError(problem)
    return value


OneLine = AfterValidator(_one_line)
IsoDate = Annotated[date, BeforeValidator(_iso_date)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), OneLine]
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), OneLine
]
#: Text that must fit a column of 100 or 60 characters.
Text100 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100), OneLine]
Text60 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=60), OneLine]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40), OneLine]
Postcode = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10), OneLine]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10_000)]
RequiredText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)
]
Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=320), AfterValidator(_email)
]
Contact = Literal["email", "phone", "letter"]
#: Who a complaint was made to. The first four are relevant bodies (s.104-105 and Schedule 4
#: of the 2014 Act; health is the integrated care board or Welsh local health board); "other"
#: (an MP, a private landlord) is kept for the panel but never counts towards the Act's floor.
Body = Literal["council", "police", "health", "housing_provider", "other"]


class FieldProblem(ValueError):
    """A problem with one field inside a model, found by a check across fields."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)


class ComplaintIn(Strict):
    reported_on: IsoDate
    reported_to: Body
    #: For a housing provider: whether it is a registered provider (England) or registered
    #: social landlord (Wales). A private landlord is "other".
    is_registered_provider: bool = True
    #: The name of the person who complained.
    reporter: ShortText = ""
    reference: Text100 = ""


class IncidentIn(Strict):
    occurred_on: IsoDate
    description: RequiredText
    location: ShortText = ""
    hate_related: bool = False
    complaints: list[ComplaintIn] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _complaints_after_incident(self) -> IncidentIn:
        for index, complaint in enumerate(self.complaints):
            if complaint.reported_on < self.occurred_on:
                raise FieldProblem(
                    {f"complaints.{index}.reported_on": "is before the incident happened"}
                )
        return self


class VictimIn(Strict):
    type: Literal["individual", "business", "community_group"]
    name: Name
    address: LongText = ""
    postcode: Postcode = ""
    email: Email = ""
    phone: Phone = ""
    contact_preference: Contact = "letter"
    accessibility_needs: LongText = ""
    language: Text60 = ""
    is_vulnerable: bool = False
    is_repeat_victim: bool = False


class ApplicantIn(Strict):
    on_behalf: bool = False
    name: ShortText = ""
    relationship: Text100 = ""
    consent_given_on: IsoDate | None = None
    email: Email = ""
    phone: Phone = ""
    address: LongText = ""
    contact_preference: Contact = "letter"

    @model_validator(mode="after")
    def _on_behalf_needs_consent(self) -> ApplicantIn:
        if self.on_behalf:
            missing = {
                name: "is required when applying on the victim's behalf"
                for name in ("name", "relationship", "consent_given_on")
                if not getattr(self, name)
            }
            if missing:
                raise FieldProblem(missing)
        return self


class CaseIn(Strict):
    """An activation: a new application for an ASB case review."""

    received_on: IsoDate
    victim: VictimIn
    applicant: ApplicantIn = Field(default_factory=ApplicantIn)
    incidents: list[IncidentIn] = Field(min_length=1, max_length=200)
    channel: Literal["online", "phone", "letter", "email", "in_person", "api"] = "api"
    dissatisfaction: LongText = ""
    #: The language to write to the applicant in: "cy", "en", or "" when not known.
    correspondence_language: Literal["", "en", "cy"] = ""
    single_point_of_contact: ShortText = ""
    youth_asb: bool = False
    #: Names of the partnership's agencies involved (from config.toml).
    agencies: list[Name] = Field(default_factory=list, max_length=50)
    lead_agency: ShortText = ""
    #: The ward or police beat, for the published breakdown by area.
    ward: Text100 = ""

    @model_validator(mode="after")
    def _nothing_after_the_application(self) -> CaseIn:
        problems = {}
        for i, incident in enumerate(self.incidents):
            if incident.occurred_on > self.received_on:
                problems[f"incidents.{i}.occurred_on"] = "is after the application was received"
            for j, complaint in enumerate(incident.complaints):
                if complaint.reported_on > self.received_on:
                    problems[f"incidents.{i}.complaints.{j}.reported_on"] = (
                        "is after the application was received"
                    )
        if problems:
            raise FieldProblem(problems)
        return self

    @model_validator(mode="after")
    def _letters_by_post_need_an_address(self) -> CaseIn:
        """Letters go to the applicant (the victim, or who applied for them): by post, they
        need an address, or the manager is later asked to post a letter to a blank one. Here,
        so that the staff form, the public form, the API and the CLI all refuse it alike."""
        person, where = (
            (self.applicant, "applicant") if self.applicant.on_behalf else (self.victim, "victim")
        )
        if person.contact_preference == "letter" and not person.address.strip():
            raise FieldProblem(
                {
                    f"{where}.address": "is needed to send letters by post: enter a postal "
                    "address, or choose to be contacted by e-mail or phone"
                }
            )
        return self


class EventIn(Strict):
    #: The date the step happened; today when left out. Never in the future.
    on: IsoDate | None = None
    #: The case's version as last read; a mismatch means someone else changed it (409).
    version: Annotated[int, Field(ge=0, le=LARGEST_ID)] | None = None


class AcknowledgeIn(EventIn):
    single_point_of_contact: ShortText = ""
    #: Agencies confirmed at acknowledgement (an online application proposes them from the
    #: bodies it was reported to); each is asked for its chronology with the others.
    agencies: list[Name] = Field(default_factory=list, max_length=50)


class DecideThresholdIn(EventIn):
    decision: Literal["met", "not_met"]
    #: Why, having regard to persistence, harm and the adequacy of the response.
    rationale: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=10, max_length=10_000)
    ]
    persistence: LongText = ""
    harm: LongText = ""
    adequacy_of_response: LongText = ""
    lead_agency: ShortText = ""
    #: Why the decision differs from the rules' suggestion: required when it does
    #: (``workflows.steps.decide_threshold``), recorded with the rationale.
    against_suggestion: LongText = ""


class SchedulePanelIn(EventIn):
    panel_on: IsoDate
    #: Local time the panel starts, HH:MM (24-hour clock).
    starts_at: Annotated[str, StringConstraints(pattern=r"^(([01]\d|2[0-3]):[0-5]\d)?$")] = ""
    duration_minutes: Annotated[int, Field(ge=15, le=480)] = 90
    location: ShortText = ""


class RecommendationIn(Strict):
    agency: Name
    action: RequiredText
    due_on: IsoDate


class RecordReviewIn(EventIn):
    findings: RequiredText
    recommendations: list[RecommendationIn] = Field(default_factory=list, max_length=100)
    themes: list[Name] = Field(default_factory=list, max_length=50)
    victim_attended: bool
    representative_attended: bool = False
    attendees: list[Name] = Field(default_factory=list, max_length=100)


class SendFindingsIn(EventIn):
    pass


class AppealIn(EventIn):
    grounds: RequiredText


class DecideAppealIn(EventIn):
    outcome: Literal["upheld", "not_upheld"]
    reason: RequiredText


class ReasonIn(EventIn):
    reason: RequiredText


class RequestPolicingBodyReviewIn(EventIn):
    """The applicant asked the local policing body to review the case (date, grounds)."""

    grounds: RequiredText


class DecidePolicingBodyReviewIn(EventIn):
    outcome: Literal["upheld", "not_upheld"]
    reason: RequiredText


#: Why an application is refused without a threshold decision (2025 statutory guidance):
#: ineligible (anonymous, not anti-social behaviour, the same matter already reviewed) or
#: vexatious. Counted apart from "threshold not met".
RefusalGround = Literal["anonymous", "not_asb", "already_reviewed", "vexatious"]


class RefuseApplicationIn(EventIn):
    ground: RefusalGround
    reason: RequiredText


#: How a recommendation of the action plan stands when the case closes without it done.
Settled = Literal["done", "superseded", "refused"]


class SettleRecommendationIn(Strict):
    """One open recommendation settled as the case closes (workflows.closing)."""

    id: Annotated[int, Field(ge=1, le=LARGEST_ID)]
    status: Settled
    #: Why: what it was superseded by, or what was done.
    reason: LongText = ""
    #: Where the agency refused: its response, having had regard to the recommendation.
    agency_response: LongText = ""

    @model_validator(mode="after")
    def _reason_for_the_status(self) -> SettleRecommendationIn:
        if self.status == RecommendationStatus.SUPERSEDED and not self.reason:
            raise FieldProblem({"reason": "is required: say what superseded it"})
        if self.status == RecommendationStatus.REFUSED and not self.agency_response:
            raise FieldProblem(
                {"agency_response": "is required: the agency's 'have regard' response"}
            )
        return self


class CloseIn(ReasonIn):
    """Closing a case: before the appeal window ends only with the applicant's agreement,
    and never with a recommendation left open without a reason (workflows.closing)."""

    #: The day the applicant agreed to the case closing before the appeal window ends.
    applicant_agreed_on: IsoDate | None = None
    recommendations: list[SettleRecommendationIn] = Field(default_factory=list, max_length=100)


class ChronologyIn(Strict):
    agency: Name
    occurred_on: IsoDate
    summary: RequiredText


class CorrectionIn(Strict):
    """A correction of recorded facts (``workflows.corrections``): each key names a fact as
    the case's description does ("victim.name", "received_on", "incidents.0.occurred_on",
    "steps.acknowledge.on"), each value is the right one; the reason is recorded."""

    changes: dict[str, Any] = Field(min_length=1, max_length=50)
    reason: RequiredText
    version: Annotated[int, Field(ge=0, le=LARGEST_ID)] | None = None


class ReverseStepIn(Strict):
    """Reverse the latest step (taken in error, or on the wrong case): naming it guards
    against reversing another one."""

    event: Name
    reason: RequiredText
    version: Annotated[int, Field(ge=0, le=LARGEST_ID)] | None = None


class CaseAgencyIn(Strict):
    """An agency brought into a case, with its role."""

    agency: Name
    role: Literal["lead", "involved"] = "involved"
    reason: LongText = ""
    version: Annotated[int, Field(ge=0, le=LARGEST_ID)] | None = None


class RemoveAgencyIn(Strict):
    agency: Name
    reason: RequiredText
    version: Annotated[int, Field(ge=0, le=LARGEST_ID)] | None = None


class AddIncidentIn(IncidentIn):
    """An incident added to an open case later (an agency's chronology revealed it)."""

    reason: LongText = ""
    version: Annotated[int, Field(ge=0, le=LARGEST_ID)] | None = None


class AddComplaintIn(ComplaintIn):
    """One more complaint about an incident already on the case (its number, from 0)."""

    incident: Annotated[int, Field(ge=0, le=199)]
    reason: LongText = ""
    version: Annotated[int, Field(ge=0, le=LARGEST_ID)] | None = None


_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a field this accepts",
    "string_too_short": "must not be empty",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be a list",
    "model_type": "must be an object",
    "dict_type": "must be an object",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
}


def parse(schema: type[M], data: Any) -> M:
    """Validate ``data`` against ``schema``; raise InvalidData naming every wrong field."""
    if not isinstance(data, dict):
        raise InvalidData({"body": "must be a JSON object"})
    # Before the schema, so every channel (the CLI and the import too) refuses them alike.
    if control := strings_with_control(data):
        raise InvalidData(control)
    try:
        return schema.model_validate(data)
    except ValidationError as error:
        raise InvalidData(_fields(error)) from None


def _fields(error: ValidationError) -> dict[str, str]:
    fields: dict[str, str] = {}
    for problem in error.errors():
        name = ".".join(str(part) for part in problem["loc"]) or "body"
        kind = problem["type"]
        cause = problem.get("ctx", {}).get("error")
        if isinstance(cause, FieldProblem):
            for inner, text in cause.fields.items():
                fields.setdefault(f"{name}.{inner}" if name != "body" else inner, text)
            continue
        if kind == "value_error":
            text = str(cause if cause is not None else problem["msg"])
        elif kind == "string_too_long":
            text = f"must be at most {problem['ctx']['max_length']} characters"
        elif kind == "string_too_short" and problem["ctx"]["min_length"] > 1:
            text = f"must be at least {problem['ctx']['min_length']} characters"
        elif kind == "too_short" and problem["ctx"].get("min_length"):
            text = f"needs at least {problem['ctx']['min_length']} item(s)"
        elif kind == "too_long":
            text = f"may have at most {problem['ctx']['max_length']} items"
        elif kind == "string_pattern_mismatch":
            text = "must be a time written HH:MM, like 10:30"
        elif kind in ("less_than_equal", "greater_than_equal"):
            text = f"must be {problem['msg'].removeprefix('Input should be ')}"
        elif kind == "literal_error":
            text = f"must be one of {problem['ctx']['expected']}"
        else:
            text = _MESSAGES.get(kind, problem["msg"])
        fields.setdefault(name, text)
    return fields
