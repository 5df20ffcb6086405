"""The panel calendar, and each person's calendar feed (issue 20).

The page lists the panels to come, week by week, with each case, the time and the place,
for the cases the person may see. The feed is an ``.ics`` address with a secret of the
person's own (only its hash is stored; making a new one ends the old), that Outlook or
Google subscribes to: each panel is the same event as its invitation (UID and SEQUENCE), so
a moved panel moves and a cancelled one (the case withdrawn or closed before it met) shows
as cancelled.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import Session

from notifications.letters import panel_event
from notifications.links import site_url
from notifications.panel_calendar import panel_uid
from triggers.accounts import digest
from triggers.db import read_session, write_transaction
from triggers.models import CaseReview, Panel, User
from web.forms import ConfirmForm
from web.services import services
from workflows.case_review import CLOSED, WITHDRAWN
from workflows.permissions import visible_to

blueprint = Blueprint("calendar", __name__)

#: The feed address's secret: long enough not to be guessed, short enough for a URL.
TOKEN_BYTES = 32


def _panels(
    session: Session, partnership_id: int, role: str, agency_id: int | None, since: date
) -> list[Any]:
    """Panels not yet held from ``since`` on, of the cases visible to the person, with those
    of cases that ended before their panel met (cancelled)."""
    cases = visible_to(
        select(CaseReview.id), partnership_id=partnership_id, role=role, agency_id=agency_id
    )
    return list(
        session.execute(
            select(
                Panel.id,
                Panel.panel_on,
                Panel.starts_at,
                Panel.duration_minutes,
                Panel.location,
                CaseReview.reference,
                CaseReview.version,
                CaseReview.state,
            )
            .join(CaseReview, CaseReview.id == Panel.case_id)
            .where(Panel.held_on.is_(None), Panel.panel_on >= since, Panel.case_id.in_(cases))
            .order_by(Panel.panel_on, Panel.starts_at, CaseReview.reference)
        )
    )


@blueprint.get("/calendar")
@login_required
def calendar_page() -> str:
    app = services()
    today = app.policy.today(app.now())
    with read_session(app.sessions) as session:
        panels = _panels(
            session,
            current_user.partnership_id,
            current_user.role,
            current_user.agency_id,
            today,
        )
        has_feed = session.get_one(User, int(current_user.id)).calendar_token_hash is not None
    weeks: dict[date, list[Any]] = {}
    for panel in panels:
        weeks.setdefault(panel.panel_on - timedelta(days=panel.panel_on.weekday()), []).append(
            panel
        )
    return render_template(
        "calendar.html",
        weeks=weeks,
        today=today,
        has_feed=has_feed,
        cancelled=(WITHDRAWN, CLOSED),
        confirm=ConfirmForm(),
    )


@blueprint.post("/calendar/feed")
@login_required
def reset_feed() -> Response:
    """A new feed address for the signed-in person; the old one stops working."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    app = services()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with write_transaction(app.sessions) as session:
        session.get_one(User, int(current_user.id)).calendar_token_hash = digest(token)
    address = site_url(app.config) + url_for("calendar.feed", token=token)
    flash(
        f"Your calendar feed address (shown only now; subscribe to it from Outlook or Google "
        f"Calendar, and keep it to yourself): {address}",
        "success",
    )
    return redirect(url_for("calendar.calendar_page"))


@blueprint.get("/calendar/<token>.ics")
def feed(token: str) -> Response:
    """The person's panels as an iCalendar feed; an unknown or replaced secret is not found."""
    from icalendar import Calendar

    app = services()
    today = app.policy.today(app.now())
    with read_session(app.sessions) as session:
        user = session.scalar(
            select(User).where(User.calendar_token_hash == digest(token), User.is_active)
        )
        if user is None:
            abort(404)
        # A month back, so a panel cancelled or moved lately still reaches the calendar.
        panels = _panels(
            session, user.partnership_id, user.role, user.agency_id, today - timedelta(days=31)
        )
    calendar = Calendar()
    calendar.add("prodid", "-//casereview//ASB case review panels//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"ASB case review panels – {app.config.partnership.name}")
    for panel in panels:
        calendar.add_component(
            panel_event(
                uid=panel_uid(panel.id, panel.reference),
                summary=f"ASB case review panel {panel.reference}",
                panel_on=panel.panel_on,
                starts_at=panel.starts_at,
                duration_minutes=panel.duration_minutes,
                location=panel.location,
                organiser=app.config.mail.from_address,
                timezone=app.config.calendar.timezone,
                sequence=panel.version,
                cancelled=panel.state in (WITHDRAWN, CLOSED),
            )
        )
    calendar.add_missing_timezones()  # RFC 5545: a TZID names a VTIMEZONE of the same file
    return Response(calendar.to_ical(), mimetype="text/calendar")
