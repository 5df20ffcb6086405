"""The Letters page: a partnership's own wording of each letter, versioned (issue 20).

A manager changes the text of a kind of letter, previews it with a real case's data, and
saves it as the partnership's next version (the earlier kept); letters then use the latest
version, else the shipped template. A template that cannot be rendered (a Jinja syntax
error, a name the letters do not have) is refused with its line and the reason, never saved,
so no letter fails at the sweep for a wording change.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from wtforms import SelectChoice, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from notifications.compose import preview
from notifications.letters import (
    environment,
    has_welsh,
    shipped_kinds,
    shipped_text,
    template_problem,
)
from notifications.outbox import recipients
from triggers.config import relative_path
from triggers.db import read_session, write_transaction
from triggers.models import CaseReview, LetterTemplate, OutboxMessage
from web.auth import current_actor
from web.language import _ls, _s
from web.services import services
from workflows import permissions
from workflows.case_review import PROCESSES, process_for
from workflows.letter_templates import latest_template, save_template
from workflows.process import Process
from workflows.service import record_view

blueprint = Blueprint("letters", __name__)


def audiences(process: Process) -> dict[str, str]:
    """The letters of one version of the process, each with whom it goes to (for a
    preview's recipient)."""
    found = {
        letter.kind: letter.to
        for step in process.steps
        for move in step.moves
        for letter in move.letters
    }
    found.update({letter.kind: letter.to for op in process.operations for letter in op.letters})
    return found


def audiences_of_every_version() -> dict[str, str]:
    """The letters of every version cases may be on (the newest's audience where two
    differ): a letter only an older version sends is still worded and previewed here."""
    found: dict[str, str] = {}
    for version in sorted(PROCESSES):
        found.update(audiences(PROCESSES[version]))
    return found


#: The longest template accepted (a letter, not a book).
LONGEST_TEMPLATE = 20_000


class TemplateForm(FlaskForm):
    text = TextAreaField(
        _ls("The letter's template"),
        widget=GovTextArea(),
        validators=[
            DataRequired(_ls("Enter the template")),
            Length(max=LONGEST_TEMPLATE, message=_ls("The template is too long")),
        ],
        description=_ls(
            "The first line is 'Subject: ...'. Names in {{ double braces }} are filled "
            "in from the case; {{ date | english }} writes a date as people do."
        ),
    )
    case = SelectField(_ls("Preview with the case"), widget=GovSelect(), validate_choice=False)
    preview = SubmitField(_ls("Preview"), widget=GovSubmitInput())
    save = SubmitField(_ls("Save as a new version"), widget=GovSubmitInput())


def _kinds() -> list[str]:
    every = audiences_of_every_version()
    return [kind for kind in shipped_kinds() if kind in every]


def _latest(session: Session, partnership_id: int, kind: str) -> LetterTemplate | None:
    return latest_template(session, partnership_id, kind)


@blueprint.get("/letters")
@login_required
def letters_page() -> str:
    permissions.require(current_actor(), permissions.EDIT_LETTERS)
    with read_session(services().sessions) as session:
        own = dict(
            session.execute(
                select(LetterTemplate.kind, func.max(LetterTemplate.version))
                .where(LetterTemplate.partnership_id == current_user.partnership_id)
                .group_by(LetterTemplate.kind)
            ).all()
        )
    return render_template("letters.html", kinds=_kinds(), own=own)


@blueprint.route("/letters/<kind>", methods=["GET", "POST"])
@login_required
def letter_template(kind: str) -> Any:
    permissions.require(current_actor(), permissions.EDIT_LETTERS)
    if kind not in _kinds():
        abort(404)
    app = services()
    with read_session(app.sessions) as session:
        latest = _latest(session, current_user.partnership_id, kind)
        history = session.execute(
            select(LetterTemplate.version, LetterTemplate.created_at, LetterTemplate.created_by)
            .where(
                LetterTemplate.partnership_id == current_user.partnership_id,
                LetterTemplate.kind == kind,
            )
            .order_by(LetterTemplate.version.desc())
        ).all()
        cases = session.scalars(
            select(CaseReview.reference)
            .where(CaseReview.partnership_id == current_user.partnership_id)
            .order_by(CaseReview.id.desc())
            .limit(50)
        ).all()
        current = latest.text if latest else shipped_text(kind)
    form = TemplateForm(data={"text": current} if request.method == "GET" else None)
    if has_welsh(environment(None), kind):
        # The wording kept here is of the English letter (compose.render_in); a Welsh-speaking
        # applicant gets cy/<kind>.txt, which a partnership changes in its templates folder.
        form.text.description = " ".join(
            (
                str(form.text.description),
                _s(
                    "This is the English letter. An applicant who asked for Welsh gets the "
                    "Welsh letter, which this page does not change: copy cy/%(kind)s.txt from "
                    "notifications/templates into the folder named by mail.templates_folder "
                    "(keeping the cy folder) and edit it there.",
                    kind=kind,
                ),
            )
        )
    form.case.choices = [SelectChoice(ref, ref) for ref in cases]
    shown, problem, status = None, "", 200
    if request.method == "POST" and form.validate_on_submit():
        text = form.text.data.replace("\r\n", "\n")
        # A preview with a case shows its personal data: a view, appended as this commits.
        with write_transaction(app.sessions) as session:
            shown, problem = _try(session, kind, text, form.case.data)
        if problem:
            form.text.errors = [*form.text.errors, problem]
            status = 422
        elif form.save.data:
            version = _save(kind, text)
            flash(
                _s(
                    "Saved version %(version)s of the %(kind)s letter.",
                    version=version,
                    kind=kind.replace("_", " "),
                ),
                "success",
            )
            return redirect(url_for("letters.letter_template", kind=kind))
    elif request.method == "POST":
        status = 400
    return render_template(
        "letter_template.html",
        kind=kind,
        form=form,
        shown=shown,
        history=history,
        is_own=latest is not None,
    ), status


def _try(session: Session, kind: str, text: str, reference: str | None) -> tuple[Any, str]:
    """The letter rendered with the chosen case (or only parsed, with no case), or why not."""
    app = services()
    case = session.scalar(
        select(CaseReview).where(
            CaseReview.partnership_id == current_user.partnership_id,
            CaseReview.reference == (reference or ""),
        )
    )
    if case is None:
        folder = app.config.mail.templates_folder
        env = environment(relative_path(app.config, folder) if folder else None)
        problem = template_problem(env, text, None)
        return None, problem or ""
    record_view(session, case, current_actor(), app.now(), "letter preview")
    process = process_for(case.workflow_version)  # the chosen case's words and audience
    audience = audiences(process).get(kind) or audiences_of_every_version()[kind]
    found = recipients(case, audience)
    row = OutboxMessage(
        case_id=case.id,
        kind=kind,
        recipient=found[0] if found else "applicant",
        payload={"on": app.policy.today(app.now()).isoformat()},
    )
    try:
        today = app.policy.today(app.now())
        letter = preview(session, row, app.config, today, process, text)
    except ValueError as error:
        return None, str(error)
    except Exception as error:  # an address missing for this case: still say why
        return None, f"The preview with {case.reference} failed: {error}"
    return letter, ""


def _save(kind: str, text: str) -> int:
    app = services()
    with write_transaction(app.sessions) as session:
        return save_template(
            session, current_user.partnership_id, kind, text, current_actor(), app.now()
        )
