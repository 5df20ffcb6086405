"""The search box on every staff page, its results, and the list of closed cases.

What is searched and who may see what is ``workflows.search``; this module only reads the
request and shows the answer, with the matched text marked.
"""

from __future__ import annotations

import re

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from wtforms import SelectChoice

from triggers.db import read_session, write_transaction
from triggers.text import whole_number
from web.auth import current_actor
from web.forms import ClosedFilterForm
from web.language import _ls
from web.services import services
from workflows.search import (
    OUTCOMES,
    SHORTEST,
    closed_cases,
    closed_years,
    find_cases,
    record_search,
    search_text,
)

blueprint = Blueprint("search", __name__)


@blueprint.app_template_filter("highlight")
def highlight(value: str, words: str) -> Markup:
    """``value`` escaped, with the text that matched ``words`` in ``<mark>``: spaces are
    optional between its characters, as the search compares postcodes and phone numbers
    without them."""
    wanted = [re.escape(character) for character in words if not character.isspace()]
    if not value or not wanted:
        return escape(value or "")
    pattern = re.compile(r"\s*".join(wanted), re.IGNORECASE)
    marked, last = [], 0
    for found in pattern.finditer(value):
        marked.append(escape(value[last : found.start()]))
        marked.append(Markup("<mark>%s</mark>") % value[found.start() : found.end()])
        last = found.end()
    marked.append(escape(value[last:]))
    return Markup("").join(marked)


def _who() -> dict[str, object]:
    return {
        "partnership_id": current_user.partnership_id,
        "role": current_user.role,
        "agency_id": current_user.agency_id,
    }


@blueprint.get("/search")
@login_required
def search_page() -> tuple[str, int] | str:
    words = search_text(request.args.get("q"))
    asked = "q" in request.args
    problem = ""
    found = []
    if asked and len(words) < SHORTEST:
        problem = f"Enter at least {SHORTEST} characters to search for"
    elif asked:
        app = services()
        with write_transaction(app.sessions) as session:
            found = find_cases(session, words, **_who())  # type: ignore[arg-type]
            record_search(session, current_actor(), app.now(), current_user.partnership_id, found)
    page = render_template("search.html", words=words, asked=asked, found=found, problem=problem)
    return (page, 400) if problem else page


@blueprint.get("/cases/closed")
@login_required
def closed_page() -> str:
    form = ClosedFilterForm(request.args)
    with read_session(services().sessions) as session:
        years = closed_years(session, **_who())  # type: ignore[arg-type]
        form.year.choices = [SelectChoice("", _ls("All years"))] + [
            SelectChoice(str(year), str(year)) for year in years
        ]
        form.outcome.choices = [SelectChoice("", _ls("All outcomes"))] + [
            SelectChoice(key, label) for key, label in OUTCOMES.items()
        ]
        year = whole_number(form.year.data, 1900, 9999)
        outcome = form.outcome.data if form.outcome.data in OUTCOMES else ""
        cases = closed_cases(session, year=year, outcome=outcome, **_who())  # type: ignore[arg-type]
    return render_template("closed_cases.html", form=form, cases=cases, outcomes=OUTCOMES)
