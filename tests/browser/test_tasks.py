"""My tasks in a real browser: an agency officer lands on it and follows the request."""

from datetime import date

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import HASH, sign_in
from tests.browser.pages import assert_accessible, banner, fill_date
from tests.factories import case_in_state
from triggers.db import write_transaction
from triggers.models import Agency, OutboxMessage, User


def test_the_officer_follows_the_chronology_request_and_it_leaves_the_list(
    page, sessions, partnership, policy, now
):
    with write_transaction(sessions) as session:
        reference = case_in_state(session, partnership, policy, "acknowledged").reference
        police = session.scalar(select(Agency).where(Agency.name == "Leicestershire Police"))
        session.add(
            User(
                partnership=session.merge(partnership),
                email="officer@example.org",
                password_hash=HASH,
                role="agency",
                agency_id=police.id,
                is_active=True,
                created_at=now,
            )
        )
    sign_in(page, "officer@example.org", to_dashboard=False)
    expect(page.get_by_role("heading", level=1)).to_have_text("My tasks")
    assert_accessible(page)
    request = page.get_by_role("link", name=f"Add your agency's chronology for {reference}")
    request.click()
    page.wait_for_url(f"**/cases/{reference}?open=chronology#open-chronology")
    form = page.locator("details#open-chronology[open]")
    fill_date(page, "chronology-occurred_on", date(2025, 10, 2))
    form.get_by_label("What happened").fill("PCSO visited; advised to keep a diary.")
    form.get_by_role("button", name="Add to the chronology").click()
    assert "Added Leicestershire Police's contact" in banner(page)
    page.get_by_role("link", name="My tasks").click()
    expect(page.locator("#no-tasks")).to_contain_text("Nothing waits for you")


def test_the_manager_s_tasks_page_with_a_filter_and_a_failed_message(
    page, sessions, partnership, policy, staff
):
    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, "acknowledged")
        case.single_point_of_contact = "Sam Carter"
        reference = case.reference
        message = session.scalars(
            select(OutboxMessage).where(OutboxMessage.case_id == case.id)
        ).first()
        message.status = "failed"
    sign_in(page, staff["manager"], to_dashboard=False)
    rows = page.locator("#tasks tbody tr")
    expect(rows.filter(has_text="Decide the threshold")).to_have_count(1)
    expect(rows.filter(has_text="Retry the")).to_have_count(1)
    assert_accessible(page)
    page.get_by_label("Single point of contact").select_option("Sam Carter")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#tasks caption")).to_contain_text("on Sam Carter's cases")
    page.get_by_role("link", name=f"Decide the threshold for {reference}").click()
    expect(page.locator("details#open-decide_threshold")).to_have_attribute("open", "")
