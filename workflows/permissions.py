"""Who may do what: the one rule the pages, the API and the command line all ask.

Seeing a case is ``visible_to``: managers and viewers see every case of their partnership;
agency representatives and panel members the cases their agency is involved in; the CSP
chair the cases that reached appeal. Outside that a case is "not found", never "forbidden",
so that a reference reveals nothing. Then this module decides what a person who sees a case
may do with it: take a step of the process (its declared roles), act for an agency
(chronology, recommendations), read the audit trail or answer a subject access request,
manage people, publish. A refusal is ``PermissionDenied`` (403 on a page and in the API).

Agency representatives and panel members speak for their own agency only: letting them
write as another agency would also add that agency to the case and so widen who sees it
(issue 16). The manager speaks for every agency of the partnership. A process (the command
line without ``--as``, the scheduler) has no role: it is the operator's own hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Select, exists

from triggers.models import Appeal, CaseAgency, CaseReview
from workflows.errors import PermissionDenied

if TYPE_CHECKING:
    from workflows.service import Actor

MANAGER, VIEWER, CHAIR, AGENCY, PANEL = "manager", "viewer", "chair", "agency", "panel"
ROLES = (MANAGER, VIEWER, CHAIR, AGENCY, PANEL)
#: Roles bound to one agency: the agency on their account is the one they speak for.
AGENCY_ROLES = frozenset({AGENCY, PANEL})

# What may be done to a case beside the process's events, and what else the service offers.
OPEN_CASE = "open_case"
ADD_CHRONOLOGY = "add_chronology"
UPDATE_RECOMMENDATION = "update_recommendation"
RECORD_INVOLVEMENT = "record_involvement"
SHARE_ACTION_PLAN = "share_action_plan"
RECORD_VICTIM_RESPONSE = "record_victim_response"
READ_AUDIT_TRAIL = "read_audit_trail"
SUBJECT_ACCESS = "subject_access"
RETRY_MESSAGE = "retry_message"
MANAGE_PEOPLE = "manage_people"
PUBLISH = "publish"
READ_MESSAGES = "read_messages"
APPROVE_LETTERS = "approve_letters"
EDIT_LETTERS = "edit_letters"
#: Issue 18: correct recorded facts and steps taken in error; bring agencies in and out;
#: add incidents and complaints to an open case.
CORRECT_CASE = "correct_case"
MANAGE_CASE_AGENCIES = "manage_case_agencies"
ADD_INCIDENT = "add_incident"
EXTEND_DEADLINE = "extend_deadline"
DATA_RETURN = "data_return"
ADD_DOCUMENT = "add_document"
READ_DOCUMENT = "read_document"
ADD_NOTE = "add_note"
#: Correct a note another person wrote (its author may always correct their own).
CORRECT_NOTE = "correct_note"
#: Narrow the task list to the cases of one single point of contact (the managers', who
#: share out the partnership's cases).
TASKS_BY_CONTACT = "tasks_by_contact"

#: act → the roles that may do it (the events' roles are the declaration's).
ACT_ROLES: dict[str, frozenset[str]] = {
    OPEN_CASE: frozenset({MANAGER}),
    ADD_CHRONOLOGY: frozenset({MANAGER, AGENCY}),
    UPDATE_RECOMMENDATION: frozenset({MANAGER, AGENCY, PANEL}),
    RECORD_INVOLVEMENT: frozenset({MANAGER}),
    SHARE_ACTION_PLAN: frozenset({MANAGER}),
    RECORD_VICTIM_RESPONSE: frozenset({MANAGER}),
    # The trail and a subject access export show every person's data on a case: the data
    # controller's role, the manager (UK GDPR Art. 15).
    READ_AUDIT_TRAIL: frozenset({MANAGER}),
    SUBJECT_ACCESS: frozenset({MANAGER}),
    RETRY_MESSAGE: frozenset({MANAGER}),
    MANAGE_PEOPLE: frozenset({MANAGER}),
    PUBLISH: frozenset({MANAGER}),
    # A letter as sent holds the applicant's name, address and the case in full: as the trail.
    READ_MESSAGES: frozenset({MANAGER}),
    APPROVE_LETTERS: frozenset({MANAGER}),
    EDIT_LETTERS: frozenset({MANAGER}),
    CORRECT_CASE: frozenset({MANAGER}),
    MANAGE_CASE_AGENCIES: frozenset({MANAGER}),
    ADD_INCIDENT: frozenset({MANAGER}),
    EXTEND_DEADLINE: frozenset({MANAGER}),
    # One row per application (no personal data) for the local policing body: the manager
    # and the CSP chair, who answer for the partnership's figures.
    DATA_RETURN: frozenset({MANAGER, CHAIR}),
    # Documents and notes (workflows.documents): those who work the case add them; everyone
    # who sees the case reads them (every download audited), as they read the case itself.
    ADD_DOCUMENT: frozenset({MANAGER, AGENCY, PANEL, CHAIR}),
    READ_DOCUMENT: frozenset(ROLES),
    ADD_NOTE: frozenset({MANAGER, AGENCY, PANEL, CHAIR}),
    CORRECT_NOTE: frozenset({MANAGER}),
    TASKS_BY_CONTACT: frozenset({MANAGER}),
}
#: How a refusal names the act.
ACT_WORDS = {
    OPEN_CASE: "log a new application",
    ADD_CHRONOLOGY: "add to the chronology",
    UPDATE_RECOMMENDATION: "update a recommendation",
    RECORD_INVOLVEMENT: "record the victim's choices",
    SHARE_ACTION_PLAN: "share the action plan",
    RECORD_VICTIM_RESPONSE: "record the victim's response",
    READ_AUDIT_TRAIL: "read the audit trail",
    SUBJECT_ACCESS: "answer a subject access request",
    RETRY_MESSAGE: "retry a message",
    MANAGE_PEOPLE: "manage people",
    PUBLISH: "publish the figures",
    READ_MESSAGES: "read the letters and e-mails as sent",
    APPROVE_LETTERS: "approve a letter held for approval",
    EDIT_LETTERS: "change the wording of the letters",
    CORRECT_CASE: "correct a case",
    MANAGE_CASE_AGENCIES: "change the agencies on a case",
    ADD_INCIDENT: "add incidents or complaints to a case",
    EXTEND_DEADLINE: "extend or pause a deadline",
    DATA_RETURN: "download the data return",
    ADD_DOCUMENT: "add a document",
    READ_DOCUMENT: "download a document",
    ADD_NOTE: "add a note",
    CORRECT_NOTE: "correct another person's note",
    TASKS_BY_CONTACT: "list the tasks of one single point of contact",
}

AgencyLike = TypeVar("AgencyLike")


def roles_for(act: str) -> frozenset[str]:
    """The roles that may do ``act``: an event of a version of the process (the newest that
    declares it: a case may run on any), or one of ``ACT_ROLES``."""
    # Read at call time: the declaration's modules ask this one.
    from workflows.case_review import PROCESSES

    for version in sorted(PROCESSES, reverse=True):
        if act in PROCESSES[version].step:
            return frozenset(PROCESSES[version].step[act].roles)
    return ACT_ROLES[act]


def may(actor: Actor, act: str) -> bool:
    """Whether ``actor``'s role may do ``act`` at all (which agency is ``may_act_for``)."""
    return role_may(actor.role, act)


