"""Every event in every state: allowed exactly where the procedure allows it."""

import pytest

from workflows.machine import EVENTS, STATES, allowed_events, mermaid_diagram

#: The procedure, written out by hand so that a change to the machine has to change this too.
ALLOWED = {
    "received": {"acknowledge", "refuse_application", "withdraw"},
    "acknowledged": {"decide_threshold", "refuse_application", "withdraw"},
    "threshold_met": {"schedule_panel", "withdraw"},
    "threshold_not_met": {"appeal", "request_policing_body_review", "close", "withdraw"},
    "panel_scheduled": {"schedule_panel", "record_review", "withdraw"},
    "review_complete": {"send_findings", "withdraw"},
    "findings_sent": {"appeal", "request_policing_body_review", "close", "withdraw"},
    "appeal": {"decide_appeal", "withdraw"},
    "policing_body_review": {"decide_policing_body_review", "withdraw"},
    "closed": set(),
    "withdrawn": set(),
}


def test_the_api_state_names_are_exactly_these():
    assert list(ALLOWED) == STATES


@pytest.mark.parametrize("state", STATES)
def test_allowed_events_per_state(state):
    assert set(allowed_events(state)) == ALLOWED[state]
    assert set(EVENTS) - set(allowed_events(state)) == set(EVENTS) - ALLOWED[state]


def test_the_diagram_shows_every_state():
    diagram = mermaid_diagram()
    for state in STATES:
        assert state in diagram
    assert "appeal --> threshold_met: decide_appeal (appeal upheld)" in diagram
