"""The figures in Chromium: the staff statistics page and the public page, checked by axe."""

import io
from datetime import UTC, datetime
from pathlib import Path

from tests.browser.conftest import sign_in
from tests.browser.pages import assert_accessible
from triggers.db import read_session, write_transaction
from triggers.figures import performance_year
from web.publish import publish
from workflows.history_import import check_file, import_cases

SEEDS = Path(__file__).resolve().parents[1] / "data" / "charnwood_2020_21.csv"


def import_seeds(sessions, policy, partnership) -> None:
    now = datetime.now(UTC)
    with write_transaction(sessions) as session:
        plan = check_file(
            io.StringIO(SEEDS.read_text()),
            session,
            policy,
            policy.today(now),
            session.merge(partnership),
        )
        import_cases(session, plan, policy, now, SEEDS.name)


def test_the_manager_picks_a_year_and_reads_its_figures(page, sessions, policy, partnership, staff):
    import_seeds(sessions, policy, partnership)
    sign_in(page, staff["manager"])
    page.get_by_role("link", name="Statistics").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Statistics 20")
    page.get_by_label("Performance year").select_option(label="2020/21")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/statistics?year=2020*")
    assert page.get_by_role("heading", level=1).inner_text() == "Statistics 2020/21"
    received = page.get_by_role("row", name="Applications for an ASB case review received")
    assert received.get_by_role("cell").inner_text() == "5"
    on_time = page.get_by_role("row", name="Acknowledged within 5 working days of receipt")
    assert on_time.get_by_role("cell").inner_text() == "5 of 5"
    areas = page.get_by_role("table", name="Applications received by area, 2020/21")
    assert "Loughborough Lemyngton" in areas.inner_text() and "suppressed" in areas.inner_text()
    chart = page.get_by_role("img", name="ASB case reviews, 2016/17 to 2020/21")
    assert chart.is_visible()
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Figures for 2020/21 as CSV").click()
    assert download.value.suggested_filename == "figures-2020-21.csv"


def test_a_year_not_on_the_list_shows_an_accessible_error(page, staff):
    sign_in(page, staff["viewer"])
    page.goto("/statistics?year=1999")
    summary = page.locator(".govuk-error-summary")
    assert "Choose a year from the list" in summary.inner_text()
    assert_accessible(page)


def test_the_public_page_is_accessible(page, sessions, policy, partnership, config, tmp_path):
    import_seeds(sessions, policy, partnership)
    with read_session(sessions) as session:
        publish(
            session,
            config,
            session.merge(partnership),
            performance_year(2020),
            tmp_path,
            datetime.now(UTC).date(),
        )
    page.goto((tmp_path / "index.html").as_uri())
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Anti-social behaviour case reviews: figures for 2020/21"
    )
    assert page.get_by_role("img", name="ASB case reviews, 2016/17 to 2020/21").is_visible()
    assert_accessible(page)
