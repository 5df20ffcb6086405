"""The threshold decision's form on the case page, held to the domain's rule: a decision
against the rules' suggestion needs its own reason (the API and the CLI are held to it too:
tests/web/test_api.py, tests/web/test_cli.py)."""

from datetime import date

from sqlalchemy import select

from tests.factories import MANAGER, new_case, one_incident
from tests.web.test_access import csrf, sign_in
from triggers.db import read_session, write_transaction
from triggers.models import CaseReview
from workflows.service import apply


def test_the_page_asks_for_a_reason_and_records_it(app, world, sessions, partnership, policy, now):
    with write_transaction(sessions) as session:
        case = new_case(session, partnership, policy, incidents=one_incident(date(2025, 11, 20)))
        apply(session, case, "acknowledge", {}, MANAGER, now, policy)
        reference, version = case.reference, case.version
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    form = {
        "decide_threshold-version": str(version),
        "decide_threshold-decision": "met",
        "decide_threshold-rationale": "Harm to a vulnerable victim outweighs the count.",
    }
    path = f"/cases/{reference}/events/decide_threshold"
    response = client.post(path, data={**form, "csrf_token": csrf(client, f"/cases/{reference}")})
    assert response.status_code == 422
    assert "Explain why the decision differs" in response.get_data(as_text=True)
    with read_session(sessions) as session:
        found = session.scalar(select(CaseReview).where(CaseReview.reference == reference))
        assert found.state == "acknowledged" and found.threshold_decisions == []

    form["decide_threshold-against_suggestion"] = "The victim is housebound."
    response = client.post(path, data={**form, "csrf_token": csrf(client, f"/cases/{reference}")})
    assert response.status_code == 302
    with read_session(sessions) as session:
        found = session.scalar(select(CaseReview).where(CaseReview.reference == reference))
        assert found.state == "threshold_met"
        assert found.threshold_decisions[0].rationale.endswith(
            "\n\nAgainst the suggestion: The victim is housebound."
        )
