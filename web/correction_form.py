"""The case page's correction form: each fact of the case with its recorded value.

The facts are named as ``workflows.corrections`` names them (``victim.name``,
``incidents.0.occurred_on``, ``steps.acknowledge.on``); a field's name is the fact's with
``__`` for each dot. Only the facts whose value was changed on the page are sent, so a
correction says exactly what the manager changed.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from flask import request
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from sqlalchemy.orm import Session
from wtforms import Field, RadioField, SelectChoice, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from triggers.models import CaseReview
from web.kept_forms import FormToMake
from web.language import _ls
from web.step_forms import PartsDateField
from workflows.case_review import process_for
from workflows.corrections import case_as_input, step_events

LONG = Length(max=10_000, message=_ls("Keep this under 10,000 characters"))
YES_NO = [SelectChoice("yes", _ls("Yes")), SelectChoice("no", _ls("No"))]
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


class Button(GovSubmitInput):
    """A GOV.UK button of another kind (secondary, warning)."""

    def __init__(self, classes: str) -> None:
        super().__init__()
        self.classes = classes

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        params: dict[str, Any] = super().map_gov_params(field, **kwargs)
        params.setdefault("classes", self.classes)
        return params


def field_key(fact: str) -> str:
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
    form_class = _form_class(tuple((fact, label, kind) for fact, label, kind, _ in spec))
    data = {field_key(fact): _shown(kind, value) for fact, _, kind, value in spec}
    form = form_class(prefix="correct", formdata=formdata, data=data)
    form.spec = spec
    return form


def correction_form_to_make(spec: list[tuple[str, str, str, Any]]) -> FormToMake:
    """``correction_form(spec)`` for the case page: kept by its recipe (the facts, and of
    each value only what its field's shape shows: a date or none, yes or no, some words or
    none), with holes for the case's words (a date's day, month and year, a text), in the
    order of the fields; made only when not kept (web.kept_forms.FormToMake)."""
    facts = tuple((fact, label, kind) for fact, label, kind, _ in spec)
    shown = [(kind, _shown(kind, value)) for _, _, kind, value in spec]
    recipe = ("correct", facts, tuple(_value_shape(kind, value) for kind, value in shown))
    words: list[str] = []
    for kind, value in shown:
        if kind == DAY and value is not None:
            words.extend(value.strftime("%d %m %Y").split(" "))
        elif kind != FLAG and isinstance(value, str) and value:
            words.append(value)
    return FormToMake(recipe, lambda: correction_form(spec), "correct", words=words)


def _value_shape(kind: str, value: Any) -> Any:
    """What of a shown value the field's kept shape holds: a date is there or not, a flag
    is its answer, words are there or not (and anything but words, as itself)."""
    if kind == DAY:
        return value is not None
    if kind == FLAG or not isinstance(value, str):
        return ("value", value)
    return bool(value)


@lru_cache(maxsize=256)
def _form_class(facts: tuple[tuple[str, str, str], ...]) -> Any:
    """The form class for these facts (name, label, kind), made once: a case page shows
    one, and making the class and ordering its fields cost more than filling it. Cases
    differ only in their numbers of incidents, complaints and steps taken, so few are made;
    the class holds no value of any case (those are given to each form made from it)."""
    fields: dict[str, Any] = {
        field_key(fact): _fact_field(label, kind) for fact, label, kind in facts
    }
    fields["reason"] = TextAreaField(
        _ls("Why the correction is needed"),
        widget=GovTextArea(),
        validators=[DataRequired(_ls("Enter why the correction is needed")), LONG],
        description=_ls("Recorded in the audit trail with the values before and after."),
    )
    fields["submit"] = SubmitField(_ls("Correct the case"), widget=GovSubmitInput())
    return type("CorrectionForm", (FlaskForm,), fields)


def _shown(kind: str, value: Any) -> Any:
    if kind == DAY:
        return date.fromisoformat(value) if value else None
    if kind == FLAG:
        return "yes" if value else "no"
    return value or ""


def changes_made(form: Any) -> dict[str, Any]:
    """The facts whose value on the form differs from the recorded one."""
    changes = {}
    for fact, _, kind, recorded in form.spec:
        if f"correct-{field_key(fact)}" not in request.form:  # not on the page sent: unchanged
            continue
        value = form[field_key(fact)].data
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
