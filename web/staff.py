"""The staff pages: the dashboard of deadlines and the case page.

Who sees what: the manager and viewers every case of their partnership; agency
representatives and panel members the cases their agency is involved in; the CSP chair
the cases that reached appeal. A case outside that is "not found", never "forbidden", so
that a URL reveals nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import Select, select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from triggers.audit import case_trail, trail_csv
from triggers.calendar import english_date
from triggers.db import read_session, write_transaction
from triggers.models import (
    Agency,
    CaseReview,
    OutboxMessage,
    Partnership,
)
from triggers.text import LARGEST_ID, whole_number
from web.acting import may
from web.activation_form import ActivationForm
from web.auth import current_actor
from web.case_changes import change_forms, offer_agencies
from web.documents import case_file
from web.formats import english
from web.forms import ConfirmForm, FilterForm
from web.kept_forms import FormToMake, hidden_inputs, kept_fields
from web.language import _s
from web.plan import ATTENDANCE, INVOLVEMENT, STATUSES, plan_forms
from web.redirects import local_target
from web.services import services
from web.step_forms import (
    AcknowledgeForm,
    ChronologyForm,
    RecordReviewForm,
    form_to_make,
    make_form,
    place_errors,
)
from web.subject_access import as_json as sar_json
from web.subject_access import as_pdf
from workflows import permissions
from workflows.case_review import (
    CASE_REVIEW,
    labels_of_every_version,
    process_for,
    states_of_every_version,
)
from workflows.dashboard import (
    Viewer,
    count_by_state,
    failed_messages,
    late_recommendations,
    open_cases,
)
from workflows.describe import case_seen_by, case_to_describe, describe_case
from workflows.errors import EventNotAllowed, InvalidData, StaleCase
from workflows.permissions import visible_to
from workflows.process import Process
from workflows.service import (
    Actor,
    ViewedCase,
    apply,
    case_for_a_step,
    open_case,
    record_chronology,
    record_view,
    record_view_after_reading,
)
from workflows.subject_access import Subject, find_subject, subject_access_record
from workflows.sweep import retry_by_hand

blueprint = Blueprint("staff", __name__)
#: Cases per page of the dashboard.
PAGE_SIZE = 50

#: What the staff pages call each state and each clock (the process declaration's words).
STATE_LABELS = CASE_REVIEW.state_labels
STEP_LABELS = CASE_REVIEW.clock_labels


def state_in_a_sentence(state: str, labels: Mapping[str, str] = STATE_LABELS) -> str:
    """A state's label as it reads after "The case is now": "at appeal", never "appeal".

    `labels` are those of the case's own process version (production's by default).
    """
    label = labels[state].lower()
    return f"at {label}" if state == "appeal" else label


blueprint.add_app_template_filter(english, "english")
# The case page's unbound forms, made once for each distinct form (web/kept_forms.py).
blueprint.add_app_template_global(kept_fields, "kept_fields")
blueprint.add_app_template_global(hidden_inputs, "hidden_inputs")


@blueprint.app_template_filter("days_left")
def days_left(days: int | None) -> str:
    if days is None:
        return ""
    if days < 0:
        return f"Overdue by {-days} working day{'s' if days != -1 else ''}"
    if days == 0:
        return "Due today"
    return f"{days} working day{'s' if days != 1 else ''} left"


@blueprint.app_context_processor
def labels() -> dict[str, Any]:
    # Pages list cases of every version of the process: each one's labels, in the staff
    # catalog's words (marked where the process declares them).
    state_labels, step_labels = labels_of_every_version()
    return {
        "state_labels": {state: _s(label) for state, label in state_labels.items()},
        "step_labels": {step: _s(label) for step, label in step_labels.items()},
        "partnership_name": services().config.partnership.name,
        "may": may,
        "acts": permissions,
    }


def process_rows(current: str, process: Process = CASE_REVIEW) -> list[dict[str, Any]]:
    """The process a case runs on, generated from its declaration: each state and where it
    leads."""
    rows = []
    labels = process.state_labels
    for state in process.state_names:
        moves = []
        for transition in process.transitions:
            if state in transition["source"]:
                moves.append((transition["trigger"].replace("_", " "), labels[transition["dest"]]))
        rows.append(
            {
                "state": state,
                "label": labels[state],
                "current": state == current,
                "moves": list(dict.fromkeys(moves)),
            }
        )
    return rows


def visible(query: Select[Any]) -> Select[Any]:
    """Limit a query over CaseReview to what the signed-in person may see."""
    return visible_to(
        query,
        partnership_id=current_user.partnership_id,
        role=current_user.role,
        agency_id=current_user.agency_id,
    )


@blueprint.get("/")
@login_required
def dashboard() -> str:
    app = services()
    today = app.policy.today(app.now())
    form = FilterForm(request.args)
    with read_session(app.sessions) as session:
        agencies = session.scalars(
            select(Agency)
            .where(Agency.partnership_id == current_user.partnership_id)
            .order_by(Agency.name)
        ).all()
        # Cases of every version of the process: one opened under an older version may
        # sit in a state the newest no longer has, and is still listed and filtered.
        every_state = states_of_every_version()
        states = [s.name for s in every_state]
        form.state.choices = [SelectChoice("", "All open cases")] + [
            SelectChoice(s.name, s.label) for s in every_state
        ]
        form.agency.choices = [SelectChoice("", "All agencies")] + [
            SelectChoice(str(a.id), a.name) for a in agencies
        ]
        viewer = Viewer(current_user.partnership_id, current_user.role, current_user.agency_id)
        state = form.state.data if form.state.data in states else ""
        shown = open_cases(
            session,
            viewer,
            app.policy,
            today,
            states=[state] if state else [s.name for s in every_state if not s.final],
            agency_id=whole_number(form.agency.data, 1, LARGEST_ID),
            page=whole_number(request.args.get("page"), 1, LARGEST_ID) or 1,
            page_size=PAGE_SIZE,
        )
        counts = count_by_state(session, viewer)
        late = late_recommendations(session, viewer, today)
        failed = failed_messages(session, viewer) if may(permissions.RETRY_MESSAGE) else []
    return render_template(
        "dashboard.html",
        form=form,
        rows=shown.rows,
        total=shown.total,
        page=shown.page,
        pages=shown.pages,
        counts=counts,
        states=states,
        failed=failed,
        today=today,
        confirm=ConfirmForm(),
        late=late,
    )


@blueprint.route("/cases/new", methods=["GET", "POST"])
@login_required
def log_activation() -> Any:
    """The manager logs an application received by phone, letter, e-mail or in person."""
    permissions.require(current_actor(), permissions.OPEN_CASE)
    app = services()
    with read_session(app.sessions) as session:
        agencies = _agency_names(session)
    form = ActivationForm()
    form.agencies.choices = [SelectChoice(name, name) for name in agencies]
    problems: list[str] = []
    if form.is_submitted() and form.add_another():
        return render_template("new_case.html", form=form, problems=problems)
    if form.validate_on_submit():
        actor = current_actor()
        try:
            with write_transaction(app.sessions) as session:
                partnership = session.get_one(Partnership, current_user.partnership_id)
                case = open_case(
                    session, partnership, form.data_for_service(), actor, app.now(), app.policy
                )
                reference = case.reference
                due = case.deadlines[0].due_on
        except InvalidData as error:
            problems = form.place_service_errors(error.fields)
        else:
            flash(
                _s(
                    "Logged %(reference)s. Acknowledge it by %(due)s.",
                    reference=reference,
                    due=english_date(due),
                ),
                "success",
            )
            return redirect(url_for("staff.case_page", reference=reference))
    status = 400 if form.errors or problems else 200
    return render_template("new_case.html", form=form, problems=problems), status


@blueprint.get("/cases/<reference>")
@login_required
def case_page(reference: str) -> str:
    # ?open= names the form to show open (a link from My tasks or a reminder: workflows.tasks).
    return _render_case(reference, open_name=request.args.get("open", ""))


@blueprint.get("/cases/<reference>/audit.csv")
@login_required
def audit_trail(reference: str) -> Response:
    """The case's whole audit trail, views included, for a manager (a subject access request,
    a complaint, the data protection officer)."""
    app = services()
    with write_transaction(app.sessions) as session:
        case = _visible_case(session, reference)
        actor = current_actor()
        permissions.require(actor, permissions.READ_AUDIT_TRAIL)
        record_view(session, case, actor, app.now(), "audit trail export", at_once=True)
        rows = case_trail(session, case.id)
        name = f"audit-{case.reference}.csv"
    return Response(
        trail_csv(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@blueprint.get("/cases/<reference>/subject-access")
@login_required
def subject_access_cases(reference: str) -> str:
    """What a subject access export from this case holds: the victim's case, their other
    cases found by e-mail address or phone number, and, to tick only once checked, the cases
    of someone with the same name (``workflows.subject_access``)."""
    app = services()
    with read_session(app.sessions) as session:
        case = _visible_case(session, reference)
        permissions.require(current_actor(), permissions.SUBJECT_ACCESS)
        subject = Subject.of_victim(case)
        found = find_subject(session, case.partnership_id, subject, case)
        matched = [_subject_row(c) for c in found.matched]
        candidates = [_subject_row(c) for c in found.candidates]
        reference = case.reference
    return render_template(
        "subject_access_cases.html",
        reference=reference,
        subject=subject,
        matched=matched,
        candidates=candidates,
    )


def _subject_row(case: CaseReview) -> dict[str, Any]:
    """What a manager needs to tell one person's case from another's."""
    applicant = case.applicant
    return {
        "reference": case.reference,
        "received_on": case.received_on,
        "victim": case.victim.name,
        "email": case.victim.email,
        "phone": case.victim.phone,
        "applicant": applicant.name if applicant is not None else "",
    }


@blueprint.get("/cases/<reference>/subject-access.<any(pdf, json):extension>")
@login_required
def subject_access(reference: str, extension: str) -> Response:
    """Everything held about this case's victim (UK GDPR Art. 15): this case, their cases
    found by e-mail address or phone number, and the same-name cases the manager ticked
    (``?include=REF``), as a PDF to send them or JSON for the record."""
    app = services()
    with write_transaction(app.sessions) as session:
        case = _visible_case(session, reference)
        actor = current_actor()
        permissions.require(actor, permissions.SUBJECT_ACCESS)
        subject = Subject.of_victim(case)
        found = find_subject(session, case.partnership_id, subject, case)
        cases = found.chosen(request.args.getlist("include"))
        record = subject_access_record(
            session, cases, app.policy, actor, app.now(), subject.asked_for()
        )
        name = f"subject-access-{case.reference}.{extension}"
    body = as_pdf(record) if extension == "pdf" else sar_json(record)
    return Response(
        body,
        mimetype="application/pdf" if extension == "pdf" else "application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def step_done(
    process: Process, event: str, data: Mapping[str, Any], before: str, after: str
) -> str:
    """What the case page says a step did: the move's own words where the declaration
    gives them ("Panel moved"), else the step's title; then the state the case is in."""
    try:
        done = process.move_for(event, data, before).done
    except LookupError:  # a step the case's state no longer allows: said by its title
        done = ""
    now_in = state_in_a_sentence(after, process.state_labels)
    if not done:
        title = process.titles[event]
        return _s("%(done)s: done. The case is now %(state)s.", done=title, state=now_in)
    if before == after:
        return _s("%(done)s. The case is still %(state)s.", done=_s(done), state=now_in)
    return _s("%(done)s. The case is now %(state)s.", done=_s(done), state=now_in)


