"""A partnership's wording of a letter is saved by the domain (workflows.letter_templates),
whichever channel asks: each save a new version with its audit event, earlier versions
untouched, a role that may not change the letters refused (issue 17: it was the Letters
page's own save and audit)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import MANAGER, SAMPLE_NOW
from triggers.db import read_session, write_transaction
from triggers.models import AuditEvent, LetterTemplate
from workflows.errors import PermissionDenied
from workflows.letter_templates import latest_template, save_template
from workflows.service import Actor


def test_each_save_is_a_new_version_with_its_audit_event(sessions, partnership):
    with write_transaction(sessions) as session:
        first = save_template(session, partnership.id, "findings", "One.", MANAGER, SAMPLE_NOW)
        second = save_template(session, partnership.id, "findings", "Two.", MANAGER, SAMPLE_NOW)
    assert (first, second) == (1, 2)
    with read_session(sessions) as session:
        assert latest_template(session, partnership.id, "findings").text == "Two."
        kept = session.scalars(select(LetterTemplate.text).order_by(LetterTemplate.version))
        assert list(kept) == ["One.", "Two."]
        saved = session.scalars(
            select(AuditEvent.data).where(AuditEvent.event == "letter_template_saved")
        ).all()
    assert [(d["version"], d["text"]) for d in saved] == [(1, "One."), (2, "Two.")]


@pytest.mark.parametrize("role", ["viewer", "chair", "agency", "panel"])
def test_only_who_may_change_the_letters_saves_one(sessions, partnership, role):
    with pytest.raises(PermissionDenied), write_transaction(sessions) as session:
        save_template(
            session, partnership.id, "findings", "Mine.", Actor(label="x", role=role), SAMPLE_NOW
        )
    with read_session(sessions) as session:
        assert latest_template(session, partnership.id, "findings") is None
        assert (
            session.scalar(select(AuditEvent.id).where(AuditEvent.event == "letter_template_saved"))
            is None
        )
