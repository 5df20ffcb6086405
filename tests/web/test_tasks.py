"""My tasks: each person lands on what waits for them, soonest first, each linking to its form."""

import html
import re

import pytest
from sqlalchemy import select

from tests.factories import case_in_state
from tests.web.test_access import sign_in
from triggers.db import write_transaction
from triggers.models import CaseReview
from workflows.service import Actor, record_chronology


@pytest.fixture
def cases(world, sessions, partnership, policy):
    """Beside the world's case in appeal: one received, one acknowledged (chronologies asked
    for), one with its panel on today (1 December 2025), each with a single point of contact."""
    with write_transaction(sessions) as session:
        merged = session.merge(partnership)
        found = {"appeal": world["case"]}
        for state, contact in (
            ("received", "Sam Carter"),
            ("acknowledged", "Jo Lee"),
            ("panel_scheduled", "Sam Carter"),
        ):
            case = case_in_state(session, merged, policy, state)
            case.single_point_of_contact = contact
            found[state] = case.reference
    return found


def tasks(client) -> list[tuple[str, str, str]]:
    """(reference, what, link) per row of the page, in its order."""
    page = client.get("/tasks").get_data(as_text=True)
    rows = re.findall(
        r'<tr class="govuk-table__row">\s*<td class="govuk-table__cell">(.*?)</tr>', page, re.S
    )
    found = []
    for row in rows:
        reference = re.match(r"(CT-\d{4}-\d+)", row).group(1)
        link = re.search(r'<a class="govuk-link" href="([^"]+)">([^<]+)<', row)
        what = link.group(2) if link else re.search(r"Retry the [^<]+", row).group(0).strip()
        found.append((reference, html.unescape(what), html.unescape(link.group(1)) if link else ""))
    return found


def test_signing_in_lands_on_my_tasks(app, world):
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    from tests.web.conftest import PASSWORD

    response = client.post(
        "/sign-in",
        data={"email": world["users"]["agency-in"], "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302 and response.location == "/tasks"


def test_the_manager_sees_each_step_due_soonest_first_and_the_failed_message(app, cases):
    client = app.test_client()
    sign_in(client, "manager@example.org")
    found = tasks(client)
    steps = [(reference, what) for reference, what, _ in found if not what.startswith("Retry")]
    assert steps == [
        (cases["received"], "Acknowledge the application"),  # 5 after 20 November: overdue
        (cases["acknowledged"], "Decide the threshold"),  # 10 after 1 December
        (cases["appeal"], "Decide the appeal"),  # 20 after 1 December
        (cases["panel_scheduled"], "Record the review"),  # 28 after 1 December
    ]
    assert [what for _, what, _ in found][-1].startswith("Retry the ")  # undated: last
    link = dict(((r, w), link) for r, w, link in found)[
        (cases["received"], "Acknowledge the application")
    ]
    assert link == f"/cases/{cases['received']}?open=acknowledge#open-acknowledge"


def test_the_manager_narrows_the_steps_to_one_single_point_of_contact(app, cases):
    client = app.test_client()
    sign_in(client, "manager@example.org")
    page = client.get("/tasks?contact=Sam+Carter").get_data(as_text=True)
    assert cases["received"] in page and cases["panel_scheduled"] in page
    assert cases["acknowledged"] not in page
    # A name that is no case's contact shows every case rather than nothing.
    assert cases["acknowledged"] in client.get("/tasks?contact=Nobody").get_data(as_text=True)


def test_the_link_opens_the_form_that_does_it(app, cases):
    client = app.test_client()
    sign_in(client, "manager@example.org")
    page = client.get(f"/cases/{cases['received']}?open=acknowledge").get_data(as_text=True)
    assert re.search(r'<details class="govuk-details" id="open-acknowledge" open>', page)
    closed = client.get(f"/cases/{cases['received']}").get_data(as_text=True)
    assert not re.search(r'id="open-acknowledge" open>', closed)


def test_the_agency_officer_sees_the_chronology_request_until_they_answer_it(
    app, cases, sessions, policy, now
):
    client = app.test_client()
    sign_in(client, "agency-in@example.org")
    found = tasks(client)
    assert (cases["acknowledged"], "Add your agency's chronology") in [(r, w) for r, w, _ in found]
    assert (cases["appeal"], "Report progress on a recommendation") in [(r, w) for r, w, _ in found]
    assert not [
        w for _, w, _ in found if w in ("Decide the threshold", "Acknowledge the application")
    ]
    link = next(link for _, w, link in found if w == "Add your agency's chronology")
    assert link == f"/cases/{cases['acknowledged']}?open=chronology#open-chronology"
    assert 'id="open-chronology" open>' in client.get(link.split("#")[0]).get_data(as_text=True)
    with write_transaction(sessions) as session:
        case = session.scalar(
            select(CaseReview).where(CaseReview.reference == cases["acknowledged"])
        )
        police = next(a.agency for a in case.agencies if a.agency.name == "Leicestershire Police")
        officer = Actor("agency-in@example.org", role="agency", agency_id=police.id)
        record_chronology(
            session,
            case,
            {"agency": police.name, "occurred_on": "2025-10-02", "summary": "Visited."},
            officer,
            now,
            policy,
        )
    assert "Add your agency's chronology" not in [w for _, w, _ in tasks(client)]


def test_another_agency_sees_none_of_it(app, cases):
    client = app.test_client()
    sign_in(client, "agency-out@example.org")
    assert tasks(client) == []
    assert "Nothing waits for you" in client.get("/tasks").get_data(as_text=True)


def test_the_panel_member_sees_the_panel_and_the_review_to_record(app, cases):
    client = app.test_client()
    sign_in(client, "panel-in@example.org")
    found = [(r, w) for r, w, _ in tasks(client)]
    # Issue 17: a panel member may report progress on their agency's recommendations
    # (test_access), so the task to do it is theirs too, after the dated ones.
    assert found == [
        (cases["panel_scheduled"], "Attend the case review panel"),  # today
        (cases["panel_scheduled"], "Record the review"),
        (cases["appeal"], "Report progress on a recommendation"),
    ] or found == [
        (cases["panel_scheduled"], "Record the review"),
        (cases["panel_scheduled"], "Attend the case review panel"),
        (cases["appeal"], "Report progress on a recommendation"),
    ]


def test_the_chair_sees_the_appeal_to_decide(app, cases):
    client = app.test_client()
    sign_in(client, "chair@example.org")
    assert [(r, w) for r, w, _ in tasks(client)] == [(cases["appeal"], "Decide the appeal")]


def test_a_viewer_has_nothing_to_do(app, cases):
    client = app.test_client()
    sign_in(client, "viewer@example.org")
    assert tasks(client) == []
