"""The pages of issue 20 in a real browser, each checked with axe: the panel calendar, the
Letters page (a template with a Jinja error refused with its line), a letter as sent, and
publishing from the statistics page."""

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import sign_in
from tests.browser.pages import assert_accessible, banner
from tests.factories import case_in_state
from triggers.db import write_transaction
from triggers.models import OutboxMessage


def test_the_new_pages_work_and_pass_axe(page, sessions, partnership, policy, staff):
    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, "panel_scheduled")
        reference = case.reference
        letter = session.scalars(
            select(OutboxMessage).where(OutboxMessage.case_id == case.id)
        ).first()
        letter_id = letter.id
    sign_in(page, staff["manager"], to_dashboard=False)

    page.get_by_role("link", name="Panel calendar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Panel calendar")
    page.get_by_role("button", name="Make my feed address").click()
    assert ".ics" in banner(page)
    assert_accessible(page)

    page.get_by_role("link", name="Letters").click()
    assert_accessible(page)
    page.get_by_role("link", name="Findings").click()
    field = page.get_by_label("The letter's template")
    field.fill("Subject: Findings for {{ reference }}\nDear {{ recipient_name }},\n{% if x %}\n")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Line 3")
    assert_accessible(page)
    field = page.get_by_label("The letter's template")
    field.fill("Subject: Findings for {{ reference }}\nDear {{ recipient_name }},\nOur words.\n")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview-body")).to_contain_text("Our words.")

    page.goto(f"/cases/{reference}/messages/{letter_id}")
    expect(page.locator("#history")).to_contain_text("Queued")
    assert_accessible(page)

    page.goto("/statistics")
    page.get_by_role("button", name="Publish these figures").click()
    assert "Published: the figures" in banner(page)
    expect(page.locator("#published")).to_be_visible()
    assert_accessible(page)