@blueprint.post("/cases/<reference>/events/<event>")
@login_required
def apply_step(reference: str, event: str) -> str | Response | tuple[str, int]:
    """A step submitted from the case page: the service decides, errors come back on the form."""
    app = services()
    with read_session(app.sessions) as session:
        case = _visible_case(session, reference)
        process = process_for(case.workflow_version)  # the case's version: its steps' forms
        if event not in process.step:
            abort(404)
        before = case.state
        agencies = _agency_names(session)
        form = make_form(event, app.config, agencies, case.version, request.form, process)
        if isinstance(form, AcknowledgeForm):
            offer_agencies(session, case, form, submitted=True)
    if isinstance(form, RecordReviewForm) and f"{event}-add_recommendation" in request.form:
        # One more row of the action plan, without JavaScript: nothing is recorded yet.
        form.add_recommendation(agencies)
        return _render_case(reference, open_form=(event, form))
    if not form.validate():
        return _render_case(reference, open_form=(event, form), status=400)
    actor = current_actor()
    data = form.data_for_service()
    try:
        with write_transaction(app.sessions) as session:
            case = _visible_case(session, reference, for_update=True, event=event)
            outcome = apply(session, case, event, data, actor, app.now(), app.policy)
            state = case.state
    except InvalidData as error:
        leftover = place_errors(form, error.fields)
        return _render_case(reference, open_form=(event, form), status=422, problems=leftover)
    except (StaleCase, EventNotAllowed) as error:
        flash(_s("%(problem)s Nothing was changed.", problem=error.message), "error")
        return redirect(url_for("staff.case_page", reference=reference))
    flash(step_done(process, event, data, before, state), "success")
    for warning in outcome.warnings:
        flash(warning, "info")
    return redirect(url_for("staff.case_page", reference=reference))


