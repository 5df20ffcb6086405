"""The local policing body's review through each channel: the case page's forms, the JSON
API and the command line, all into the one service; off, none of them offers it."""

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from tests.conftest import make_token
from tests.factories import SAMPLE_NOW, case_in_state, with_policing_body_review
from tests.web.conftest import ROOT
from tests.web.test_access import csrf, sign_in
from triggers.db import read_session, write_transaction
from triggers.models import CaseReview, OutboxMessage
from triggers.policy import Policy
from web.app import create_app
from web.cli import main

REQUEST = "request_policing_body_review"
DECIDE = "decide_policing_body_review"


@pytest.fixture
def config(base_config):
    return with_policing_body_review(base_config)


def a_case(sessions, partnership, policy, state="threshold_not_met") -> str:
    with write_transaction(sessions) as session:
        return case_in_state(session, partnership, policy, state).reference


def state_of(sessions, reference):
    with read_session(sessions) as session:
        return session.scalar(select(CaseReview.state).where(CaseReview.reference == reference))


def post(client, reference, event, **fields):
    data = {"csrf_token": csrf(client, f"/cases/{reference}")}
    data.update({f"{event}-{name}": value for name, value in fields.items()})
    return client.post(f"/cases/{reference}/events/{event}", data=data)


def test_the_manager_records_the_request_and_the_decision_on_the_case_page(
    app, world, sessions, partnership, policy
):
    reference = a_case(sessions, partnership, policy)
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    page = client.get(f"/cases/{reference}").get_data(as_text=True)
    assert "Record a request for the local policing body&#39;s review" in page

    empty = post(client, reference, REQUEST, grounds="  ")
    assert empty.status_code == 400
    assert "Enter the grounds the applicant gave" in empty.get_data(as_text=True)
    assert state_of(sessions, reference) == "threshold_not_met"

    asked = post(client, reference, REQUEST, grounds="The hate element was ignored.")
    assert asked.status_code == 302
    assert state_of(sessions, reference) == "policing_body_review"
    page = client.get(f"/cases/{reference}").get_data(as_text=True)
    assert "Local policing body review" in page
    assert "The hate element was ignored." in page
    assert "Record the local policing body&#39;s decision" in page

    decided = post(client, reference, DECIDE, outcome="upheld", reason="Reports were missed.")
    assert decided.status_code == 302
    assert state_of(sessions, reference) == "threshold_met"
    page = client.get(f"/cases/{reference}").get_data(as_text=True)
    assert "Upheld on Monday 1 December 2025: Reports were missed." in page


@pytest.mark.parametrize("role", ["viewer", "chair"])
def test_only_the_manager_records_it(app, world, sessions, partnership, policy, role):
    reference = a_case(sessions, partnership, policy)
    client = app.test_client()
    sign_in(client, world["users"][role])
    response = post(client, reference, REQUEST, grounds="Asked by the victim.")
    assert response.status_code in (403, 404)
    assert state_of(sessions, reference) == "threshold_not_met"


def test_through_the_api_upheld_and_not_upheld(client, auth, sessions, partnership, policy):
    for outcome, state in (("upheld", "threshold_met"), ("not_upheld", "closed")):
        reference = a_case(sessions, partnership, policy)
        shown = client.get(f"/api/v1/cases/{reference}", headers=auth).json
        assert REQUEST in shown["allowed_events"]
        asked = client.post(
            f"/api/v1/cases/{reference}/events",
            json={"event": REQUEST, "grounds": "Not all reports were counted."},
            headers=auth,
        )
        assert asked.status_code == 200, asked.json
        assert asked.json["state"] == "policing_body_review"
        assert asked.json["deadlines"]["policing_body_decision"] == "2025-12-22"
        decided = client.post(
            f"/api/v1/cases/{reference}/events",
            json={"event": DECIDE, "outcome": outcome, "reason": "Considered."},
            headers=auth,
        )
        assert decided.status_code == 200, decided.json
        case = decided.json
        assert case["state"] == state
        assert case["policing_body_reviews"][0]["outcome"] == outcome
    reference = a_case(sessions, partnership, policy)
    client.post(
        f"/api/v1/cases/{reference}/events",
        json={"event": REQUEST, "grounds": "Not all reports were counted."},
        headers=auth,
    )
    wrong = client.post(
        f"/api/v1/cases/{reference}/events",
        json={"event": DECIDE, "outcome": "maybe", "reason": "?"},
        headers=auth,
    )
    assert wrong.status_code == 422
    assert "outcome" in wrong.json["error"]["fields"]
    assert state_of(sessions, reference) == "policing_body_review"


def test_off_no_channel_offers_it(base_config, engine, partnership, sessions, run):
    """config.toml ships with the review off: the API and the command line refuse it."""
    policy = Policy.from_config(base_config)
    reference = a_case(sessions, partnership, policy)
    off = create_app(base_config, engine=engine)
    off.config["TESTING"] = True
    off.extensions["casereview"].clock = lambda: SAMPLE_NOW
    token = make_token(sessions, partnership, "manager", "api-manager@example.org")
    client = off.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    shown = client.get(f"/api/v1/cases/{reference}", headers=auth).json
    assert shown["allowed_events"] == ["appeal", "close", "withdraw"]
    refused = client.post(
        f"/api/v1/cases/{reference}/events",
        json={"event": REQUEST, "grounds": "Asked by the victim."},
        headers=auth,
    )
    assert refused.status_code == 422
    assert "not turned on for this partnership" in refused.json["error"]["fields"]["event"]

    result = run("case", "event", reference, REQUEST, "--set", "grounds=Asked.")
    assert result.exit_code != 0
    assert "not turned on for this partnership" in result.output
    assert "Traceback" not in result.output
    assert state_of(sessions, reference) == "threshold_not_met"
    with read_session(sessions) as session:
        kinds = session.scalars(select(OutboxMessage.kind)).all()
    assert "policing_body_referral" not in kinds


def test_from_the_command_line_when_turned_on(
    database_url, tmp_path, sessions, partnership, policy
):
    text = (ROOT / "config.toml").read_text()
    section = text.index("[review_routes.local_policing_body]")
    body = (
        text[section:]
        .replace("enabled = false", "enabled = true", 1)
        .replace('email = ""', 'email = "pcc@example.org"', 1)
        .replace("applies_from = 2026-04-29", "applies_from = 2025-04-01", 1)
    )
    path = tmp_path / "config.toml"
    path.write_text(text[:section] + body)
    reference = a_case(sessions, partnership, policy)
    env = {"DATABASE_URL": database_url, "CASEREVIEW_CONFIG": str(path)}
    asked = CliRunner().invoke(
        main,
        ["case", "event", reference, REQUEST, "--set", "grounds=Asked by the victim."],
        env=env,
    )
    assert asked.exit_code == 0, asked.output
    assert f"{reference} is now policing_body_review." in asked.output
    decided = CliRunner().invoke(
        main,
        ["case", "event", reference, DECIDE, "--set", "outcome=not_upheld", "--set", "reason=No."],
        env=env,
    )
    assert decided.exit_code == 0, decided.output
    assert f"{reference} is now closed." in decided.output
    shown = CliRunner().invoke(main, ["case", "show", reference, "--json"], env=env)
    assert json.loads(shown.output)["policing_body_reviews"][0]["outcome"] == "not_upheld"
