"""The figures by area as the public and the staff read them (the page, CSV and JSON): no
hidden count can be worked out from the published total, and a ward is published only as
one of the partnership's listed areas, so what was typed never reaches them."""

import csv
import html
import io
import json
import re
from datetime import date

import pytest

from tests.factories import new_case
from tests.triggers.test_figures import derivable
from tests.web.test_access import sign_in
from triggers.db import read_session, write_transaction
from triggers.figures import performance_year
from web.publish import publish

TYPED = {
    "  syston   WEST ": 1,  # listed, typed loosely
    "12 Brook Street, Margaret Ellis": 1,  # an address and a name typed as the ward
    "Loughborough Lemyngton": 3,
    "Shepshed East": 4,
    "loughborough hastings": 5,
}
#: Syston West and Other area (1 each) would add up to 2 and so be known: Lemyngton goes too.
PUBLISHED = {
    "Loughborough Hastings": 5,
    "Loughborough Lemyngton": "suppressed",
    "Other area": "suppressed",
    "Shepshed East": 4,
    "Syston West": "suppressed",
}


@pytest.fixture
def typed_wards(sessions, partnership, policy):  # type: ignore[no-untyped-def]
    with write_transaction(sessions) as session:
        for ward, number in TYPED.items():
            for _ in range(number):
                new_case(session, partnership, policy, received_on=date(2025, 5, 6), ward=ward)


def page_areas(page: str) -> dict[str, int | str]:
    """The rows of the page's table of applications by area."""
    table = page.split("Applications received by area", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<th scope="row"[^>]*>([^<]+)</th>\s*<td[^>]*>([^<]+)</td>', table)
    return {
        html.unescape(name).strip(): int(value) if value.strip().isdigit() else value.strip()
        for name, value in rows
    }


def assert_nothing_leaks(text: str) -> None:
    for typed in ("Brook Street", "Margaret Ellis", "syston   WEST", "loughborough hastings"):
        assert typed not in text


def test_the_public_page_csv_and_json_hide_what_the_total_would_reveal(
    sessions, config, typed_wards, tmp_path
):
    with read_session(sessions) as session:
        publish(session, config, None, performance_year(2025), tmp_path, date(2026, 4, 30))
    page = (tmp_path / "index.html").read_text()
    published = json.loads((tmp_path / "figures.json").read_text())
    rows = list(csv.DictReader(io.StringIO((tmp_path / "figures.csv").read_text())))
    total = int(rows[-1]["applications_received"])
    assert total == published["applications_received"] == sum(TYPED.values())
    assert published["areas"] == page_areas(page) == PUBLISHED
    assert derivable(total, published["areas"], config.statistics.suppress_below) == {}
    for name in ("index.html", "figures.csv", "figures.json"):
        assert_nothing_leaks((tmp_path / name).read_text())


def test_the_staff_page_and_downloads_hide_the_same(app, world, typed_wards, config):
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    page = client.get("/statistics?year=2025").get_data(as_text=True)
    data = client.get("/statistics/figures.json?year=2025").get_json()
    text = client.get("/statistics/figures.csv?year=2025").get_data(as_text=True)
    total = int(list(csv.DictReader(io.StringIO(text)))[-1]["applications_received"])
    # the shared world's own case, received on 1 December 2025, has no ward
    assert data["areas"] == page_areas(page) == {**PUBLISHED, "Not recorded": "suppressed"}
    assert derivable(total, data["areas"], config.statistics.suppress_below) == {}
    for answer in (page, json.dumps(data), text):
        assert_nothing_leaks(answer)


def test_with_too_few_applications_no_breakdown_is_published(
    sessions, partnership, policy, config, tmp_path
):
    with write_transaction(sessions) as session:
        for ward in ("Syston West", "Shepshed East"):  # 1 and 1: each would be known
            new_case(session, partnership, policy, received_on=date(2025, 5, 6), ward=ward)
    with read_session(sessions) as session:
        publish(session, config, None, performance_year(2025), tmp_path, date(2026, 4, 30))
    page = (tmp_path / "index.html").read_text()
    assert json.loads((tmp_path / "figures.json").read_text())["areas"] == {}
    assert "Applications by area are not shown for 2025/26" in page
    assert "Syston West" not in page and "Shepshed East" not in page