@blueprint.post("/cases/<reference>/chronology")
@login_required
def add_chronology(reference: str) -> Any:
    """An agency representative (or the manager) adds a contact to the chronology."""
    app = services()
    with read_session(app.sessions) as session:
        _visible_case(session, reference)  # a case you may not see is not found, first
        actor = current_actor()
        permissions.require(actor, permissions.ADD_CHRONOLOGY)
        choices = _chronology_agencies(actor, _agencies(session))
    form = ChronologyForm(prefix="chronology")
    form.agency.choices = [SelectChoice(name, name) for name in choices]
    if not form.validate_on_submit():
        return _render_case(reference, chronology_form=form, status=400)
    # Another agency's name is refused by record_chronology itself, as through the API.
    try:
        with write_transaction(app.sessions) as session:
            case = _visible_case(session, reference, for_update=True)
            record_chronology(session, case, form.data_for_service(), actor, app.now(), app.policy)
    except InvalidData as error:
        problems = place_errors(form, error.fields)
        return _render_case(reference, chronology_form=form, status=422, problems=problems)
    flash(_s("Added %(agency)s's contact to the chronology.", agency=form.agency.data), "success")
    return redirect(url_for("staff.case_page", reference=reference))


def _chronology_agencies(actor: Actor, agencies: list[tuple[int, str]]) -> list[str]:
    """The names of the ``agencies`` (id, name) that ``actor`` may write the chronology for
    (``workflows.permissions``)."""
    return permissions.agencies_to_act_for(actor, permissions.ADD_CHRONOLOGY, agencies)


