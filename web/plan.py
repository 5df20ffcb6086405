"""The victim's involvement and the action plan, on the case page.

The victim chooses how involved to be and how to take part in the panel; the draft action
plan is shared with them and their response recorded; agencies respond to their own
recommendations and report progress; a manager moves a deadline by agreement, with its
reason (2025 statutory guidance).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, url_for
from flask_login import login_required
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
)
from wtforms import BooleanField, RadioField, SelectChoice, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from triggers.calendar import english_date
from triggers.db import read_session, write_transaction
from triggers.statuses import DeadlineStatus
from web.auth import current_actor
from web.kept_forms import FormToMake
from web.language import _ls, _s
from web.services import services
from web.step_forms import PartsDateField, place_errors
from workflows import permissions
from workflows.action_plan import (
    record_involvement,
    record_victim_response,
    share_action_plan,
    update_recommendation,
)
from workflows.case_review import labels_of_every_version, process_for
from workflows.description import CaseDescription
from workflows.errors import EventNotAllowed, InvalidData, StaleCase
from workflows.extensions import extend_deadline
from workflows.machine import REVIEW_COMPLETE
from workflows.service import Actor

blueprint = Blueprint("plan", __name__)

INVOLVEMENT = {
    "informed": "Kept informed",
    "consulted": "Consulted at each step",
    "involved": "Fully involved, including the panel",
}
ATTENDANCE = {
    "in_person": "In person",
    "online": "Online",
    "representative": "Through a representative",
    "written_statement": "By a written statement",
    "not_attending": "Not attending",
}
STATUSES = {
    "open": "Not started",
    "in_progress": "In progress",
    "done": "Done",
    "superseded": "Superseded",
    "refused": "Refused by the agency (with its response)",
    "dropped": "Dropped",
}


class InvolvementForm(FlaskForm):
    involvement_level = RadioField(
        _ls("How involved does the victim want to be?"),
        widget=GovRadioInput(),
        choices=[SelectChoice(k, v) for k, v in INVOLVEMENT.items()],
        validators=[DataRequired(_ls("Select how involved the victim wants to be"))],
    )
    panel_attendance = RadioField(
        _ls("How will the victim take part in the panel?"),
        widget=GovRadioInput(),
        choices=[SelectChoice(k, v) for k, v in ATTENDANCE.items()],
        validators=[DataRequired(_ls("Select how the victim will take part in the panel"))],
    )
    submit = SubmitField(_ls("Save the victim's choices"), widget=GovSubmitInput())


class ShareForm(FlaskForm):
    on = PartsDateField(
        _ls("Date shared"), validators=[Optional()], description=_ls("Leave it empty for today.")
    )
    submit = SubmitField(
        _ls("Share the draft action plan with the victim"), widget=GovSubmitInput()
    )


class VictimResponseForm(FlaskForm):
    response = TextAreaField(
        _ls("The victim's response"),
        widget=GovTextArea(),
        validators=[DataRequired(_ls("Enter the victim's response")), Length(max=10_000)],
    )
    on = PartsDateField(
        _ls("Date of the response"),
        validators=[Optional()],
        description=_ls("Leave it empty for today."),
    )
    submit = SubmitField(_ls("Record the victim's response"), widget=GovSubmitInput())


class RecommendationForm(FlaskForm):
    status = RadioField(
        _ls("Progress"),
        widget=GovRadioInput(),
        choices=[SelectChoice(k, v) for k, v in STATUSES.items()],
        validators=[DataRequired(_ls("Select the progress"))],
    )
    agency_response = TextAreaField(
        _ls("The agency's response"), widget=GovTextArea(), validators=[Length(max=10_000)]
    )
    progress = TextAreaField(
        _ls("Progress so far"), widget=GovTextArea(), validators=[Length(max=10_000)]
    )
    reason = TextAreaField(
        _ls("Why it is settled"),
        widget=GovTextArea(),
        validators=[Length(max=10_000)],
        description=_ls(
            "For a superseded recommendation, what superseded it. A refusal needs "
            "the agency's response above, having had regard to the recommendation."
        ),
    )
    submit = SubmitField(_ls("Update the recommendation"), widget=GovSubmitInput())


class ExtendForm(FlaskForm):
    """An agreed extension or pause of a running deadline (workflows.extensions)."""

    deadline = SelectField(_ls("Deadline"), widget=GovSelect(), validate_choice=False)
    kind = RadioField(
        _ls("Extension or pause"),
        widget=GovRadioInput(),
        choices=[SelectChoice("extension", _ls("Extension")), SelectChoice("pause", _ls("Pause"))],
        validators=[DataRequired(_ls("Select extension or pause"))],
    )
    due_on = PartsDateField(
        _ls("New last day"), validators=[DataRequired(_ls("Enter the new last day"))]
    )
    reason = TextAreaField(
        _ls("Why"),
        widget=GovTextArea(),
        validators=[DataRequired(_ls("Enter why the deadline moves")), Length(max=10_000)],
    )
    requested_by = RadioField(
        _ls("Who asked"),
        widget=GovRadioInput(),
        choices=[
            SelectChoice("victim", _ls("The victim")),
            SelectChoice("agency", _ls("An agency")),
            SelectChoice("panel", _ls("The panel")),
            SelectChoice("partnership", _ls("The partnership")),
        ],
        validators=[DataRequired(_ls("Select who asked"))],
    )
    victim_agreed = BooleanField(
        _ls("The victim agreed to the new date"), widget=GovCheckboxInput()
    )
    submit = SubmitField(_ls("Move the deadline"), widget=GovSubmitInput())


def plan_forms(case: CaseDescription, actor: Actor) -> dict[str, Any]:
    """The forms ``actor`` may use on this case, keyed by name (``workflows.permissions``)."""
    forms: dict[str, Any] = {}
    process = process_for(case["workflow_version"])
    if permissions.may(actor, permissions.RECORD_INVOLVEMENT) and (
        case["state"] not in process.final_states
    ):
        chosen = {
            "involvement_level": case["involvement_level"] or None,
            "panel_attendance": case["panel_attendance"] or None,
        }
        forms["involvement"] = FormToMake.unposted(
            InvolvementForm, "involvement", recipe=tuple(chosen.values()), data=chosen
        )
    if (
        permissions.may(actor, permissions.SHARE_ACTION_PLAN)
        and case["state"] == REVIEW_COMPLETE
        and case["recommendations"]
        and not (case["action_plan_shared_on"])
    ):
        forms["share"] = FormToMake.unposted(ShareForm, "share")
    if (
        permissions.may(actor, permissions.RECORD_VICTIM_RESPONSE)
        and case["action_plan_shared_on"]
        and not case["victim_responded_on"]
    ):
        forms["response"] = FormToMake.unposted(VictimResponseForm, "response")
    running = [d["step"] for d in case["deadline_details"] if d["status"] == DeadlineStatus.RUNNING]
    if permissions.may(actor, permissions.EXTEND_DEADLINE) and running:
        choices = [SelectChoice(step, process.clock_labels[step]) for step in running]
        forms["extend"] = FormToMake.unposted(
            ExtendForm,
            "extend",
            recipe=(process.version, *running),
            choices={"deadline": choices},
        )
    for rec in case["recommendations"]:
        if permissions.may_act_for(actor, permissions.UPDATE_RECOMMENDATION, rec["agency_id"]):
            prefix = f"rec-{rec['id']}"
            forms[prefix] = FormToMake.unposted(
                RecommendationForm,
                prefix,
                recipe=(rec["status"],),
                data={"status": rec["status"]},
            )
    return forms


def _actor() -> Actor:
    return current_actor()


def _run(reference: str, name: str, act: str, form: FlaskForm, action: Any) -> Any:
    """Check who may ``act`` on the case (after "not found"), then the form, then do it."""
    from web.staff import _render_case, _visible_case

    app = services()
    with read_session(app.sessions) as session:
        _visible_case(session, reference)
    permissions.require(_actor(), act)
    if not form.validate_on_submit():
        return _render_case(reference, plan_form=(name, form), status=400)
    try:
        with write_transaction(app.sessions) as session:
            case = _visible_case(session, reference, for_update=True)
            message = action(session, case, app)
    except InvalidData as error:
        problems = place_errors(form, error.fields)
        return _render_case(reference, plan_form=(name, form), status=422, problems=problems)
    except (StaleCase, EventNotAllowed) as error:  # as the step forms do: say so, keep nothing
        flash(_s("%(problem)s Nothing was changed.", problem=error.message), "error")
        return redirect(url_for("staff.case_page", reference=reference))
    flash(message, "success")
    return redirect(url_for("staff.case_page", reference=reference))


@blueprint.post("/cases/<reference>/involvement")
@login_required
def involvement(reference: str) -> Any:
    form = InvolvementForm(prefix="involvement")

    def action(session: Any, case: Any, app: Any) -> str:
        record_involvement(
            session,
            case,
            {
                "involvement_level": form.involvement_level.data,
                "panel_attendance": form.panel_attendance.data,
            },
            _actor(),
            app.now(),
            app.policy,
        )
        return "The victim's choices are saved."

    return _run(reference, "involvement", permissions.RECORD_INVOLVEMENT, form, action)


@blueprint.post("/cases/<reference>/action-plan/share")
@login_required
def share(reference: str) -> Any:
    form = ShareForm(prefix="share")

    def action(session: Any, case: Any, app: Any) -> str:
        data = {"on": form.on.data.isoformat()} if form.on.data else {}
        share_action_plan(session, case, data, _actor(), app.now(), app.policy)
        return "The draft action plan will go to the victim for comment."

    return _run(reference, "share", permissions.SHARE_ACTION_PLAN, form, action)


@blueprint.post("/cases/<reference>/action-plan/response")
@login_required
def response(reference: str) -> Any:
    form = VictimResponseForm(prefix="response")

    def action(session: Any, case: Any, app: Any) -> str:
        data: dict[str, Any] = {"response": form.response.data}
        if form.on.data:
            data["on"] = form.on.data.isoformat()
        record_victim_response(session, case, data, _actor(), app.now(), app.policy)
        return "The victim's response to the draft action plan is recorded."

    return _run(reference, "response", permissions.RECORD_VICTIM_RESPONSE, form, action)


@blueprint.post("/cases/<reference>/recommendations/<int(max=2147483647):recommendation_id>")
@login_required
def recommendation(reference: str, recommendation_id: int) -> Any:
    form = RecommendationForm(prefix=f"rec-{recommendation_id}")

    def action(session: Any, case: Any, app: Any) -> str:
        update_recommendation(
            session,
            case,
            recommendation_id,
            {
                "status": form.status.data,
                "agency_response": form.agency_response.data or "",
                "progress": form.progress.data or "",
                "reason": form.reason.data or "",
            },
            _actor(),
            app.now(),
            app.policy,
        )
        return "The recommendation is updated."

    name = f"rec-{recommendation_id}"
    return _run(reference, name, permissions.UPDATE_RECOMMENDATION, form, action)


@blueprint.post("/cases/<reference>/deadlines/extend")
@login_required
def extend(reference: str) -> Any:
    form = ExtendForm(prefix="extend")
    form.deadline.choices = [SelectChoice(k, v) for k, v in labels_of_every_version()[1].items()]

    def action(session: Any, case: Any, app: Any) -> str:
        day = form.due_on.data
        deadline = extend_deadline(
            session,
            case,
            {
                "deadline": form.deadline.data or "",
                "kind": form.kind.data,
                "due_on": day.isoformat() if day else "",
                "reason": form.reason.data or "",
                "requested_by": form.requested_by.data,
                "victim_agreed": bool(form.victim_agreed.data),
            },
            _actor(),
            app.now(),
            app.policy,
        )
        return f"The deadline now falls on {english_date(deadline.due_on)}."

    return _run(reference, "extend", permissions.EXTEND_DEADLINE, form, action)
