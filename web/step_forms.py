"""One form per step of the process, as the case page offers them.

The forms only collect; ``workflows.service.apply`` decides, exactly as for the API. Its
field errors come back onto the form's fields, so the GOV.UK error summary links to them
and what the person typed stays on the page.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from triggers.config import Config
from triggers.text import LARGEST_ID, whole_number
from web.kept_forms import FormToMake
from web.language import _ls
from workflows.process import Process

LONG = Length(max=10_000, message=_ls("Keep this under 10,000 characters"))


class PartsDateField(DateField):
    """A GOV.UK date (day, month, year boxes) that copes with a part not being posted."""

    def __init__(self, label: str, **kwargs: Any) -> None:
        super().__init__(label, format="%d %m %Y", widget=GovDateInput(), **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        # GOV.UK's date widget unpacks exactly three parts when it shows the field again:
        # a request that sent fewer (or none) must not break the page.
        valuelist = [*valuelist, "", "", ""][:3]
        self.raw_data = valuelist
        if not any(part.strip() for part in valuelist):
            self.data = None
            return
        super().process_formdata(valuelist)


class StepForm(FlaskForm):
    version = HiddenField()
    on = PartsDateField(
        _ls("Date this happened"),
        validators=[Optional()],
        description=_ls("For example, 28 4 2025. Leave it empty for today."),
    )

    def data_for_service(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.on.data:
            data["on"] = self.on.data.isoformat()
        if self.version.data:
            version = whole_number(self.version.data, 0, LARGEST_ID)
            data["version"] = self.version.data if version is None else version
        return data


def _text(label: str, required: str | None = None, **kwargs: Any) -> TextAreaField:
    validators = [DataRequired(required)] if required else [Optional()]
    return TextAreaField(label, widget=GovTextArea(), validators=[*validators, LONG], **kwargs)


class AcknowledgeForm(StepForm):
    single_point_of_contact = StringField(
        _ls("Single point of contact"),
        widget=GovTextInput(),
        validators=[Length(max=200)],
        description=_ls("The officer the victim deals with, named in every letter."),
    )
    #: Choices and the proposals ticked are the case's (web.case_changes.offer_agencies).
    agencies = SelectMultipleField(
        _ls("Agencies to ask for their chronology"),
        widget=GovCheckboxesInput(),
        validate_choice=False,
    )
    submit = SubmitField(_ls("Acknowledge"), widget=GovSubmitInput())

    def data_for_service(self) -> dict[str, Any]:
        return {
            **super().data_for_service(),
            "single_point_of_contact": self.single_point_of_contact.data or "",
            "agencies": list(self.agencies.data or []),
        }


class DecideThresholdForm(StepForm):
    decision = RadioField(
        _ls("Is the threshold met?"),
        widget=GovRadioInput(),
        choices=[SelectChoice("met", _ls("Met")), SelectChoice("not_met", _ls("Not met"))],
        validators=[DataRequired(_ls("Select whether the threshold is met"))],
    )
    rationale = _text(
        "Rationale",
        "Enter the rationale for the decision",
        description="Having regard to the persistence of the ASB, the harm or "
        "potential harm, and the adequacy of the response.",
    )
    against_suggestion = _text(
        "Why decide against the rules' suggestion?",
        description="Needed only when the decision differs from what the rules suggest.",
    )
    submit = SubmitField(_ls("Record the decision"), widget=GovSubmitInput())

    def data_for_service(self) -> dict[str, Any]:
        return {
            **super().data_for_service(),
            "decision": self.decision.data,
            "rationale": self.rationale.data or "",
            "against_suggestion": self.against_suggestion.data or "",
        }


class SchedulePanelForm(StepForm):
    panel_on = PartsDateField(
        _ls("Panel date"), validators=[DataRequired(_ls("Enter the date of the panel"))]
    )
    starts_at = StringField(
        _ls("Start time"),
        widget=GovTextInput(),
        validators=[Optional()],
        description=_ls("24-hour clock, for example 10:30."),
    )
    location = StringField(_ls("Where"), widget=GovTextInput(), validators=[Length(max=200)])
    submit = SubmitField(_ls("Schedule the panel"), widget=GovSubmitInput())

    def data_for_service(self) -> dict[str, Any]:
        panel_on: date | None = self.panel_on.data
        return {
            **super().data_for_service(),
            "panel_on": panel_on.isoformat() if panel_on else "",
            "starts_at": (self.starts_at.data or "").strip(),
            "location": self.location.data or "",
        }


#: Rows of recommendations the review form offers at most (the service takes up to 100).
MOST_RECOMMENDATIONS = 30


def _agency_choices(agencies: list[str]) -> list[SelectChoice]:
    return [SelectChoice("", _ls("Choose an agency"))] + [
        SelectChoice(name, name) for name in agencies
    ]


class RecommendationRow(Form):
    agency = SelectField(_ls("Agency"), widget=GovSelect(), validate_choice=False)
    # A recommendation is often a paragraph: several lines (issue 18).
    action = TextAreaField(_ls("Action"), widget=GovTextArea(), validators=[Length(max=2000)])
    due_on = PartsDateField(_ls("Due by"), validators=[Optional()])


class RecordReviewForm(StepForm):
    findings = _text("Findings", "Enter what the panel found")
    victim_attended = RadioField(
        _ls("Did the victim attend?"),
        widget=GovRadioInput(),
        choices=[SelectChoice("yes", _ls("Yes")), SelectChoice("no", _ls("No"))],
        validators=[DataRequired(_ls("Select whether the victim attended"))],
    )
    attendees = _text("Who attended", description="One person per line.")
    themes = SelectMultipleField(
        _ls("Recurring themes"), widget=GovCheckboxesInput(), validate_choice=False
    )
    #: Three rows to start with; "Add another recommendation" adds one at a time up to this.
    recommendations = FieldList(
        FormField(RecommendationRow), min_entries=3, max_entries=MOST_RECOMMENDATIONS
    )
    submit = SubmitField(_ls("Record the review"), widget=GovSubmitInput())

    def add_recommendation(self, agencies: list[str]) -> None:
        """One more empty row, kept with what was typed in the others."""
        if len(self.recommendations.entries) < MOST_RECOMMENDATIONS:
            self.recommendations.append_entry()
        for row in self.recommendations.entries:
            row.agency.choices = _agency_choices(agencies)

    def data_for_service(self) -> dict[str, Any]:
        rows = [row for row in self.recommendations.entries if (row.action.data or "").strip()]
        return {
            **super().data_for_service(),
            "findings": self.findings.data or "",
            "victim_attended": self.victim_attended.data == "yes",
            "attendees": [
                line.strip() for line in (self.attendees.data or "").splitlines() if line.strip()
            ],
            "themes": list(self.themes.data or []),
            "recommendations": [
                {
                    "agency": row.agency.data or "",
                    "action": row.action.data,
                    "due_on": row.due_on.data.isoformat() if row.due_on.data else "",
                }
                for row in rows
            ],
        }


class SendFindingsForm(StepForm):
    submit = SubmitField(_ls("Record that the findings were sent"), widget=GovSubmitInput())


class AppealForm(StepForm):
    grounds = _text("Grounds of the appeal", "Enter the grounds of the appeal")
    submit = SubmitField(_ls("Record the appeal"), widget=GovSubmitInput())

    def data_for_service(self) -> dict[str, Any]:
        return {**super().data_for_service(), "grounds": self.grounds.data or ""}


class DecideAppealForm(StepForm):
    outcome = RadioField(
        _ls("Outcome"),
        widget=GovRadioInput(),
        choices=[
            SelectChoice("upheld", _ls("Upheld: a fresh review")),
            SelectChoice("not_upheld", _ls("Not upheld: the case closes")),
        ],
        validators=[DataRequired(_ls("Select the outcome"))],
    )
    reason = _text("Reasons", "Enter the reasons for the outcome")
    submit = SubmitField(_ls("Record the outcome"), widget=GovSubmitInput())

    def data_for_service(self) -> dict[str, Any]:
        return {
            **super().data_for_service(),
            "outcome": self.outcome.data,
            "reason": self.reason.data or "",
        }


class PolicingBodyRequestForm(StepForm):
    grounds = _text(
        "Grounds of the request",
        "Enter the grounds the applicant gave",
        description="What the applicant asks the local policing body to review.",
    )
    submit = SubmitField(_ls("Record the request"), widget=GovSubmitInput())

    def data_for_service(self) -> dict[str, Any]:
        return {**super().data_for_service(), "grounds": self.grounds.data or ""}


class PolicingBodyDecisionForm(StepForm):
    outcome = RadioField(
        _ls("The local policing body's decision"),
        widget=GovRadioInput(),
        choices=[
            SelectChoice("upheld", _ls("Upheld: the threshold is met and a panel is convened")),
            SelectChoice("not_upheld", _ls("Not upheld: the case closes")),
        ],
        validators=[DataRequired(_ls("Select the local policing body's decision"))],
    )
    reason = _text("Its reasons", "Enter the local policing body's reasons")
    submit = SubmitField(_ls("Record the decision"), widget=GovSubmitInput())

    def data_for_service(self) -> dict[str, Any]:
        return {
            **super().data_for_service(),
            "outcome": self.outcome.data,
            "reason": self.reason.data or "",
        }


class RefuseApplicationForm(StepForm):
    ground = RadioField(
        _ls("Why is the application refused?"),
        widget=GovRadioInput(),
        choices=[
            SelectChoice("anonymous", _ls("Ineligible: the application is anonymous")),
            SelectChoice("not_asb", _ls("Ineligible: it is not about anti-social behaviour")),
            SelectChoice(
                "already_reviewed", _ls("Ineligible: the same matter has already been reviewed")
            ),
            SelectChoice("vexatious", _ls("Refused as vexatious")),
        ],
        validators=[DataRequired(_ls("Select why the application is refused"))],
    )
    reason = _text(
        "Reasons",
        "Enter the reasons for refusing the application",
        description="These go in the letter to the applicant.",
    )
    submit = SubmitField(_ls("Refuse the application"), widget=GovSubmitInput())

    def data_for_service(self) -> dict[str, Any]:
        return {
            **super().data_for_service(),
            "ground": self.ground.data,
            "reason": self.reason.data or "",
        }


class ReasonForm(StepForm):
    reason = _text("Why", "Enter why", description="This goes in the letter to the applicant.")
    submit = SubmitField(_ls("Confirm"), widget=GovSubmitInput())

    def data_for_service(self) -> dict[str, Any]:
        return {**super().data_for_service(), "reason": self.reason.data or ""}


class CloseForm(ReasonForm):
    """Closing: the applicant's agreement where the appeal window is still open. Open
    recommendations are settled first with their own forms (done, superseded, refused)."""

    applicant_agreed_on = PartsDateField(
        _ls("Date the applicant agreed to close before the appeal window ends"),
        validators=[Optional()],
        description=_ls(
            "Only while the appeal window is still open: without the applicant's "
            "agreement the case cannot close before it ends."
        ),
    )

    def data_for_service(self) -> dict[str, Any]:
        data = super().data_for_service()
        if self.applicant_agreed_on.data:
            data["applicant_agreed_on"] = self.applicant_agreed_on.data.isoformat()
        return data


class ChronologyForm(FlaskForm):
    """An agency's record of one contact with the victim, for the chronology."""

    agency = SelectField(_ls("Agency"), widget=GovSelect(), validate_choice=False)
    occurred_on = PartsDateField(
        _ls("Date of the contact"), validators=[DataRequired(_ls("Enter the date of the contact"))]
    )
    summary = _text("What happened", "Enter what happened")
    submit = SubmitField(_ls("Add to the chronology"), widget=GovSubmitInput())

    def data_for_service(self) -> dict[str, Any]:
        day = self.occurred_on.data
        return {
            "agency": self.agency.data or "",
            "summary": self.summary.data or "",
            "occurred_on": day.isoformat() if day else "",
        }


