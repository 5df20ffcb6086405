"""The case page's corrections, agencies and added incidents (issue 18).

The forms only collect; ``workflows.corrections``, ``workflows.service.reverse_step``,
``workflows.case_agencies`` and ``workflows.case_incidents`` decide, exactly as for the API
and the command line, and their field errors come back onto the fields. The correction form
shows each fact with its recorded value; only the values changed are sent.
"""

from __future__ import annotations

from datetime import date
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
    Field,
    FieldList,
    FormField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from triggers.db import read_session, write_transaction
from triggers.models import Agency, CaseReview
from web.activation_form import ComplaintRow
from web.app import services
from web.auth import current_actor
from web.step_forms import PartsDateField, place_errors
from workflows import permissions
from workflows.case_agencies import add_agency, proposed_agencies, remove_agency
from workflows.case_incidents import add_complaint, add_incident
from workflows.case_review import CASE_REVIEW, process_for
from workflows.corrections import (
    case_as_input,
    correct,
    describe_fact,
    step_events,
    steps_taken,
)
from workflows.errors import EventNotAllowed, InvalidData, StaleCase
from workflows.machine import FINAL_STATES
from workflows.service import Actor, reverse_step

blueprint = Blueprint("case_changes", __name__)


@blueprint.app_template_filter("fact_label")
def fact_label(fact: str) -> str:
    return describe_fact(fact)


LONG = Length(max=10_000, message="Keep this under 10,000 characters")
YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]
#: Each fact the correction form offers: its name, its label and its kind of field.
TEXT, AREA, DAY, FLAG = "text", "area", "date", "flag"
PEOPLE_FACTS = (
    ("victim.name", "Victim's name", TEXT),
    ("victim.address", "Victim's address", AREA),
    ("victim.postcode", "Victim's postcode", TEXT),
    ("victim.email", "Victim's e-mail address", TEXT),
    ("victim.phone", "Victim's phone number", TEXT),
    ("victim.accessibility_needs", "Accessibility or language needs", AREA),
    ("victim.is_vulnerable", "Is the victim vulnerable?", FLAG),
    ("victim.is_repeat_victim", "Is the victim a repeat victim?", FLAG),
)
APPLICANT_FACTS = (
    ("applicant.name", "Applicant's name", TEXT),
    ("applicant.relationship", "Applicant's relationship to the victim", TEXT),
    ("applicant.consent_given_on", "Date the victim gave consent", DAY),
    ("applicant.email", "Applicant's e-mail address", TEXT),
    ("applicant.phone", "Applicant's phone number", TEXT),
)
CASE_FACTS = (
    ("ward", "Ward or police beat", TEXT),
    ("single_point_of_contact", "Single point of contact", TEXT),
    ("youth_asb", "Is youth ASB an aggravating factor?", FLAG),
)


class _Button(GovSubmitInput):
    """A GOV.UK button of another kind (secondary, warning)."""

    def __init__(self, classes: str) -> None:
        super().__init__()
        self.classes = classes

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        params: dict[str, Any] = super().map_gov_params(field, **kwargs)
        params.setdefault("classes", self.classes)
        return params


def _key(fact: str) -> str:
    return fact.replace(".", "__")


def _fact_field(label: str, kind: str) -> Field:
    if kind == DAY:
        return PartsDateField(label, validators=[Optional()])
    if kind == FLAG:
        return RadioField(label, widget=GovRadioInput(), choices=YES_NO)
    if kind == AREA:
        return TextAreaField(label, widget=GovTextArea(), validators=[LONG])
    return StringField(label, widget=GovTextInput(), validators=[Length(max=320)])


