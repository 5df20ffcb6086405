"""The statistics page: the year's published figures for the signed-in person's partnership.

The same counts as `casereview stats` and the public page (``triggers.figures``), with the
same suppression of small counts by area, so what staff see is what will be published. The
figures hold no personal data, so every signed-in role may read them.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_login import current_user, login_required
from sqlalchemy.orm import Session
from wtforms import SelectChoice

from triggers.data_return import as_csv as return_csv
from triggers.data_return import as_json as return_json
from triggers.data_return import return_rows
from triggers.db import read_session
from triggers.figures import (
    REVIEW_COUNTS,
    PerformanceYear,
    performance_year,
    recent_years,
    report,
    suppressed,
    year_containing,
    years_with_cases,
)
from triggers.models import Partnership
from web.auth import current_actor
from web.forms import YearForm
from web.publish import (
    SERIES,
    as_csv,
    as_json,
    chart,
    is_provisional,
    labels,
    publishable,
    theme_labels,
)
from web.published import PublishForm, versions
from web.services import services
from workflows import permissions

blueprint = Blueprint("statistics", __name__)


@blueprint.get("/statistics")
@login_required
def statistics_page() -> tuple[str, int]:
    app = services()
    form = YearForm(request.args)
    with read_session(app.sessions) as session:
        partnership = session.get(Partnership, current_user.partnership_id)
        choices = _year_choices(session, partnership)
        form.year.choices = [SelectChoice(str(y.start_year), y.label) for y in choices]
        chosen, error = _chosen_year(form.year.data, choices)
        form.year.data = str(chosen.start_year)
        history = [
            report(session, year, app.config, partnership).total for year in recent_years(chosen)
        ]
        published = versions(session, partnership.id, chosen.start_year)
    figures = history[-1]
    today = app.policy.today(app.now())
    publish_form = PublishForm(formdata=None, data={"year": str(chosen.start_year)})
    config = app.config
    page = render_template(
        "statistics.html",
        title=f"Statistics {figures.year.label}",
        form=form,
        error=error,
        figures=figures,
        history=history,
        chart=chart(history),
        series=SERIES,
        labels=labels(config),
        review_counts=REVIEW_COUNTS,
        theme_labels=theme_labels(config),
        areas=suppressed(figures.areas().items(), config.statistics.suppress_below),
        suppress_below=config.statistics.suppress_below,
        provisional=is_provisional(figures.year, today),
        published=published,
        publish_form=publish_form,
        may_download_return=permissions.may(current_actor(), permissions.DATA_RETURN),
    )
    return page, 400 if error else 200


@blueprint.get("/statistics/figures.<any(csv, json):extension>")
@login_required
def statistics_download(extension: str) -> Response:
    app = services()
    with read_session(app.sessions) as session:
        partnership = session.get(Partnership, current_user.partnership_id)
        chosen, error = _chosen_year(request.args.get("year"), _year_choices(session, partnership))
        figures = report(session, chosen, app.config, partnership).total
    today = app.policy.today(app.now())
    if error:
        return Response(error, status=400, mimetype="text/plain")
    name = f"figures-{figures.year.label.replace('/', '-')}.{extension}"
    body = (
        as_csv([figures], today)
        if extension == "csv"
        else as_json(publishable(figures, app.config, today))
    )
    return Response(
        body,
        mimetype="text/csv" if extension == "csv" else "application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _year_choices(session: Session, partnership: Partnership) -> list[PerformanceYear]:
    """The years with applications, and the current year, newest first."""
    app = services()
    month = app.config.statistics.year_start_month
    current = year_containing(app.policy.today(app.now()), month)
    years = {year.start_year for year in years_with_cases(session, month, partnership.id)}
    years.add(current.start_year)
    return [performance_year(y, month) for y in sorted(years, reverse=True)]


def _chosen_year(text: str | None, choices: list[PerformanceYear]) -> tuple[PerformanceYear, str]:
    """The year asked for, or the current one with a message when it is not on the list."""
    by_start = {str(year.start_year): year for year in choices}
    if not text:
        return choices[0], ""
    if text in by_start:
        return by_start[text], ""
    return choices[0], "Choose a year from the list"


@blueprint.get("/statistics/data-return.<any(csv, json):extension>")
@login_required
def data_return_download(extension: str) -> Response:
    """The year's data return (``triggers.data_return``), for managers and the chair."""
    permissions.require(current_actor(), permissions.DATA_RETURN)
    app = services()
    with read_session(app.sessions) as session:
        partnership = session.get(Partnership, current_user.partnership_id)
        chosen, error = _chosen_year(request.args.get("year"), _year_choices(session, partnership))
        rows = return_rows(session, chosen, partnership.id)
    if error:
        return Response(error, status=400, mimetype="text/plain")
    name = f"data-return-{chosen.label.replace('/', '-')}.{extension}"
    body = return_csv(rows) if extension == "csv" else return_json(rows, chosen)
    return Response(
        body,
        mimetype="text/csv" if extension == "csv" else "application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
