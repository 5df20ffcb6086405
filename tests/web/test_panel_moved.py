"""The case page says what a step did: a panel moved is "Panel moved" (the declaration's
words for that move), not "Schedule the panel: done"; a first panel keeps the step's title."""

from tests.factories import case_in_state
from tests.web.test_access import csrf, sign_in
from triggers.db import write_transaction


def _schedule(client, reference, day):  # type: ignore[no-untyped-def]
    page = f"/cases/{reference}"
    return client.post(
        f"{page}/events/schedule_panel",
        data={
            "csrf_token": csrf(client, page),
            "schedule_panel-panel_on": [day, "12", "2025"],
            "schedule_panel-starts_at": "10:30",
            "schedule_panel-location": "Council offices",
        },
        follow_redirects=True,
    )


def test_moving_a_panel_says_panel_moved(app, world, sessions, partnership, policy):
    with write_transaction(sessions) as session:
        reference = case_in_state(session, partnership, policy, "threshold_met").reference
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    first = _schedule(client, reference, "10").get_data(as_text=True)
    assert "Schedule the panel: done. The case is now panel scheduled." in first
    moved = _schedule(client, reference, "12")
    text = moved.get_data(as_text=True)
    assert moved.status_code == 200, text
    assert "Panel moved. The case is still panel scheduled." in text
    assert "Schedule the panel: done" not in text
