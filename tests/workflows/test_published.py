"""Publishing a year's figures is the domain's (workflows.published), whichever channel
asks: the version kept with its audit event, a restatement needing its reason, a role that
may not publish refused (issue 17: it was a view's own save and audit)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import MANAGER, SAMPLE_NOW
from triggers.db import read_session, write_transaction
from triggers.figures import performance_year
from triggers.models import AuditEvent, Partnership, PublishedFigures
from workflows.errors import PermissionDenied
from workflows.published import publish_version
from workflows.service import Actor

FILES = {"index.html": "<p>page</p>", "figures.csv": "a,b\n", "figures.json": "{}"}


def _publish(session, partnership, reason="", actor=MANAGER, made=None):  # type: ignore[no-untyped-def]
    def files(reason: str) -> dict[str, str]:
        if made is not None:
            made.append(reason)
        return FILES

    return publish_version(
        session,
        session.merge(partnership),
        performance_year(2024),
        actor,
        SAMPLE_NOW,
        SAMPLE_NOW.date(),
        reason,
        files=files,
        provisional=False,
    )


def test_a_version_is_kept_and_audited_and_a_restatement_needs_its_reason(sessions, partnership):
    made: list[str] = []
    with write_transaction(sessions) as session:
        assert _publish(session, partnership, made=made).version == 1
    with (
        write_transaction(sessions) as session,
        pytest.raises(ValueError, match="say why they are restated"),
    ):
        _publish(session, partnership, "  ", made=made)
    assert made == [""]  # no file made for a refused restatement
    with write_transaction(sessions) as session:
        assert _publish(session, partnership, " Late returns. ", made=made).version == 2
    with read_session(sessions) as session:
        kept = session.scalars(select(PublishedFigures.reason).order_by(PublishedFigures.version))
        assert list(kept) == ["", "Late returns."]
        events = session.scalars(
            select(AuditEvent.data).where(AuditEvent.event == "publish_figures")
        ).all()
        assert [e["version"] for e in events] == [1, 2]


def test_a_role_that_may_not_publish_is_refused_whatever_the_channel(sessions, partnership):
    with write_transaction(sessions) as session:
        viewer = Actor("viewer@example.org", role="viewer")
        with pytest.raises(PermissionDenied):
            _publish(session, partnership, actor=viewer)
        assert session.scalar(select(PublishedFigures.id)) is None
        assert session.get(Partnership, partnership.id) is not None