def _chronology_form(agencies: list[str]) -> FormToMake:
    """The chronology's form for the agencies its writer may act for: kept by them and made
    only when not kept (web.kept_forms.FormToMake)."""

    offered = [SelectChoice(name, name) for name in agencies]
    return FormToMake.unposted(
        ChronologyForm, "chronology", recipe=tuple(agencies), choices={"agency": offered}
    )


def _render_case(
    reference: str,
    open_form: tuple[str, Any] | None = None,
    status: int = 200,
    problems: list[str] | None = None,
    chronology_form: Any = None,
    plan_form: tuple[str, Any] | None = None,
    open_name: str = "",
) -> Any:
    app = services()
    today = app.policy.today(app.now())
    with read_session(app.sessions) as session:
        case = _visible_case(session, reference, to_describe=True)
        viewed = ViewedCase.of(case)
        process = process_for(case.workflow_version)
        described = describe_case(session, case, app.policy, today)
        case_id = case.id
        agencies_by_id = _agencies(session)
        agencies = [name for _, name in agencies_by_id]
        forms = {}
        actor = current_actor()
        for event in described["allowed_events"]:
            if permissions.may(actor, event):
                forms[event] = form_to_make(event, app.config, agencies, case.version, process)
        if isinstance(forms.get("acknowledge"), AcknowledgeForm):
            offer_agencies(session, case, forms["acknowledge"], submitted=False)
        changes = change_forms(session, case, actor, agencies_by_id, described["history"])
        if chronology_form is None and permissions.may(actor, permissions.ADD_CHRONOLOGY):
            chronology_form = _chronology_form(_chronology_agencies(actor, agencies_by_id))
        documents_and_notes = case_file(session, case_id, agencies_by_id)
    # The view is appended once the page's reads are done (the chain's head is held only
    # for the append, triggers.audit).
    record_view_after_reading(app.sessions, viewed, actor, app.now(), "case page")
    extra = {**changes, **plan_forms(described, actor)}
    if plan_form is not None:
        extra[plan_form[0]] = plan_form[1]
    if open_form is not None:
        forms[open_form[0]] = open_form[1]
    page = render_template(
        "case.html",
        chronology_form=chronology_form,
        process=process_rows(described["state"], process),
        plan=extra,
        open_plan=plan_form[0] if plan_form else (open_name if open_name in extra else None),
        open_chronology=open_name == "chronology" and chronology_form is not None,
        involvement_labels=INVOLVEMENT,
        attendance_labels=ATTENDANCE,
        status_labels=STATUSES,
        case=described,
        # For the documents and notes partial, read in the page's session.
        case_file=documents_and_notes,
        confirm=FormToMake.unposted(ConfirmForm),
        forms=forms,
        titles=process.titles,
        open_event=open_form[0] if open_form else (open_name if open_name in forms else None),
        problems=problems or [],
        today=today,
    )
    return (page, status) if status != 200 else page


