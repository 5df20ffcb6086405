"""The JSON API: what a partner system sees, status code by status code."""

from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import make_token
from tests.factories import EVENT_DATA, application, one_incident, three_incidents
from triggers.config import PartnershipConfig
from triggers.db import write_transaction
from triggers.models import CaseReview
from triggers.partnerships import sync_partnership


def create(client, auth, **kwargs):
    response = client.post("/api/v1/cases", json=application(**kwargs), headers=auth)
    assert response.status_code == 201, response.json
    return response.json


def event(client, auth, reference, name, **data):
    return client.post(
        f"/api/v1/cases/{reference}/events", json={"event": name, **data}, headers=auth
    )


def test_create_returns_the_case_with_its_first_deadline(client, auth):
    response = client.post("/api/v1/cases", json=application(date(2025, 11, 20)), headers=auth)
    assert response.status_code == 201
    case = response.json
    assert response.headers["Location"] == f"/api/v1/cases/{case['reference']}"
    assert case["reference"] == "CT-2025-001"
    assert case["state"] == "received"
    assert case["deadlines"] == {"acknowledge": "2025-11-27"}
    assert case["allowed_events"] == ["acknowledge", "withdraw"]
    assert case["threshold_suggestion"]["met"] is True
    assert case["threshold_suggestion"]["rules_held"] == ["statutory_three_incidents"]
    assert [h["event"] for h in case["history"]] == ["open"]


def test_get_shows_deadlines_as_each_clock_starts(client, auth):
    reference = create(client, auth)["reference"]
    assert event(client, auth, reference, "acknowledge", on="2025-11-24").status_code == 200
    response = event(
        client,
        auth,
        reference,
        "decide_threshold",
        on="2025-11-28",
        **EVENT_DATA["decide_threshold"],
    )
    assert response.status_code == 200
    case = client.get(f"/api/v1/cases/{reference}", headers=auth).json
    assert case["state"] == "threshold_met"
    assert case["deadlines"] == {
        "acknowledge": "2025-11-27",
        "threshold_decision": "2025-12-08",
        "panel": "2026-01-12",
    }
    panel = next(d for d in case["deadline_details"] if d["step"] == "panel")
    assert panel["working_days_left"] == 27 and panel["overdue"] is False
    assert case["history"][-1]["from_state"] == "acknowledged"


def test_a_whole_case_through_the_api(client, auth):
    reference = create(client, auth)["reference"]
    for name in (
        "acknowledge",
        "decide_threshold",
        "schedule_panel",
        "record_review",
        "send_findings",
        "appeal",
        "decide_appeal",
    ):
        response = event(client, auth, reference, name, **EVENT_DATA[name])
        assert response.status_code == 200, response.json
    case = response.json
    assert case["state"] == "closed"
    assert case["allowed_events"] == []
    assert set(case["deadlines"]) == {
        "acknowledge",
        "threshold_decision",
        "panel",
        "findings",
        "appeal_window",
        "appeal_decision",
    }
    assert case["themes"] == ["inconsistent_recording"]


def test_an_event_the_state_does_not_allow_is_409_naming_the_state(client, auth):
    reference = create(client, auth)["reference"]
    response = event(client, auth, reference, "send_findings")
    assert response.status_code == 409
    error = response.json["error"]
    assert error["state"] == "received"
    assert error["allowed_events"] == ["acknowledge", "withdraw"]
    assert "'send_findings' is not allowed while the case is 'received'" in error["message"]


def test_a_stale_version_is_409(client, auth):
    case = create(client, auth)
    assert (
        event(client, auth, case["reference"], "acknowledge", version=case["version"]).status_code
        == 200
    )
    response = event(
        client, auth, case["reference"], "withdraw", reason="Moved away.", version=case["version"]
    )
    assert response.status_code == 409
    assert "changed by someone else" in response.json["error"]["message"]


def test_invalid_data_is_422_naming_the_fields(client, auth):
    reference = create(client, auth)["reference"]
    event(client, auth, reference, "acknowledge")
    response = event(client, auth, reference, "decide_threshold", decision="maybe")
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"decision", "rationale"}


def test_an_invalid_application_is_422_and_stores_nothing(client, auth, sessions):
    body = application(incidents=[])
    body["victim"]["type"] = "person"
    body["received_on"] = "2025-12-25"
    response = client.post("/api/v1/cases", json=body, headers=auth)
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"incidents", "victim.type"}
    body = application(agencies=["Leicestershire Police", "Fire Service"])
    response = client.post("/api/v1/cases", json=body, headers=auth)
    assert response.json["error"]["fields"]["agencies.1"].startswith("'Fire Service' is not")
    with write_transaction(sessions) as session:
        assert session.scalars(select(CaseReview)).all() == []


