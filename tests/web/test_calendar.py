"""The panel calendar and each person's feed: parsed with icalendar, a moved panel has a
higher SEQUENCE, a withdrawn case's panel is cancelled, a reset secret ends the old one."""

import re
from datetime import timedelta

from icalendar import Calendar
from sqlalchemy import select

from tests.factories import MANAGER, SAMPLE_NOW, case_in_state
from tests.web.test_access import csrf, sign_in
from triggers.db import write_transaction
from triggers.models import CaseReview
from workflows.service import apply


def feed_address(client) -> str:
    response = client.post("/calendar/feed", data={"csrf_token": csrf(client, "/calendar")})
    page = client.get(response.location).get_data(as_text=True)
    return re.search(r"(http://[^\s<]+\.ics)", page).group(1)


def events(client, address: str) -> dict[str, object]:
    response = client.get(address.split("://", 1)[1].split("/", 1)[1].join(["/", ""]))
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.get_data())
    return {str(e["summary"]): e for e in calendar.walk("VEVENT")}


def test_the_feed_follows_a_moved_panel_and_a_cancelled_one(
    app, world, sessions, policy, partnership
):
    with write_transaction(sessions) as session:
        moved = case_in_state(session, session.merge(partnership), policy, "panel_scheduled")
        dropped = case_in_state(session, session.merge(partnership), policy, "panel_scheduled")
        refs = moved.reference, dropped.reference
    client = app.test_client()
    sign_in(client, world["users"]["panel-in"])
    page = client.get("/calendar").get_data(as_text=True)
    assert refs[0] in page and "Week of Monday 1 December 2025" in page
    address = feed_address(client)
    before = events(client, address)[f"ASB case review panel {refs[0]}"]
    with write_transaction(sessions) as session:
        case = session.scalar(select(CaseReview).where(CaseReview.reference == refs[0]))
        apply(
            session,
            case,
            "schedule_panel",
            {"panel_on": "2025-12-08", "starts_at": "14:00", "location": "Council offices"},
            MANAGER,
            SAMPLE_NOW + timedelta(hours=1),  # later, as a real rescheduling is
            policy,
        )
        other = session.scalar(select(CaseReview).where(CaseReview.reference == refs[1]))
        apply(
            session,
            other,
            "withdraw",
            {"reason": "The applicant asked to withdraw."},
            MANAGER,
            SAMPLE_NOW,
            policy,
        )
    after = events(client, address)
    panel = after[f"ASB case review panel {refs[0]}"]
    assert panel["uid"] == before["uid"]
    assert int(panel["sequence"]) > int(before["sequence"])
    assert panel.decoded("dtstart").isoformat().startswith("2025-12-08T14:00")
    assert str(panel["location"]) == "Council offices"
    assert str(after[f"ASB case review panel {refs[1]}"]["status"]) == "CANCELLED"


def test_a_new_secret_ends_the_old_one_and_a_guess_finds_nothing(app, world):
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    first = feed_address(client)
    second = feed_address(client)
    path = lambda address: "/" + address.split("://", 1)[1].split("/", 1)[1]  # noqa: E731
    assert app.test_client().get(path(first)).status_code == 404
    assert app.test_client().get(path(second)).status_code == 200  # no sign-in: a calendar app
    assert app.test_client().get("/calendar/guess.ics").status_code == 404
