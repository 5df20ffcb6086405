"""A case is spoken of in the words of the version of the process it runs on (its states'
labels, its steps' titles, its clocks' labels), not in the newest version's: the reversal's
message on the case page and a correction's summary in the API."""

from __future__ import annotations

import dataclasses

import pytest

from tests.factories import case_in_state
from tests.web.test_access import csrf, sign_in
from triggers.db import write_transaction
from workflows.case_review import CASE_REVIEW, PROCESSES

#: A test-only version whose words differ from production's where a reversal and a
#: correction speak.
RELABELLED = dataclasses.replace(
    CASE_REVIEW,
    version=2,
    states=tuple(
        dataclasses.replace(state, label="Logged, not yet answered")
        if state.name == "received"
        else state
        for state in CASE_REVIEW.states
    ),
    steps=tuple(
        dataclasses.replace(step, title="Send the first reply")
        if step.event == "acknowledge"
        else step
        for step in CASE_REVIEW.steps
    ),
    clocks=tuple(
        dataclasses.replace(clock, label="First reply") if clock.key == "acknowledge" else clock
        for clock in CASE_REVIEW.clocks
    ),
)


@pytest.fixture
def on_version_2(monkeypatch, sessions, partnership, policy):  # type: ignore[no-untyped-def]
    """New cases open under the relabelled version; production's stays version 1."""
    monkeypatch.setitem(PROCESSES, RELABELLED.version, RELABELLED)

    def opened(state: str) -> str:
        with write_transaction(sessions) as session:
            case = case_in_state(session, partnership, policy, state)
            assert case.workflow_version == RELABELLED.version
            return case.reference

    return opened


def test_a_reversal_says_the_cases_own_titles_and_labels(app, world, on_version_2):
    reference = on_version_2("acknowledged")
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    page = f"/cases/{reference}"
    answer = client.post(
        f"{page}/corrections/reverse",
        data={"reverse-reason": "The wrong case.", "csrf_token": csrf(client, page)},
        follow_redirects=True,
    )
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200, text
    assert (
        "Reversed the step (send the first reply): the case is back to logged, not yet answered."
        in text
    )


def test_a_corrections_summary_says_the_cases_own_clock_labels(client, auth, on_version_2):
    reference = on_version_2("received")
    answer = client.post(
        f"/api/v1/cases/{reference}/corrections",
        json={"changes": {"received_on": "2025-11-19"}, "reason": "Typed wrongly."},
        headers=auth,
    )
    assert answer.status_code == 200, answer.get_json()
    notes = " ".join(answer.get_json()["notes"])
    assert "First reply now due" in notes and "Acknowledge now due" not in notes
