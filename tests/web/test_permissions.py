"""One rule of who may do what: the same person doing the same act gets the same answer on
the pages and through the API (``workflows.permissions``)."""

import pytest
from sqlalchemy import select

from tests.factories import application
from tests.web.conftest import API_PEOPLE
from tests.web.test_access import csrf, sign_in
from triggers.db import read_session
from triggers.models import Agency, CaseAgency, CaseReview, ChronologyEntry

DONE, FORBIDDEN, NOT_FOUND = "done", 403, 404
POLICE, HOUSING = "Leicestershire Police", "Example Housing Association"


def chronology(agency):
    page = {
        "chronology-agency": agency,
        "chronology-occurred_on": ["2", "10", "2025"],
        "chronology-summary": "Visited.",
    }
    api = {"agency": agency, "occurred_on": "2025-10-02", "summary": "Visited."}
    return ("POST", "/cases/{case}/chronology", page), ("POST", "/cases/{case}/chronology", api)


#: act → (page request, API request (path under /api/v1), {role: answer}). "case" is in
#: appeal with the police and the council on it; "-in" people are police, "-out" housing.
ACTS = {
    "see the case": (
        ("GET", "/cases/{case}", None),
        ("GET", "/cases/{case}", None),
        {
            "manager": DONE,
            "viewer": DONE,
            "chair": DONE,
            "agency-in": DONE,
            "agency-out": NOT_FOUND,
            "panel-in": DONE,
            "panel-out": NOT_FOUND,
            "other-manager": NOT_FOUND,
        },
    ),
    "withdraw the case": (
        ("POST", "/cases/{case}/events/withdraw", {"withdraw-reason": "Asked to."}),
        ("POST", "/cases/{case}/events", {"event": "withdraw", "reason": "Asked to."}),
        {
            "manager": DONE,
            "viewer": FORBIDDEN,
            "chair": FORBIDDEN,
            "agency-in": FORBIDDEN,
            "agency-out": NOT_FOUND,
            "panel-in": FORBIDDEN,
            "panel-out": NOT_FOUND,
            "other-manager": NOT_FOUND,
        },
    ),
    "decide the appeal": (
        (
            "POST",
            "/cases/{case}/events/decide_appeal",
            {"decide_appeal-outcome": "not_upheld", "decide_appeal-reason": "Considered."},
        ),
        (
            "POST",
            "/cases/{case}/events",
            {"event": "decide_appeal", "outcome": "not_upheld", "reason": "Considered."},
        ),
        {
            "manager": DONE,
            "viewer": FORBIDDEN,
            "chair": DONE,
            "agency-in": FORBIDDEN,
            "agency-out": NOT_FOUND,
            "panel-in": FORBIDDEN,
            "panel-out": NOT_FOUND,
            "other-manager": NOT_FOUND,
        },
    ),
    "write the chronology for the police": (
        *chronology(POLICE),
        {
            "manager": DONE,
            "viewer": FORBIDDEN,
            "chair": FORBIDDEN,
            "agency-in": DONE,
            "agency-out": NOT_FOUND,
            "panel-in": FORBIDDEN,
            "panel-out": NOT_FOUND,
            "other-manager": NOT_FOUND,
        },
    ),
    # Issue 16: a police officer writing as the housing association is refused everywhere.
    "write the chronology for the housing association": (
        *chronology(HOUSING),
        {
            "manager": DONE,
            "viewer": FORBIDDEN,
            "chair": FORBIDDEN,
            "agency-in": FORBIDDEN,
            "agency-out": NOT_FOUND,
            "panel-in": FORBIDDEN,
            "panel-out": NOT_FOUND,
            "other-manager": NOT_FOUND,
        },
    ),
    "retry a failed message": (
        ("POST", "/outbox/{message}/retry", {}),
        ("POST", "/outbox/{message}/retry", {}),
        {
            "manager": DONE,
            "viewer": FORBIDDEN,
            "chair": FORBIDDEN,
            "agency-in": FORBIDDEN,
            "agency-out": FORBIDDEN,
            "panel-in": FORBIDDEN,
            "panel-out": FORBIDDEN,
            "other-manager": NOT_FOUND,
        },
    ),
    # The page refuses at its form: whoever may not log an application may not see it.
    "log an application": (
        ("GET", "/cases/new", None),
        (
            "POST",
            "/cases",
            {**application(), "agencies": []},
        ),
        {
            "manager": DONE,
            "viewer": FORBIDDEN,
            "chair": FORBIDDEN,
            "agency-in": FORBIDDEN,
            "agency-out": FORBIDDEN,
            "panel-in": FORBIDDEN,
            "panel-out": FORBIDDEN,
            "other-manager": DONE,
        },
    ),
}


def on_the_page(app, world, person, request):
    method, path, data = request
    client = app.test_client()
    sign_in(client, world["users"][person])
    url = path.format(case=world["case"], message=world["message"])
    if method == "GET":
        response = client.get(url)
        return DONE if response.status_code == 200 else response.status_code
    response = client.post(url, data={"csrf_token": csrf(client), **data})
    if response.status_code == 302:
        assert "/sign-in" not in response.location
        # A step refused for the case's state comes back as a message, not as done.
        page = client.get(response.location).get_data(as_text=True)
        assert "Nothing was changed" not in page, page
        return DONE
    return response.status_code


def through_the_api(client, world, tokens, person, request):
    method, path, body = request
    url = "/api/v1" + path.format(case=world["case"], message=world["message"])
    headers = {"Authorization": f"Bearer {tokens[person]}"}
    response = client.open(url, method=method, json=body, headers=headers)
    return DONE if response.status_code in (200, 201) else response.status_code


@pytest.mark.parametrize("channel", ["page", "api"])
@pytest.mark.parametrize("person", list(API_PEOPLE))
@pytest.mark.parametrize("act", list(ACTS))
def test_the_same_answer_on_the_page_and_through_the_api(
    app, client, world, tokens, act, person, channel
):
    page_request, api_request, expected = ACTS[act]
    if channel == "page":
        answer = on_the_page(app, world, person, page_request)
    else:
        answer = through_the_api(client, world, tokens, person, api_request)
    assert answer == expected[person]


def test_every_act_has_every_person():
    assert [act for act, (_, _, roles) in ACTS.items() if set(roles) != set(API_PEOPLE)] == []


def test_writing_as_another_agency_neither_writes_nor_widens_who_sees_the_case(
    client, world, tokens, sessions
):
    """Issue 16: the police officer's 201 used to add the housing association to the case,
    and the housing officer, refused before, then read all of it."""
    url = f"/api/v1/cases/{world['case']}"
    housing = {"Authorization": f"Bearer {tokens['agency-out']}"}
    police = {"Authorization": f"Bearer {tokens['agency-in']}"}
    body = {"agency": HOUSING, "occurred_on": "2025-10-02", "summary": "Written as them."}
    refused = client.post(f"{url}/chronology", json=body, headers=police)
    assert refused.status_code == 403
    assert "for your own agency only" in refused.get_json()["error"]["message"]
    assert client.get(url, headers=housing).status_code == 404
    with read_session(sessions) as session:
        case = session.scalar(select(CaseReview).where(CaseReview.reference == world["case"]))
        linked = session.scalars(
            select(Agency.name)
            .join(CaseAgency, CaseAgency.agency_id == Agency.id)
            .where(CaseAgency.case_id == case.id)
        ).all()
        written = session.scalars(
            select(ChronologyEntry.summary).where(ChronologyEntry.case_id == case.id)
        ).all()
    assert HOUSING not in linked and "Written as them." not in written