def fact_spec(
    session: Session, case: CaseReview, steps: list[Any] | None = None
) -> list[tuple[str, str, str, Any]]:
    """(fact, label, kind, recorded value) for each fact the form offers on this case
    (``steps``: the steps taken, when the caller has them already)."""
    recorded = case_as_input(case)
    spec: list[tuple[str, str, str, Any]] = [
        ("received_on", "Date the application was received", DAY, recorded["received_on"])
    ]
    process = process_for(case.workflow_version)
    if steps is None:
        steps = step_events(session, case, process)
    latest = {step.event: step for step in steps}
    for event, step in latest.items():
        if event in process.corrections and step.step_on is not None:
            label = f"Date of the step: {process.titles[event].lower()}"
            spec.append((f"steps.{event}.on", label, DAY, step.step_on.isoformat()))
    facts = PEOPLE_FACTS + (APPLICANT_FACTS if recorded["applicant"]["on_behalf"] else ())
    for fact, label, kind in facts + CASE_FACTS:
        spec.append((fact, label, kind, _lookup(recorded, fact)))
    # A step's own words, on its latest row (a rationale recorded with a typing slip...).
    for fact, label, rows, column in (
        (
            "decision.rationale",
            "Rationale of the threshold decision",
            case.threshold_decisions,
            "rationale",
        ),
        (
            "panel.findings",
            "The panel's findings",
            [p for p in case.panels if p.held_on],
            "findings",
        ),
        ("appeal.grounds", "Grounds of the appeal", case.appeals, "grounds"),
    ):
        if rows:
            spec.append((fact, label, AREA, getattr(rows[-1], column)))
    for i, incident in enumerate(recorded["incidents"]):
        name = f"Incident {i + 1}"
        spec.append(
            (
                f"incidents.{i}.occurred_on",
                f"{name}: when it happened",
                DAY,
                incident["occurred_on"],
            )
        )
        spec.append(
            (f"incidents.{i}.description", f"{name}: what happened", AREA, incident["description"])
        )
        spec.append(
            (
                f"incidents.{i}.hate_related",
                f"{name}: motivated by hate?",
                FLAG,
                incident["hate_related"],
            )
        )
        for j, complaint in enumerate(incident["complaints"]):
            what = f"{name}, complaint {j + 1}"
            base = f"incidents.{i}.complaints.{j}"
            spec.append(
                (
                    f"{base}.reported_on",
                    f"{what}: when it was reported",
                    DAY,
                    complaint["reported_on"],
                )
            )
            spec.append(
                (f"{base}.reporter", f"{what}: who reported it", TEXT, complaint["reporter"])
            )
            spec.append(
                (f"{base}.reference", f"{what}: their reference", TEXT, complaint["reference"])
            )
    return spec


def _lookup(data: Any, fact: str) -> Any:
    for part in fact.split("."):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


def correction_form(spec: list[tuple[str, str, str, Any]], formdata: Any = None) -> Any:
    """A form with one field per fact of ``spec``, showing the recorded values."""
    fields: dict[str, Any] = {_key(fact): _fact_field(label, kind) for fact, label, kind, _ in spec}
    fields["reason"] = TextAreaField(
        "Why the correction is needed",
        widget=GovTextArea(),
        validators=[DataRequired("Enter why the correction is needed"), LONG],
        description="Recorded in the audit trail with the values before and after.",
    )
    fields["submit"] = SubmitField("Correct the case", widget=GovSubmitInput())
    form_class = type("CorrectionForm", (FlaskForm,), fields)
    data = {_key(fact): _shown(kind, value) for fact, _, kind, value in spec}
    form = form_class(prefix="correct", formdata=formdata, data=data)
    form.spec = spec
    return form


def _shown(kind: str, value: Any) -> Any:
    if kind == DAY:
        return date.fromisoformat(value) if value else None
    if kind == FLAG:
        return "yes" if value else "no"
    return value or ""


def _changes(form: Any) -> dict[str, Any]:
    """The facts whose value on the form differs from the recorded one."""
    changes = {}
    for fact, _, kind, recorded in form.spec:
        if f"correct-{_key(fact)}" not in request.form:  # not on the page sent: unchanged
            continue
        value = form[_key(fact)].data
        if kind == DAY:
            value = value.isoformat() if value else None
        elif kind == FLAG:
            value = value == "yes"
        else:
            value = (value or "").strip()
            recorded = recorded or ""
        if value != recorded:
            changes[fact] = value
    return changes


class ReverseForm(FlaskForm):
    reason = TextAreaField(
        "Why the step is reversed",
        widget=GovTextArea(),
        validators=[DataRequired("Enter why the step is reversed"), LONG],
        description="For example: recorded on the wrong case.",
    )
    submit = SubmitField("Reverse the latest step", widget=_Button("govuk-button--warning"))


class AddAgencyForm(FlaskForm):
    agency = SelectField("Agency", widget=GovSelect(), validate_choice=False)
    role = RadioField(
        "Its role on the case",
        widget=GovRadioInput(),
        choices=[SelectChoice("involved", "Involved"), SelectChoice("lead", "Lead agency")],
        validators=[DataRequired("Select the agency's role")],
    )
    reason = TextAreaField("Why (optional)", widget=GovTextArea(), validators=[LONG])
    submit = SubmitField("Add the agency", widget=GovSubmitInput())