def _agency_names(session: Session) -> list[str]:
    return [name for _, name in _agencies(session)]


def _agencies(session: Session) -> list[tuple[int, str]]:
    """The partnership's agencies (id, name), by name."""
    query = (
        select(Agency.id, Agency.name)
        .where(Agency.partnership_id == current_user.partnership_id)
        .order_by(Agency.name)
    )
    return [(agency_id, name) for agency_id, name in session.execute(query)]


@blueprint.post("/outbox/<int(max=2147483647):message_id>/retry")
@login_required
def retry(message_id: int) -> Response:
    permissions.require(current_actor(), permissions.RETRY_MESSAGE)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    app = services()
    with write_transaction(app.sessions) as session:
        row = session.get(OutboxMessage, message_id)
        case = session.get(CaseReview, row.case_id) if row and row.case_id else None
        if case is None or case.partnership_id != current_user.partnership_id:
            abort(404)
        try:
            retry_by_hand(session, message_id, app.now())
        except ValueError as error:
            flash(str(error), "error")
        else:
            flash(
                f"The {row.kind.replace('_', ' ')} for {case.reference} will be sent again "
                "within a minute.",
                "success",
            )
    return redirect(local_target(request.form.get("back"), url_for("staff.dashboard")))


def _visible_case(
    session: Session,
    reference: str,
    for_update: bool = False,
    event: str | None = None,
    to_describe: bool = False,
) -> CaseReview:
    """The case, if the signed-in person may see it (else 404); ``for_update`` locks it and
    loads what the step ``event`` reads (``workflows.service.for_a_step``); ``to_describe``
    loads what ``describe_case`` reads with it. Both statements are built once per role."""
    viewer = Viewer(current_user.partnership_id, current_user.role, current_user.agency_id)
    key = reference.strip().upper()
    if to_describe:
        case = case_to_describe(session, key, viewer)
    elif for_update:
        case = case_for_a_step(session, event, reference=key, viewer=viewer)
    else:
        case = case_seen_by(session, key, viewer)
    if case is None:
        abort(404)
    return case
