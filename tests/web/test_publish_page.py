"""Publishing from the statistics page: versions kept, restatement with reason, provisional."""

import csv
import io
import json
from datetime import date

from sqlalchemy import select

from tests.factories import new_case
from tests.web.test_access import csrf, sign_in
from triggers.db import read_session, write_transaction
from triggers.models import AuditEvent, PublishedFigures


def publish(client, year: int, reason: str = ""):
    return client.post(
        "/statistics/publish",
        data={
            "csrf_token": csrf(client, f"/statistics?year={year}"),
            "year": str(year),
            "reason": reason,
        },
    )


def test_a_year_not_ended_is_published_as_provisional_everywhere(app, world):
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    page = client.get("/statistics?year=2025").get_data(as_text=True)  # today: 1 December 2025
    assert 'id="provisional"' in page and "Publish these figures" in page
    # The shared world already published 2025/26 once (tests/web/conftest.py): a restatement.
    response = publish(client, 2025, "Two applications were logged late.")
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Restated (version 2): the figures for 2025/26 as provisional" in page
    html = client.get("/statistics/published/2025/2/index.html").get_data(as_text=True)
    assert "Provisional:" in html
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get("/statistics/published/2025/2/figures.csv").get_data(as_text=True)
            )
        )
    )
    assert rows[-1]["year"] == "2025/26" and rows[-1]["status"] == "provisional"
    assert rows[0]["status"] == "final"
    data = json.loads(
        client.get("/statistics/published/2025/2/figures.json").get_data(as_text=True)
    )
    assert data["status"] == "provisional"
    assert all(year["status"] == "final" for year in data["previous_years"])
    # The page's own downloads say so too.
    assert (
        json.loads(client.get("/statistics/figures.json?year=2025").get_data())["status"]
        == "provisional"
    )


def test_a_restatement_needs_a_reason_and_keeps_the_version_before(
    app, world, sessions, partnership, policy
):
    with write_transaction(sessions) as session:  # a case in 2024/25, so the year is listed
        new_case(session, session.merge(partnership), policy, received_on=date(2024, 6, 3))
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    publish(client, 2024)
    first = client.get("/statistics/published/2024/1/index.html").get_data(as_text=True)
    refused = client.get(publish(client, 2024).location).get_data(as_text=True)
    assert "say why they are restated" in refused and "Nothing was published" in refused
    with read_session(sessions) as session:
        kept = select(PublishedFigures).where(PublishedFigures.start_year == 2024)
        assert len(session.scalars(kept).all()) == 1
    publish(client, 2024, "An appeal decided in May was counted in the wrong year.")
    second = client.get("/statistics/published/2024/2/index.html").get_data(as_text=True)
    assert "An appeal decided in May was counted in the wrong year." in second
    assert "Provisional:" not in second  # 2024/25 ended on 31 March 2025
    assert client.get("/statistics/published/2024/1/index.html").get_data(as_text=True) == first
    page = client.get("/statistics?year=2024").get_data(as_text=True)
    assert "First publication" in page and "counted in the wrong year" in page
    with read_session(sessions) as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.event == "publish_figures").order_by(AuditEvent.id)
        ).all()
        assert [e.data["version"] for e in events] == [1, 2]


def test_only_a_manager_publishes_and_each_partnership_sees_its_own(app, world):
    viewer = app.test_client()
    sign_in(viewer, world["users"]["viewer"])
    assert "Publish these figures" not in viewer.get("/statistics").get_data(as_text=True)
    assert publish(viewer, 2025).status_code == 403
    manager = app.test_client()
    sign_in(manager, world["users"]["manager"])
    publish(manager, 2025, "Restated.")
    assert viewer.get("/statistics/published/2025/2/figures.csv").status_code == 200
    other = app.test_client()
    sign_in(other, world["users"]["other-manager"])
    assert other.get("/statistics/published/2025/1/figures.csv").status_code == 404
    assert other.get("/statistics/published/2025/1/secrets.txt").status_code == 404