def role_may(role: str | None, act: str) -> bool:
    """Whether a person with ``role`` (None: a process, the operator's own hand) may do
    ``act``: for what holds a role but is no actor (an account, a page's navigation)."""
    return role is None or role in roles_for(act)


def speaks_for_an_agency(role: str | None) -> bool:
    """Whether ``role`` is bound to one agency (its account names the agency it speaks
    for), so that it acts, adds and is asked in that agency's name only."""
    return role in AGENCY_ROLES


def own_agency(actor: Actor) -> int | None:
    """The agency ``actor`` speaks for, None when their role speaks for none: what an
    agency's tasks (its chronology, its recommendations, its panels) are looked up by."""
    return actor.agency_id if speaks_for_an_agency(actor.role) else None


def require(actor: Actor, act: str) -> None:
    """Raise ``PermissionDenied`` unless ``actor``'s role may do ``act``."""
    if not may(actor, act):
        words = ACT_WORDS.get(act, act.replace("_", " "))
        raise PermissionDenied(f"Your role ({actor.role}) may not {words}.")


def may_act_for(actor: Actor, act: str, agency_id: int | None) -> bool:
    """Whether ``actor`` may do ``act`` in the name of the agency ``agency_id``."""
    if not may(actor, act):
        return False
    if actor.role in AGENCY_ROLES:
        return agency_id is not None and actor.agency_id == agency_id
    return True


def require_act_for(actor: Actor, act: str, agency_id: int | None) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` may do ``act`` for this agency."""
    require(actor, act)
    if not may_act_for(actor, act, agency_id):
        raise PermissionDenied(
            f"You may {ACT_WORDS[act]} for your own agency only, not for another agency."
        )


def agencies_to_act_for(
    actor: Actor, act: str, agencies: Iterable[tuple[int, AgencyLike]]
) -> list[AgencyLike]:
    """Of ``agencies`` (id, anything), those ``actor`` may do ``act`` for: what a form offers."""
    return [value for agency_id, value in agencies if may_act_for(actor, act, agency_id)]


def visible_to(
    query: Select[Any], *, partnership_id: int, role: str, agency_id: int | None
) -> Select[Any]:
    """Limit a query over CaseReview to what a person with this role may see."""
    query = query.where(CaseReview.partnership_id == partnership_id)
    if role in AGENCY_ROLES:
        return query.where(
            exists().where(CaseAgency.case_id == CaseReview.id, CaseAgency.agency_id == agency_id)
        )
    if role == CHAIR:
        return query.where(exists().where(Appeal.case_id == CaseReview.id))
    return query