def form_class(event: str, process: Process) -> type[StepForm]:
    """The form ``process`` declares for ``event``, by its class name (a StepForm). The
    process is the case's own version (``process_for(case.workflow_version)``): no default,
    so that a case half-way through an older version keeps that version's forms."""
    classes = {cls.__name__: cls for cls in _step_forms(StepForm)}
    return classes[process.step[event].form]


def _step_forms(cls: type[StepForm]) -> list[type[StepForm]]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_step_forms(sub)]
    return found


def make_form(
    event: str,
    config: Config,
    agencies: list[str],
    version: int,
    formdata: Any,
    process: Process,
) -> StepForm:
    """The form of step ``event`` as the case's ``process`` version declares it (its fields
    and its title), for a case at ``version``; bound to ``formdata`` when posted, else None."""
    form = form_class(event, process)(formdata=formdata, prefix=event)
    form.version.data = form.version.data or str(version)
    if isinstance(form, RecordReviewForm):
        form.themes.choices = [SelectChoice(theme.key, theme.label) for theme in config.themes]
        for row in form.recommendations.entries:
            row.agency.choices = _agency_choices(agencies)
    if isinstance(form, ReasonForm):
        form.submit.label.text = process.titles[event]
    return form


def form_to_make(
    event: str, config: Config, agencies: list[str], version: int, process: Process
) -> Any:
    """``make_form`` for a page that shows the step unposted: a ``FormToMake`` when the form
    is the same for every case at this step of this process version with these agencies
    (its recipe; ``config`` is the application's own, as the kept fields are), else the form.
    Acknowledging offers the case's own agencies (``web.staff.offer_agencies``): made."""
    if issubclass(form_class(event, process), AcknowledgeForm):
        return make_form(event, config, agencies, version, None, process)
    return FormToMake(
        ("step", event, process.version, tuple(agencies)),
        lambda: make_form(event, config, agencies, version, None, process),
        prefix=event,
    )


def place_errors(form: StepForm, fields: dict[str, str]) -> list[str]:
    """Put the service's field errors on the form; return those that fit no field."""
    leftover = []
    for name, message in fields.items():
        target: Any = form
        for part in name.split("."):
            if part.isdigit() and hasattr(target, "entries"):
                index = int(part)
                target = target.entries[index] if index < len(target.entries) else None
            else:
                target = getattr(target, part, None) if target is not None else None
                if hasattr(target, "form"):  # a FormField
                    target = target.form
        if target is not None and hasattr(target, "errors") and isinstance(target.errors, list):
            target.errors.append(_sentence(name, message))
        else:
            leftover.append(_sentence(name, message))
    # A FieldList keeps the errors its rows had when validated: refresh it so the error
    # summary (and the status code) see the ones placed inside rows just now.
    for field in form:
        if isinstance(field, FieldList):
            rows = [entry.errors for entry in field.entries]
            field.errors = rows if any(rows) else []
    return leftover


def _sentence(name: str, message: str) -> str:
    label = name.split(".")[-1].replace("_", " ")
    return f"{label.capitalize()} {message}" if not message[:1].isupper() else message
