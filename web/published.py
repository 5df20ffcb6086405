"""Publishing the figures from the statistics page, and the versions kept (issue 20).

"Publish these figures" makes the same files as `casereview publish` (web.publish) and
keeps them as a published version of the year with its date: the page, the CSV and the
JSON, and for a bilingual partnership the Welsh page, cy/index.html (issue 21). Earlier
versions are never changed or removed: what was once on the partnership's website stays on
record, and a year published again is a restatement whose reason is shown on the new page.
A year not yet ended is published as provisional (on the page, in the CSV and in the JSON).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from triggers.db import read_session, write_transaction
from triggers.models import Partnership, PublishedFigures
from web.auth import current_actor
from web.language import _ls, _s
from web.publish import is_provisional, published_files
from web.security import allow_inline_styles
from web.services import services
from workflows import permissions
from workflows.published import publish_version

blueprint = Blueprint("published", __name__)

#: The stored files, by the name they are published under (the Welsh page in cy/, so that
#: the two pages' links to each other and to the CSV and JSON hold as on the website).
FILES = {
    "index.html": ("index_html", "text/html"),
    "cy/index.html": ("index_cy_html", "text/html"),
    "figures.csv": ("figures_csv", "text/csv"),
    "figures.json": ("figures_json", "application/json"),
}


class PublishForm(FlaskForm):
    year = HiddenField()
    reason = TextAreaField(
        _ls("Why are these figures being restated?"),
        widget=GovTextArea(),
        validators=[Optional(), Length(max=2000)],
        description=_ls(
            "Shown on the new page beside the date. Needed when the year was published before."
        ),
    )
    submit = SubmitField(_ls("Publish these figures"), widget=GovSubmitInput())


def versions(session: Session, partnership_id: int, start_year: int) -> list[Any]:
    """The year's published versions (what the page lists, not the files), the latest first."""
    return list(
        session.execute(
            select(
                PublishedFigures.version,
                PublishedFigures.published_on,
                PublishedFigures.published_by,
                PublishedFigures.is_provisional,
                PublishedFigures.reason,
                (PublishedFigures.index_cy_html != "").label("has_welsh_page"),
            )
            .where(
                PublishedFigures.partnership_id == partnership_id,
                PublishedFigures.start_year == start_year,
            )
            .order_by(PublishedFigures.version.desc())
        )
    )


@blueprint.post("/statistics/publish")
@login_required
def publish_figures() -> Response:
    """A manager publishes the year shown on the statistics page."""
    from web.statistics import _chosen_year, _year_choices

    actor = current_actor()
    permissions.require(actor, permissions.PUBLISH)
    app = services()
    form = PublishForm()
    if not form.validate_on_submit():
        flash(
            _s("The reason is too long (2,000 characters at most). Nothing was published."),
            "error",
        )
        return redirect(url_for("statistics.statistics_page", year=request.form.get("year")))
    with write_transaction(app.sessions) as session:
        partnership = session.get_one(Partnership, current_user.partnership_id)
        year, error = _chosen_year(form.year.data, _year_choices(session, partnership))
        if error:
            flash(_s("%(problem)s. Nothing was published.", problem=error), "error")
            return redirect(url_for("statistics.statistics_page"))
        try:
            now = app.now()
            today = app.policy.today(now)
            version = publish_version(
                session,
                partnership,
                year,
                actor,
                now,
                today,
                form.reason.data or "",
                files=lambda reason: published_files(
                    session, app.config, partnership, year, today, reason
                ),
                provisional=is_provisional(year, today),
            )
        except ValueError as problem:
            session.rollback()
            flash(_s("%(problem)s. Nothing was published.", problem=problem), "error")
            return redirect(url_for("statistics.statistics_page", year=year.start_year))
        number, provisional = version.version, version.is_provisional
    kind = "Published" if number == 1 else f"Restated (version {number})"
    note = " as provisional: the year has not ended" if provisional else ""
    flash(f"{kind}: the figures for {year.label}{note}.", "success")
    return redirect(url_for("statistics.statistics_page", year=year.start_year))


@blueprint.get(
    "/statistics/published/<int(max=2100):start_year>/<int(max=2147483647):number>/<path:name>"
)
@login_required
def published_file(start_year: int, number: int, name: str) -> Response:
    """A published version's file exactly as published (counts only: any signed-in person
    of the partnership may read it, as anyone may read the website)."""
    if name not in FILES:
        abort(404)
    column, mimetype = FILES[name]
    with read_session(services().sessions) as session:
        found = session.scalar(
            select(PublishedFigures).where(
                PublishedFigures.partnership_id == current_user.partnership_id,
                PublishedFigures.start_year == start_year,
                PublishedFigures.version == number,
            )
        )
        if found is None:
            abort(404)
        body = getattr(found, column)
    if not body:  # the Welsh page of a version published before the partnership was bilingual
        abort(404)
    headers = {}
    if mimetype != "text/html":  # the pages open in the browser; the data downloads
        headers["Content-Disposition"] = f'attachment; filename="{start_year}-v{number}-{name}"'
    else:
        allow_inline_styles(body)
    return Response(body, mimetype=mimetype, headers=headers)
