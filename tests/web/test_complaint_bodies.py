"""Every channel records who a complaint went to: health, and whether a housing provider is
registered, so only complaints to a relevant body count towards the Act's floor (s.104)."""

from sqlalchemy import select

from tests.web.test_access import csrf, sign_in
from triggers.db import read_session
from triggers.models import CaseReview
from web.complaint_bodies import complaint_body

ROWS = (
    ("3", "health"),
    ("10", "housing_provider_unregistered"),
    ("17", "other"),
)


def staff_form(token: str) -> dict:
    form = {
        "csrf_token": token,
        "received_on": ["28", "11", "2025"],
        "channel": "phone",
        "victim_type": "individual",
        "victim_name": "Amira Khan",
        "contact_preference": "letter",
        "on_behalf": "no",
    }
    for index, (day, body) in enumerate(ROWS):
        form |= {
            f"incidents-{index}-occurred_on": [day, "11", "2025"],
            f"incidents-{index}-what_happened": "Eggs thrown at the door",
            f"incidents-{index}-reported_to": body,
            f"incidents-{index}-reported_on": [day, "11", "2025"],
            f"incidents-{index}-reporter": "Amira Khan",
        }
    return form


def test_the_staff_form_records_health_and_an_unregistered_housing_provider(app, world, sessions):
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    page = client.get("/cases/new").get_data(as_text=True)
    assert "Health (integrated care board or local health board)" in page
    assert "Housing provider, not registered" in page
    response = client.post("/cases/new", data=staff_form(csrf(client, "/cases/new")))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with read_session(sessions) as session:
        case = session.scalar(select(CaseReview).where(CaseReview.victim.has(name="Amira Khan")))
        complaints = [c for i in case.incidents for c in i.complaints]
        assert [(c.reported_to, c.is_registered_provider) for c in complaints] == [
            ("health", True),
            ("housing_provider", False),
            ("other", True),
        ]
    shown = client.get(response.location).get_data(as_text=True)
    assert "did not go to a relevant body" in shown
    assert "went to a housing provider that is not registered" in shown
    # Complaints that do not count are still shown to the people who decide.
    for label in (
        "Health (integrated care board",
        "Housing provider, not registered",
        "Other (an MP",
    ):
        assert label in shown


def test_an_unknown_choice_is_passed_on_for_the_service_to_refuse():
    assert complaint_body("an MP") == {"reported_to": "an MP"}


def test_one_incident_reported_to_three_bodies_is_logged_as_one_incident(app, world, sessions):
    """The staff form's "Add another complaint" gives one incident several complaints."""
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    token = csrf(client, "/cases/new")
    base = {
        "csrf_token": token,
        "received_on": ["20", "11", "2025"],
        "victim_name": "Sam Hill",
        "incidents-0-occurred_on": ["1", "11", "2025"],
        "incidents-0-what_happened": "Windows broken in the night",
        "incidents-0-reported_to": "police",
        "incidents-0-reported_on": ["2", "11", "2025"],
        "incidents-0-reference": "CRIME-1",
    }
    page = client.post("/cases/new", data={**base, "incidents-0-add_complaint": "y"})
    assert page.status_code == 200
    assert "Complaint 2 about incident 1" in page.get_data(as_text=True)
    assert "Complaint 3 about incident 1" not in page.get_data(as_text=True)
    more = {
        "incidents-0-more_complaints-0-reported_to": "council",
        "incidents-0-more_complaints-0-reported_on": ["3", "11", "2025"],
        "incidents-0-more_complaints-1-reported_to": "housing_provider",
        "incidents-0-more_complaints-1-reported_on": ["4", "11", "2025"],
        "incidents-0-more_complaints-1-reference": "HA-9",
    }
    response = client.post("/cases/new", data={**base, **more})
    assert response.status_code == 302, response.get_data(as_text=True)
    reference = response.location.rsplit("/", 1)[1]
    with read_session(sessions) as session:
        case = session.scalar(select(CaseReview).where(CaseReview.reference == reference))
        assert len(case.incidents) == 1
        bodies = [(c.reported_to, c.reference) for c in case.incidents[0].complaints]
        assert bodies == [("police", "CRIME-1"), ("council", ""), ("housing_provider", "HA-9")]
    assert "Add another incident" in client.get("/cases/new").get_data(as_text=True)
