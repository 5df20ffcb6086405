"""No default hides a gap (issue 17): a letter naming a deadline the process does not
declare, a recipient word nobody declared, a moved clock without a label all stop with a
reason, never a letter that says "due by ." or "Dear manger"."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from notifications.compose import ROLE_GREETINGS, CannotCompose, compose
from tests.notifications.test_letters import message_for, walk
from triggers.db import write_transaction
from triggers.statuses import (
    ROLE_WORDS,
    Audience,
    Recipients,
    agency_recipient,
    roles_of,
    user_of,
    user_recipient,
)
from workflows.case_review import CASE_REVIEW
from workflows.corrections import Correction


def _acknowledgement(sessions, partnership, policy, config, tmp_path, body):  # type: ignore[no-untyped-def]
    (tmp_path / "acknowledgement.txt").write_text(f"Subject: Your application\n{body}\n")
    own = dataclasses.replace(
        config, mail=dataclasses.replace(config.mail, templates_folder=str(tmp_path))
    )
    with write_transaction(sessions) as session:
        case = walk(session, partnership, policy)
        row = message_for(session, case, "acknowledgement")
        return compose(session, row, own, date(2025, 4, 22), CASE_REVIEW)


def test_a_deadline_declared_renders_and_one_not_started_is_empty(
    sessions, partnership, policy, config, tmp_path
):
    message = _acknowledgement(
        sessions,
        partnership,
        policy,
        config,
        tmp_path,
        "By {{ deadlines.threshold_decision | english }}; "
        "[{{ deadlines.appeal_decision | english }}]",
    )
    assert "By Wednesday 7 May 2025; []" in message.body


def test_a_letter_naming_a_deadline_nobody_declared_is_not_composed(
    sessions, partnership, policy, config, tmp_path
):
    with pytest.raises(CannotCompose, match="threshold_decison"):
        _acknowledgement(
            sessions,
            partnership,
            policy,
            config,
            tmp_path,
            "We will decide by {{ deadlines.threshold_decison | english }}.",
        )


def test_a_recipient_word_nobody_declared_is_not_composed(sessions, partnership, policy, config):
    with write_transaction(sessions) as session:
        case = walk(session, partnership, policy)
        row = message_for(session, case, "acknowledgement")
        row.recipient = "manger"
        with pytest.raises(CannotCompose, match="'manger' names no recipient"):
            compose(session, row, config, date(2025, 4, 22), CASE_REVIEW)


def test_the_recipient_words_are_named_once():
    assert roles_of(Recipients.ESCALATION) == ("manager", "chair")
    assert roles_of(Recipients.MANAGERS) == ("manager",)
    assert roles_of(Audience.CHAIR) == ("chair",) and roles_of(Audience.MANAGER) == ("manager",)
    assert roles_of("managers,viewers") is None and roles_of(Audience.APPLICANT) is None
    assert user_of(user_recipient(7)) == 7
    assert user_of(agency_recipient(7)) is None and user_of("user:x") is None
    # Every role a recipient may name is greeted by its title in a letter.
    assert set(ROLE_WORDS.values()) == set(ROLE_GREETINGS)


def test_a_moved_clock_without_a_label_is_a_gap_said_as_such():
    moved = {"clock": "panle", "before": "2025-05-01", "after": "2025-05-02"}
    with pytest.raises(KeyError, match="declares no clock 'panle'"):
        Correction(moved=[moved]).summary(CASE_REVIEW.clock_labels)
    moved["clock"] = "panel"
    assert (
        Correction(moved=[moved])
        .summary(CASE_REVIEW.clock_labels)[0]
        .startswith(CASE_REVIEW.clock_labels["panel"])
    )