class RemoveAgencyForm(FlaskForm):
    agency = SelectField("Agency", widget=GovSelect(), validate_choice=False)
    reason = TextAreaField(
        "Why it is taken off the case",
        widget=GovTextArea(),
        validators=[DataRequired("Enter why the agency is taken off the case"), LONG],
    )
    submit = SubmitField("Take the agency off the case", widget=_Button("govuk-button--secondary"))


class AddIncidentForm(FlaskForm):
    occurred_on = PartsDateField(
        "When it happened", validators=[DataRequired("Enter when it happened")]
    )
    what_happened = TextAreaField(
        "What happened",
        widget=GovTextArea(),
        validators=[DataRequired("Describe what happened"), LONG],
    )
    location = StringField("Where", widget=GovTextInput(), validators=[Length(max=200)])
    hate_related = BooleanField(
        "Motivated by hate (a hate crime or hate incident)", widget=GovCheckboxInput()
    )
    complaints = FieldList(FormField(ComplaintRow), min_entries=1, max_entries=20)
    reason = TextAreaField(
        "Where this came from (optional)", widget=GovTextArea(), validators=[LONG]
    )
    add_complaint = SubmitField("Add another complaint", widget=_Button("govuk-button--secondary"))
    submit = SubmitField("Add the incident", widget=GovSubmitInput())


class AddComplaintForm(ComplaintRow, FlaskForm):
    incident = SelectField("About which incident", widget=GovSelect(), validate_choice=False)
    submit = SubmitField("Add the complaint", widget=GovSubmitInput())


def change_forms(
    session: Session,
    case: CaseReview,
    actor: Actor,
    agencies: list[tuple[int, str]],
    history: list[dict[str, Any]],
) -> dict[str, Any]:
    """The forms of this module ``actor`` may use on the case, keyed by name (``history``:
    the case's audit events as described, so that they are not read again)."""
    forms: dict[str, Any] = {}
    if permissions.may(actor, permissions.CORRECT_CASE):
        steps = steps_taken(
            (
                SimpleNamespace(
                    **{**row, "step_on": date.fromisoformat(row["on"]) if row["on"] else None}
                )
                for row in history
            ),
            process_for(case.workflow_version),
        )
        forms["correct"] = correction_form(fact_spec(session, case, steps))
        if steps and steps[-1].event in CASE_REVIEW.corrections:
            forms["reverse"] = ReverseForm(prefix="reverse", formdata=None)
    is_open = case.state not in FINAL_STATES
    if permissions.may(actor, permissions.MANAGE_CASE_AGENCIES) and is_open:
        on_case = {link.agency_id for link in case.agencies}
        form = AddAgencyForm(prefix="agency", formdata=None)
        form.agency.choices = _agency_choices(agencies)
        forms["agency"] = form
        if on_case:
            form = RemoveAgencyForm(prefix="unagency", formdata=None)
            form.agency.choices = _agency_choices([a for a in agencies if a[0] in on_case])
            forms["unagency"] = form
    if permissions.may(actor, permissions.ADD_INCIDENT) and is_open:
        forms["incident"] = AddIncidentForm(prefix="incident", formdata=None)
        if case.incidents:
            form = AddComplaintForm(prefix="complaint", formdata=None)
            form.incident.choices = _incident_choices(case)
            forms["complaint"] = form
    return forms


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
    return [SelectChoice("", "Choose an agency")] + [SelectChoice(n, n) for _, n in agencies]


def _incident_choices(case: CaseReview) -> list[SelectChoice]:
    return [SelectChoice("", "Choose the incident")] + [
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
        flash(f"{error.message} Nothing was changed.", "error")
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
            named[_key(name)] = text
        else:  # a fact the form does not show: said in the summary, with its name
            named[name] = f"{describe_fact(name)}: {text}"
    return named


@blueprint.post("/cases/<reference>/corrections")
@login_required
def corrections(reference: str) -> Any:
    def make(session: Session, case: CaseReview, agencies: Any) -> Any:
        return correction_form(fact_spec(session, case), request.form)

    def action(session: Session, case: CaseReview, form: Any, app: Any) -> list[str]:
        changes = _changes(form)
        if not changes:
            raise InvalidData({"reason": "Change at least one value before correcting the case"})
        data = {"changes": changes, "reason": form.reason.data}
        result = correct(session, case, data, current_actor(), app.now(), app.policy)
        return ["The case is corrected.", *result.summary(CASE_REVIEW.clock_labels)]

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
        state = CASE_REVIEW.state_labels[case.state].lower()
        title = CASE_REVIEW.titles.get(form.step, form.step).lower()
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
