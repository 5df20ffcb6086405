"""Letters and e-mails read as they went (issue 20): from the case page, each message opens
with its text and headers as sent, the PDF a posted letter was printed from, and its
delivery history (each attempt, with the error of those that failed)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import login_required
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from sqlalchemy import select
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired

from notifications.compose import CannotCompose, compose
from triggers.db import write_transaction
from triggers.models import MessageDelivery, OutboxMessage
from triggers.statuses import DeliveryOutcome
from web.auth import current_actor
from web.forms import ConfirmForm
from web.language import _ls, _s
from web.services import services
from workflows import permissions
from workflows.errors import InvalidData
from workflows.held_letters import HELD, approve_held, cancel_held, edit_held
from workflows.service import record_view
from workflows.sweep import process_of_message


class EditLetterForm(FlaskForm):
    body = TextAreaField(
        _ls("The letter's text"),
        widget=GovTextArea(),
        validators=[DataRequired(_ls("Enter the letter's text"))],
        description=_ls(
            "What the applicant will read, for this case only. The text it replaces "
            "is kept in the case's history."
        ),
    )
    submit = SubmitField(_ls("Save the text"), widget=GovSubmitInput())


blueprint = Blueprint("messages", __name__)


def _message(session, reference: str, message_id: int, read_as: str = "") -> OutboxMessage:  # type: ignore[no-untyped-def]
    """The message, if it is one of this case's and the case is visible (else 404). Read
    ``read_as`` (a letter's text, its recipient and address are the case's personal data),
    the reading is recorded as a view of the case, as the case page's is."""
    from web.staff import _visible_case

    case = _visible_case(session, reference)
    actor = current_actor()
    permissions.require(actor, permissions.READ_MESSAGES)
    message = session.get(OutboxMessage, message_id)
    if message is None or message.case_id != case.id:
        abort(404)
    if read_as:
        record_view(session, case, actor, services().now(), read_as)
    return message


@blueprint.get("/cases/<reference>/messages/<int(max=2147483647):message_id>")
@login_required
def message_page(reference: str, message_id: int, edit_form: EditLetterForm | None = None) -> str:
    with write_transaction(services().sessions) as session:
        message = _message(session, reference, message_id, read_as="letter")
        deliveries = session.scalars(
            select(MessageDelivery)
            .where(MessageDelivery.message_id == message.id)
            .order_by(MessageDelivery.at, MessageDelivery.id)
        ).all()
        sent = next((d for d in reversed(deliveries) if d.outcome == DeliveryOutcome.SENT), None)
        view = {
            "id": message.id,
            "kind": message.kind,
            "recipient": message.recipient,
            "status": message.status,
            "created_at": message.created_at,
        }
        history = [
            {"at": d.at, "outcome": d.outcome, "error": d.error, "has_pdf": d.pdf is not None}
            for d in deliveries
        ]
        preview, problem = None, ""
        if message.status == HELD:
            app = services()
            try:
                today = app.policy.today(app.now())
                process = process_of_message(session, message)
                out = compose(session, message, app.config, today, process)
                preview = {"to": ", ".join(out.to), "subject": out.subject, "body": out.body}
            except CannotCompose as error:
                problem = str(error)
        as_sent = (
            {
                "to": sent.sent_to,
                "subject": sent.subject,
                "headers": dict(sent.headers),
                "body": sent.body,
                "has_pdf": sent.pdf is not None,
            }
            if sent
            else None
        )
    form = edit_form or EditLetterForm(formdata=None, data={"body": preview and preview["body"]})
    return render_template(
        "message.html",
        reference=reference.strip().upper(),
        message=view,
        history=history,
        as_sent=as_sent,
        preview=preview,
        problem=problem,
        form=form if preview else None,
        confirm=ConfirmForm(),
    )


@blueprint.get("/cases/<reference>/messages/<int(max=2147483647):message_id>/letter.pdf")
@login_required
def message_pdf(reference: str, message_id: int) -> Response:
    with write_transaction(services().sessions) as session:
        message = _message(session, reference, message_id, read_as="letter PDF")
        kind = message.kind  # read here: the row is not to be used once the session closes
        pdf = session.scalar(
            select(MessageDelivery.pdf)
            .where(
                MessageDelivery.message_id == message.id,
                MessageDelivery.outcome == DeliveryOutcome.SENT,
                MessageDelivery.pdf.is_not(None),
            )
            .order_by(MessageDelivery.id.desc())
            .limit(1)
        )
    if pdf is None:
        abort(404)
    name = f"{reference.strip().upper()}-{kind}.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@blueprint.post(
    "/cases/<reference>/messages/<int(max=2147483647):message_id>"
    "/<any(edit, approve, cancel):action>"
)
@login_required
def held_letter(reference: str, message_id: int, action: str) -> Response | tuple[str, int]:
    """Edit, approve or cancel a letter held for approval (workflows.held_letters)."""
    app = services()
    actor = current_actor()
    form = EditLetterForm() if action == "edit" else ConfirmForm()
    if not form.validate_on_submit():
        if action == "edit":
            return message_page(reference, message_id, edit_form=form), 400
        abort(400)
    try:
        with write_transaction(app.sessions) as session:
            message = _message(session, reference, message_id)
            permissions.require(actor, permissions.APPROVE_LETTERS)
            kind = message.kind.replace("_", " ")
            if action == "edit":
                today = app.policy.today(app.now())
                process = process_of_message(session, message)
                original = compose(session, message, app.config, today, process).body
                edit_held(session, message, form.body.data, original, actor, app.now())
                done = f"Saved your text of the {kind} letter. It still waits for approval."
            elif action == "approve":
                approve_held(session, message, actor, app.now())
                done = f"Approved: the {kind} letter goes within a minute."
            else:
                cancel_held(session, message, actor, app.now())
                done = f"Cancelled: the {kind} letter will not be sent."
    except InvalidData as error:
        if action == "edit" and "body" in error.fields:
            form.body.errors = [*form.body.errors, str(error.fields["body"]).capitalize()]
            return message_page(reference, message_id, edit_form=form), 422
        flash(f"{next(iter(error.fields.values()))}. Nothing was changed.", "error")
    except CannotCompose as error:
        flash(
            _s("The letter cannot be made: %(problem)s. Nothing was changed.", problem=error),
            "error",
        )
    else:
        flash(done, "success")
    return redirect(url_for("messages.message_page", reference=reference, message_id=message_id))
