"""The panel pack: the whole case file as one PDF for the panel to read before the meeting
(summary, application, chronology by agency, documents, decisions so far).

Whoever may see the case may take its pack, as they may read its page; each pack made is
recorded as a view in the audit trail, since it carries the victim's personal data off the
screen.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from triggers.db import read_session, write_transaction
from triggers.models import CaseReview
from web.auth import current_actor
from web.plan import ATTENDANCE, INVOLVEMENT, STATUSES
from web.services import services
from web.staff import visible
from workflows.describe import DESCRIBE_LOADS, describe_case
from workflows.documents import describe_document, describe_note, documents_of, notes_of
from workflows.service import record_view

blueprint = Blueprint("panel_pack", __name__)


def panel_pack_html(reference: str) -> str:
    """The pack as HTML, for the PDF (and for a test to read)."""
    app = services()
    now = app.now()
    today = app.policy.today(now)
    actor = current_actor()
    query = visible(select(CaseReview)).where(CaseReview.reference == reference.strip().upper())
    with write_transaction(app.sessions) as session:
        case = session.execute(query).unique().scalar()
        if case is None:
            abort(404)
        record_view(session, case, actor, now, "panel pack")
    with read_session(app.sessions) as session:
        case = session.execute(query.options(*DESCRIBE_LOADS)).unique().scalar_one()
        described = describe_case(session, case, app.policy, today)
        documents = [describe_document(d) for d in documents_of(session, case.id)]
        notes = [describe_note(n) for n in notes_of(session, case.id)]
    return render_template(
        "panel_pack.html",
        case=described,
        documents=documents,
        notes=notes,
        prepared_on=today,
        prepared_for=actor.label,
        involvement_labels=INVOLVEMENT,
        attendance_labels=ATTENDANCE,
        status_labels=STATUSES,
    )


@blueprint.get("/cases/<reference>/panel-pack.pdf")
@login_required
def panel_pack(reference: str) -> Response:
    from weasyprint import HTML

    html = panel_pack_html(reference)
    name = f"panel-pack-{reference.strip().upper()}.pdf"
    return Response(
        HTML(string=html).write_pdf(),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
