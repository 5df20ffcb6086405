"""Letters and e-mails read as they went (issue 20): from the case page, each message opens
with its text and headers as sent, the PDF a posted letter was printed from, and its
delivery history (each attempt, with the error of those that failed)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template
from flask_login import login_required
from sqlalchemy import select

from triggers.db import read_session
from triggers.models import MessageDelivery, OutboxMessage
from web.app import services
from web.auth import current_actor
from workflows import permissions

blueprint = Blueprint("messages", __name__)


def _message(session, reference: str, message_id: int) -> OutboxMessage:  # type: ignore[no-untyped-def]
    """The message, if it is one of this case's and the case is visible (else 404)."""
    from web.staff import _visible_case

    case = _visible_case(session, reference)
    permissions.require(current_actor(), permissions.READ_MESSAGES)
    message = session.get(OutboxMessage, message_id)
    if message is None or message.case_id != case.id:
        abort(404)
    return message


@blueprint.get("/cases/<reference>/messages/<int(max=2147483647):message_id>")
@login_required
def message_page(reference: str, message_id: int) -> str:
    with read_session(services().sessions) as session:
        message = _message(session, reference, message_id)
        deliveries = session.scalars(
            select(MessageDelivery)
            .where(MessageDelivery.message_id == message.id)
            .order_by(MessageDelivery.at, MessageDelivery.id)
        ).all()
        sent = next((d for d in reversed(deliveries) if d.outcome == "sent"), None)
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
    return render_template(
        "message.html",
        reference=reference.strip().upper(),
        message=view,
        history=history,
        as_sent=as_sent,
    )


@blueprint.get("/cases/<reference>/messages/<int(max=2147483647):message_id>/letter.pdf")
@login_required
def message_pdf(reference: str, message_id: int) -> Response:
    with read_session(services().sessions) as session:
        message = _message(session, reference, message_id)
        pdf = session.scalar(
            select(MessageDelivery.pdf)
            .where(
                MessageDelivery.message_id == message.id,
                MessageDelivery.outcome == "sent",
                MessageDelivery.pdf.is_not(None),
            )
            .order_by(MessageDelivery.id.desc())
            .limit(1)
        )
    if pdf is None:
        abort(404)
    name = f"{reference.strip().upper()}-{message.kind}.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )
