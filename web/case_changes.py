"""The case page's corrections, agencies and added incidents (issue 18).

The forms only collect; ``workflows.corrections``, ``workflows.service.reverse_step``,
``workflows.case_agencies`` and ``workflows.case_incidents`` decide, exactly as for the API
and the command line, and their field errors come back onto the fields. The correction form
shows each fact with its recorded value; only the values changed are sent.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import login_required
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length

from triggers.db import read_session, write_transaction
from triggers.models import Agency, CaseReview
from web.activation_form import BODIES, ComplaintRow
from web.auth import current_actor
from web.correction_form import (
    LONG,
    Button,
    changes_made,
    correction_form,
    correction_form_to_make,
    fact_spec,
    field_key,
)
from web.kept_forms import FormToMake
from web.language import _ls, _s
from web.services import services
from web.step_forms import PartsDateField, place_errors
from workflows import permissions
from workflows.case_agencies import add_agency, proposed_agencies, remove_agency
from workflows.case_incidents import add_complaint, add_incident
from workflows.case_review import process_for
from workflows.corrections import (
    correct,
    describe_fact,
    step_events,
    steps_taken,
)
from workflows.description import HistoryEntry
from workflows.errors import EventNotAllowed, InvalidData, StaleCase
from workflows.service import Actor, reverse_step

blueprint = Blueprint("case_changes", __name__)


@blueprint.app_template_filter("fact_label")
def fact_label(fact: str) -> str:
    return describe_fact(fact)


class ReverseForm(FlaskForm):
    reason = TextAreaField(
        _ls("Why the step is reversed"),
        widget=GovTextArea(),
        validators=[DataRequired(_ls("Enter why the step is reversed")), LONG],
        description=_ls("For example: recorded on the wrong case."),
    )
    submit = SubmitField(_ls("Reverse the latest step"), widget=Button("govuk-button--warning"))


class AddAgencyForm(FlaskForm):
    agency = SelectField(_ls("Agency"), widget=GovSelect(), validate_choice=False)
    role = RadioField(
        _ls("Its role on the case"),
        widget=GovRadioInput(),
        choices=[
            SelectChoice("involved", _ls("Involved")),
            SelectChoice("lead", _ls("Lead agency")),
        ],
        validators=[DataRequired(_ls("Select the agency's role"))],
    )
    reason = TextAreaField(_ls("Why (optional)"), widget=GovTextArea(), validators=[LONG])
    submit = SubmitField(_ls("Add the agency"), widget=GovSubmitInput())


class RemoveAgencyForm(FlaskForm):
    agency = SelectField(_ls("Agency"), widget=GovSelect(), validate_choice=False)
    reason = TextAreaField(
        _ls("Why it is taken off the case"),
        widget=GovTextArea(),
        validators=[DataRequired(_ls("Enter why the agency is taken off the case")), LONG],
    )
    submit = SubmitField(
        _ls("Take the agency off the case"), widget=Button("govuk-button--secondary")
    )


class AddIncidentForm(FlaskForm):
    occurred_on = PartsDateField(
        _ls("When it happened"), validators=[DataRequired(_ls("Enter when it happened"))]
    )
    what_happened = TextAreaField(
        _ls("What happened"),
        widget=GovTextArea(),
        validators=[DataRequired(_ls("Describe what happened")), LONG],
    )
    location = StringField(_ls("Where"), widget=GovTextInput(), validators=[Length(max=200)])
    hate_related = BooleanField(
        _ls("Motivated by hate (a hate crime or hate incident)"), widget=GovCheckboxInput()
    )
    complaints = FieldList(FormField(ComplaintRow), min_entries=1, max_entries=20)
    reason = TextAreaField(
        _ls("Where this came from (optional)"), widget=GovTextArea(), validators=[LONG]
    )
    add_complaint = SubmitField(
        _ls("Add another complaint"), widget=Button("govuk-button--secondary")
    )
    submit = SubmitField(_ls("Add the incident"), widget=GovSubmitInput())


class AddComplaintForm(ComplaintRow, FlaskForm):
    incident = SelectField(_ls("About which incident"), widget=GovSelect(), validate_choice=False)
    submit = SubmitField(_ls("Add the complaint"), widget=GovSubmitInput())


def change_forms(
    session: Session,
    case: CaseReview,
    actor: Actor,
    agencies: list[tuple[int, str]],
    history: list[HistoryEntry],
) -> dict[str, Any]:
    """The forms of this module ``actor`` may use on the case, keyed by name (``history``:
    the case's audit events as described, so that they are not read again)."""
    forms: dict[str, Any] = {}
    if permissions.may(actor, permissions.CORRECT_CASE):
        process = process_for(case.workflow_version)
        steps = steps_taken(
            (SimpleNamespace(**{**row, "step_on": row["on"]}) for row in history), process
        )
        forms["correct"] = correction_form_to_make(fact_spec(session, case, steps))
        if steps and steps[-1].event in process.corrections:
            forms["reverse"] = FormToMake.unposted(ReverseForm, "reverse")
    is_open = case.state not in process_for(case.workflow_version).final_states
    if permissions.may(actor, permissions.MANAGE_CASE_AGENCIES) and is_open:
        on_case = {link.agency_id for link in case.agencies}
        forms["agency"] = _agency_form(AddAgencyForm, "agency", agencies)
        if on_case:
            taken_off = [a for a in agencies if a[0] in on_case]
            forms["unagency"] = _agency_form(RemoveAgencyForm, "unagency", taken_off)
    if permissions.may(actor, permissions.ADD_INCIDENT) and is_open:
        forms["incident"] = FormToMake.unposted(AddIncidentForm, "incident")
        if case.incidents:
            forms["complaint"] = _complaint_form(case)
    return forms


def _complaint_form(case: CaseReview) -> FormToMake:
    """The complaint form offering the case's incidents: kept with holes for their words (a
    date and a description each), made only when not kept."""
    choices = _incident_choices(case)
    # The words its shape takes out (web.kept_forms.form_shape): each plain-text choice, in
    # the order of the fields, the row's bodies' first and then the incidents' (checked
    # against the form when it is made to be kept: a form whose words differ is not kept).
    offered = [*BODIES, *choices]
    words = [choice.label for choice in offered if type(choice.label) is str]
    return FormToMake.unposted(
        AddComplaintForm,
        "complaint",
        recipe=(len(choices),),
        choices={"incident": choices},
        words=words,
    )


def _agency_form(form_class: Any, prefix: str, agencies: list[tuple[int, str]]) -> FormToMake:
    """A form choosing one of ``agencies`` (the partnership's names, not a case's words):
    kept by them and made only when not kept (web.kept_forms.FormToMake)."""
    return FormToMake.unposted(
        form_class,
        prefix,
        recipe=tuple(agencies),
        choices={"agency": _agency_choices(agencies)},
    )


def offer_agencies(session: Session, case: CaseReview, form: Any, submitted: bool) -> None:
    """The acknowledgement's agencies: those not yet on the case, the ones an online
    application proposes (from the bodies it was reported to) ticked for the manager to
    confirm, and a hint naming those already on it."""
    on_case = sorted(link.agency.name for link in case.agencies)
    others = session.scalars(
        select(Agency).where(Agency.partnership_id == case.partnership_id).order_by(Agency.name)
    )
    form.agencies.choices = [SelectChoice(a.name, a.name) for a in others if a.name not in on_case]
    proposed = [agency.name for agency in proposed_agencies(session, case)]
    if not submitted:
        form.agencies.data = proposed
    hint = "Each agency ticked is added to the case and asked for its chronology."
    if proposed:
        hint += f" Proposed from the bodies the victim reported to: {', '.join(proposed)}."
    if on_case:
        hint += f" Already on the case: {', '.join(on_case)}."
    form.agencies.description = hint


def _agency_choices(agencies: list[tuple[int, str]]) -> list[SelectChoice]:
    return [SelectChoice("", _ls("Choose an agency"))] + [SelectChoice(n, n) for _, n in agencies]


def _incident_choices(case: CaseReview) -> list[SelectChoice]:
    return [SelectChoice("", _ls("Choose the incident"))] + [
        SelectChoice(
            str(i), f"{i + 1}: {incident.occurred_on:%d/%m/%Y}, {incident.description[:60]}"
        )
        for i, incident in enumerate(case.incidents)
    ]


def _run(reference: str, name: str, act: str, make: Any, action: Any) -> Any:
    """Check who may ``act`` (after "not found"), build the form, check it, then do it."""
    from web.staff import _agencies, _render_case, _visible_case

    app = services()
    with read_session(app.sessions) as session:
        case = _visible_case(session, reference)
        permissions.require(current_actor(), act)
        form = make(session, case, _agencies(session))
    if name == "incident" and request.form.get("incident-add_complaint"):
        # "Add another complaint": the same form again with one more row, nothing recorded.
        form.complaints.append_entry()
        return _render_case(reference, plan_form=(name, form))
    if not form.validate_on_submit():
        return _render_case(reference, plan_form=(name, form), status=400)
    try:
        with write_transaction(app.sessions) as session:
            case = _visible_case(session, reference, for_update=True)
            messages = action(session, case, form, app)
    except InvalidData as error:
        problems = place_errors(form, _form_names(form, error.fields))
        return _render_case(reference, plan_form=(name, form), status=422, problems=problems)
    except (StaleCase, EventNotAllowed) as error:
        flash(_s("%(problem)s Nothing was changed.", problem=error.message), "error")
        return redirect(url_for("staff.case_page", reference=reference))
    flash(messages[0], "success")
    for message in messages[1:]:
        flash(message, "info")
    return redirect(url_for("staff.case_page", reference=reference))


def _form_names(form: Any, fields: dict[str, str]) -> dict[str, str]:
    """The service's field names as this form's (a fact's dots are the form's ``__``)."""
    if not hasattr(form, "spec"):
        return {{"description": "what_happened"}.get(k, k): v for k, v in fields.items()}
    known = {fact for fact, *_ in form.spec}
    named = {}
    for name, text in fields.items():
        if name in known:
            named[field_key(name)] = text
        else:  # a fact the form does not show: said in the summary, with its name
            named[name] = f"{describe_fact(name)}: {text}"
    return named


@blueprint.post("/cases/<reference>/corrections")
@login_required
def corrections(reference: str) -> Any:
    def make(session: Session, case: CaseReview, agencies: Any) -> Any:
        return correction_form(fact_spec(session, case), request.form)

    def action(session: Session, case: CaseReview, form: Any, app: Any) -> list[str]:
        changes = changes_made(form)
        if not changes:
            raise InvalidData({"reason": "Change at least one value before correcting the case"})
        data = {"changes": changes, "reason": form.reason.data}
        result = correct(session, case, data, current_actor(), app.now(), app.policy)
        labels = process_for(case.workflow_version).clock_labels
        return ["The case is corrected.", *result.summary(labels)]

    return _run(reference, "correct", permissions.CORRECT_CASE, make, action)


@blueprint.post("/cases/<reference>/corrections/reverse")
@login_required
def reverse(reference: str) -> Any:
    def make(session: Session, case: CaseReview, agencies: Any) -> Any:
        form = ReverseForm(prefix="reverse")
        steps = step_events(session, case, process_for(case.workflow_version))
        form.step = steps[-1].event if steps else ""
        return form

    def action(session: Session, case: CaseReview, form: Any, app: Any) -> list[str]:
        data = {"event": form.step, "reason": form.reason.data}
        outcome = reverse_step(session, case, data, current_actor(), app.now(), app.policy)
        process = process_for(case.workflow_version)  # the case's own labels and titles
        state = process.state_labels[case.state].lower()
        title = process.titles[form.step].lower()
        return [f"Reversed the step ({title}): the case is back to {state}.", *outcome.warnings]

    return _run(reference, "reverse", permissions.CORRECT_CASE, make, action)


@blueprint.post("/cases/<reference>/agencies")
@login_required
def agencies(reference: str) -> Any:
    def make(session: Session, case: CaseReview, agencies: Any) -> Any:
        form = AddAgencyForm(prefix="agency")
        form.agency.choices = _agency_choices(agencies)
        return form

    def action(session: Session, case: CaseReview, form: Any, app: Any) -> list[str]:
        data = {
            "agency": form.agency.data or "",
            "role": form.role.data,
            "reason": form.reason.data or "",
        }
        notes = add_agency(session, case, data, current_actor(), app.now(), app.policy)
        return [f"Added {form.agency.data} to the case.", *notes]

    return _run(reference, "agency", permissions.MANAGE_CASE_AGENCIES, make, action)


@blueprint.post("/cases/<reference>/agencies/remove")
@login_required
def unagency(reference: str) -> Any:
    def make(session: Session, case: CaseReview, agencies: Any) -> Any:
        form = RemoveAgencyForm(prefix="unagency")
        form.agency.choices = _agency_choices(agencies)
        return form

    def action(session: Session, case: CaseReview, form: Any, app: Any) -> list[str]:
        data = {"agency": form.agency.data or "", "reason": form.reason.data or ""}
        remove_agency(session, case, data, current_actor(), app.now(), app.policy)
        return [f"Took {form.agency.data} off the case."]

    return _run(reference, "unagency", permissions.MANAGE_CASE_AGENCIES, make, action)


@blueprint.post("/cases/<reference>/incidents")
@login_required
def incidents(reference: str) -> Any:
    def make(session: Session, case: CaseReview, agencies: Any) -> Any:
        return AddIncidentForm(prefix="incident")

    def action(session: Session, case: CaseReview, form: Any, app: Any) -> list[str]:
        data = {
            "occurred_on": form.occurred_on.data.isoformat(),
            "description": form.what_happened.data or "",
            "location": form.location.data or "",
            "hate_related": bool(form.hate_related.data),
            "complaints": [row.for_service() for row in form.complaints if not row.is_empty()],
            "reason": form.reason.data or "",
        }
        notes = add_incident(session, case, data, current_actor(), app.now(), app.policy)
        return ["Added the incident.", *notes]

    return _run(reference, "incident", permissions.ADD_INCIDENT, make, action)


@blueprint.post("/cases/<reference>/complaints")
@login_required
def complaints(reference: str) -> Any:
    def make(session: Session, case: CaseReview, agencies: Any) -> Any:
        form = AddComplaintForm(prefix="complaint")
        form.incident.choices = _incident_choices(case)
        return form

    def action(session: Session, case: CaseReview, form: Any, app: Any) -> list[str]:
        if not (form.incident.data or "").isdigit():
            raise InvalidData({"incident": "Choose the incident the complaint was about"})
        data = {**form.for_service(), "incident": int(form.incident.data)}
        notes = add_complaint(session, case, data, current_actor(), app.now(), app.policy)
        return ["Added the complaint.", *notes]

    return _run(reference, "complaint", permissions.ADD_INCIDENT, make, action)