def test_a_not_met_decision_the_act_forbids_is_422_citing_it(client, auth):
    reference = create(client, auth)["reference"]
    event(client, auth, reference, "acknowledge")
    response = event(
        client,
        auth,
        reference,
        "decide_threshold",
        decision="not_met",
        rationale="Civil dispute between neighbours.",
    )
    assert response.status_code == 422
    assert "section 104" in response.json["error"]["fields"]["decision"]


def test_not_met_with_one_complaint_then_appeal(client, auth):
    reference = create(client, auth, incidents=one_incident(date(2025, 11, 20)))["reference"]
    event(client, auth, reference, "acknowledge")
    response = event(
        client,
        auth,
        reference,
        "decide_threshold",
        decision="not_met",
        rationale="One complaint in six months; responses were adequate.",
    )
    assert response.json["state"] == "threshold_not_met"
    assert response.json["deadlines"]["appeal_window"] == "2025-12-31"
    assert event(client, auth, reference, "appeal", grounds="Facts missed.").json["state"] == (
        "appeal"
    )


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"[1, 2]", "application/json"),
        (b"event=acknowledge", "application/x-www-form-urlencoded"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_422(client, auth, body, content_type):
    reference = create(client, auth)["reference"]
    response = client.post(
        f"/api/v1/cases/{reference}/events",
        data=body,
        headers={**auth, "Content-Type": content_type},
    )
    assert response.status_code == 422
    assert "body" in response.json["error"]["fields"]


def test_an_unknown_event_is_422(client, auth):
    reference = create(client, auth)["reference"]
    response = event(client, auth, reference, "escalate")
    assert response.status_code == 422
    assert "acknowledge" in response.json["error"]["fields"]["event"]


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer cr_wrong", "Basic dXNlcjpwYXNz"])
def test_without_a_valid_token_is_401(client, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/cases", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.post("/api/v1/cases", json=application(), headers=headers).status_code == 401


def test_a_viewer_may_read_but_not_act_403(client, auth, sessions, partnership):
    reference = create(client, auth)["reference"]
    viewer = {"Authorization": f"Bearer {make_token(sessions, partnership, 'viewer')}"}
    assert client.get(f"/api/v1/cases/{reference}", headers=viewer).status_code == 200
    assert event(client, viewer, reference, "acknowledge").status_code == 403
    assert client.post("/api/v1/cases", json=application(), headers=viewer).status_code == 403


def test_another_partnerships_case_is_404(client, auth, sessions, config, now):
    reference = create(client, auth)["reference"]
    other_config = type(config)(partnership=PartnershipConfig(name="Melton CSP", code="MB"))
    with write_transaction(sessions) as session:
        other = sync_partnership(session, other_config, now)
    other_auth = {"Authorization": f"Bearer {make_token(sessions, other, 'manager')}"}
    assert client.get(f"/api/v1/cases/{reference}", headers=other_auth).status_code == 404
    assert event(client, other_auth, reference, "acknowledge").status_code == 404
    assert client.get("/api/v1/cases", headers=other_auth).json["cases"] == []


def test_list_filters_by_state(client, auth):
    first = create(client, auth)["reference"]
    create(client, auth)
    event(client, auth, first, "acknowledge")
    listed = client.get("/api/v1/cases?state=acknowledged", headers=auth).json["cases"]
    assert [c["reference"] for c in listed] == [first]
    assert listed[0]["next_due_on"] == "2025-12-15"
    assert client.get("/api/v1/cases?state=lost", headers=auth).status_code == 422


def test_chronology_entries_can_be_added(client, auth):
    reference = create(client, auth)["reference"]
    response = client.post(
        f"/api/v1/cases/{reference}/chronology",
        headers=auth,
        json={
            "agency": "Leicestershire Police",
            "occurred_on": "2025-10-02",
            "summary": "PCSO visited the victim.",
        },
    )
    assert response.status_code == 201
    assert response.json["chronology"][0]["summary"] == "PCSO visited the victim."


def test_the_openapi_document_describes_every_path_and_event(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {
        "/api/v1/cases",
        "/api/v1/cases/{reference}",
        "/api/v1/cases/{reference}/events",
        "/api/v1/cases/{reference}/chronology",
        "/api/v1/cases/{reference}/deadlines/extensions",
        "/api/v1/outbox",
        "/api/v1/outbox/{message_id}/retry",
        "/api/v1/cases/{reference}/documents",
        "/api/v1/cases/{reference}/documents/{document_id}",
        "/api/v1/cases/{reference}/notes",
        "/api/v1/cases/{reference}/notes/{note_id}",
        "/api/v1/cases/{reference}/notes/{note_id}/correction",
    }
    events = document["components"]["schemas"]["EventBody"]["oneOf"]
    assert len(events) == 9
    case_in = document["components"]["schemas"]["CaseIn"]
    assert {"received_on", "victim", "incidents"} <= set(case_in["required"])


def test_unexpected_errors_show_no_traceback(app, client, auth):
    app.extensions["casereview"].clock = lambda: 1 / 0  # any failure deep inside
    response = client.get("/api/v1/cases", headers=auth)
    assert response.status_code == 500
    assert "Traceback" not in response.get_data(as_text=True)
    assert "Quote reference" in response.json["error"]["message"]


def test_unknown_paths_are_json_404(client, auth):
    response = client.get("/api/v1/nothing", headers=auth)
    assert response.status_code == 404 and response.json["error"]["status"] == 404


def reported_only_to(body: str, received_on: date = date(2025, 11, 20), **fact) -> list:
    incidents = three_incidents(received_on)
    for incident in incidents:
        for complaint in incident["complaints"]:
            complaint.update(reported_to=body, **fact)
    return incidents


def test_three_incidents_reported_only_to_an_mp_may_be_decided_not_met(client, auth):
    """s.104: only complaints to a relevant body count towards the floor."""
    case = create(client, auth, incidents=reported_only_to("other"))
    assert case["threshold_suggestion"]["met"] is False
    event(client, auth, case["reference"], "acknowledge")
    response = event(
        client,
        auth,
        case["reference"],
        "decide_threshold",
        decision="not_met",
        rationale="Reported to their MP only; no agency was told.",
    )
    assert response.status_code == 200, response.json
    assert response.json["state"] == "threshold_not_met"


def test_the_api_records_complaints_to_health_and_the_registered_provider_fact(client, auth):
    case = create(client, auth, incidents=reported_only_to("health"))
    assert case["threshold_suggestion"]["rules_held"] == ["statutory_three_incidents"]
    housing = create(
        client, auth, incidents=reported_only_to("housing_provider", is_registered_provider=False)
    )
    # Not a registered provider, so not a relevant body: the floor is not met.
    assert housing["threshold_suggestion"]["met"] is False
    complaints = [c for i in housing["incidents"] for c in i["complaints"]]
    assert [(c["reported_to"], c["is_registered_provider"]) for c in complaints] == [
        ("housing_provider", False)
    ] * 3


def test_a_complaint_to_an_unknown_body_is_422_naming_the_field(client, auth):
    response = client.post(
        "/api/v1/cases", json=application(incidents=reported_only_to("an MP")), headers=auth
    )
    assert response.status_code == 422
    assert "incidents.0.complaints.0.reported_to" in response.json["error"]["fields"]


def test_an_extension_through_the_api_shows_both_dates(client, auth):
    reference = create(client, auth)["reference"]
    response = client.post(
        f"/api/v1/cases/{reference}/deadlines/extensions",
        json={
            "deadline": "acknowledge",
            "kind": "extension",
            "due_on": "2025-12-05",
            "reason": "The applicant is in hospital until December.",
            "requested_by": "victim",
            "victim_agreed": True,
        },
        headers=auth,
    )
    assert response.status_code == 200, response.json
    (ack,) = response.json["deadline_details"]
    assert (ack["original_due_on"], ack["due_on"]) == ("2025-11-27", "2025-12-05")
    assert ack["extension"]["requested_by"] == "victim"
    refused = client.post(
        f"/api/v1/cases/{reference}/deadlines/extensions",
        json={
            "deadline": "acknowledge",
            "kind": "pause",
            "due_on": "2025-12-12",
            "reason": "Asked again.",
            "requested_by": "victim",
        },
        headers=auth,
    )
    assert refused.status_code == 422 and "victim_agreed" in refused.json["error"]["fields"]


def test_closing_through_the_api_names_what_is_missing(client, auth):
    reference = create(client, auth)["reference"]
    for name in (
        "acknowledge",
        "decide_threshold",
        "schedule_panel",
        "record_review",
        "send_findings",
    ):
        assert event(client, auth, reference, name, **EVENT_DATA[name]).status_code == 200
    response = event(client, auth, reference, "close", **EVENT_DATA["close"])
    assert response.status_code == 422
    assert {"applicant_agreed_on", "recommendations"} <= set(response.json["error"]["fields"])
    assert client.get(f"/api/v1/cases/{reference}", headers=auth).json["state"] == "findings_sent"
