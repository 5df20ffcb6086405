"""The statistics page: the published figures for the signed-in person's partnership."""

import json
from datetime import date

from tests.factories import MANAGER, SAMPLE_NOW, application, new_case
from tests.web.test_access import sign_in
from triggers.db import write_transaction
from workflows.service import open_case


def test_the_page_shows_the_year_asked_for_and_its_five_years(
    app, world, sessions, partnership, policy
):
    with write_transaction(sessions) as session:
        new_case(session, partnership, policy, received_on=date(2024, 5, 1), ward="Syston West")
        for _ in range(3):
            new_case(
                session, partnership, policy, received_on=date(2024, 6, 3), ward="Shepshed East"
            )
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    page = client.get("/statistics?year=2024").get_data(as_text=True)
    assert "Statistics 2024/25" in page
    assert "Monday 1 April 2024 to Monday 31 March 2025" in page
    assert '<option value="2024" selected>2024/25</option>' in page
    assert "2020/21" in page and "2025/26" not in page.split("The last five years")[1]
    assert "Syston West" in page and "Shepshed East" in page and "suppressed" in page


def test_the_current_year_is_shown_when_none_is_asked_for(app, world):
    client = app.test_client()
    sign_in(client, world["users"]["viewer"])
    page = client.get("/statistics").get_data(as_text=True)
    assert "Statistics 2025/26" in page  # SAMPLE_NOW is 1 December 2025


def test_a_year_not_on_the_list_is_a_clear_error(app, world):
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    response = client.get("/statistics?year=<script>")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Choose a year from the list" in page and "<script>" not in page


def test_each_partnership_sees_only_its_own_figures(app, world, sessions, partnership, policy):
    client = app.test_client()
    sign_in(client, world["users"]["other-manager"])
    figures = json.loads(client.get("/statistics/figures.json?year=2025").get_data(as_text=True))
    assert figures["partnership"] == "Melton CSP"
    assert figures["applications_received"] == 0


def test_the_downloads_match_the_page(app, world, sessions, partnership, policy):
    with write_transaction(sessions) as session:
        open_case(
            session,
            partnership,
            application(date(2025, 5, 1), youth_asb=True),
            MANAGER,
            SAMPLE_NOW,
            policy,
        )
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    figures = json.loads(client.get("/statistics/figures.json?year=2025").get_data(as_text=True))
    # world's case (received 20 November 2025) and this one
    assert figures["applications_received"] == 2 and figures["youth_asb"] == 1
    csv_text = client.get("/statistics/figures.csv?year=2025").get_data(as_text=True)
    header, row = csv_text.splitlines()
    assert dict(zip(header.split(","), row.split(","), strict=True))["applications_received"] == "2"
