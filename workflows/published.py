"""A year's figures kept as a published version (issue 20): the domain's part of "Publish
these figures" on the statistics page. Earlier versions are never changed or removed; a
year published again is a restatement and needs its reason; each version is audited.

The files themselves (the page, the CSV, the JSON, the Welsh page) are made by the caller
(``web.publish.published_files``): they are the website's, not the domain's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from triggers.audit import append_event
from triggers.figures import PerformanceYear
from triggers.models import Partnership, PublishedFigures
from workflows import permissions
from workflows.service import Actor


def publish_version(
    session: Session,
    partnership: Partnership,
    year: PerformanceYear,
    actor: Actor,
    now: datetime,
    today: date,
    reason: str,
    *,
    files: Callable[[str], Mapping[str, str]],
    provisional: bool,
) -> PublishedFigures:
    """Keep the year's ``files`` (made for the stripped ``reason``) as its next published
    version, with an audit event, in the caller's transaction. A restatement without a
    reason is refused (``ValueError``, before any file is made), as is an actor who may
    not publish, whichever channel asks."""
    permissions.require(actor, permissions.PUBLISH)
    latest = session.scalar(
        select(func.max(PublishedFigures.version)).where(
            PublishedFigures.partnership_id == partnership.id,
            PublishedFigures.start_year == year.start_year,
        )
    )
    reason = reason.strip()
    if latest and not reason:
        raise ValueError(
            f"The figures for {year.label} were published before: say why they are restated"
        )
    made = files(reason)
    version = PublishedFigures(
        partnership_id=partnership.id,
        start_year=year.start_year,
        version=(latest or 0) + 1,
        published_at=now,
        published_on=today,
        published_by=actor.label,
        is_provisional=provisional,
        reason=reason,
        index_html=made["index.html"],
        index_cy_html=made.get("cy/index.html", ""),
        figures_csv=made["figures.csv"],
        figures_json=made["figures.json"],
    )
    session.add(version)
    append_event(
        session,
        {
            "partnership_id": partnership.id,
            "case_id": None,
            "at": now,
            "actor": actor.label,
            "event": "publish_figures",
            "data": {"year": year.label, "version": version.version, "reason": reason},
            "client_address": actor.address,
            "request_id": actor.request_id,
        },
    )
    return version
