"""The People page in Debian's Chromium: a manager finds a leaver, deactivates them and
sees the page's error summary when adding someone with a weak password; checked by axe."""

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.pages import assert_accessible, banner


def test_a_manager_deactivates_a_leaver_and_adds_a_person(page, staff):
    sign_in(page, staff["manager"])
    page.get_by_role("link", name="People").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    assert_accessible(page)

    page.get_by_label("E-mail address").fill("new.person@example.org")
    page.get_by_label("Role").select_option("viewer")
    page.get_by_label("First password").fill("password1234")
    page.get_by_role("button", name="Add person").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("most common")
    assert_accessible(page)

    page.get_by_role("link", name=staff["viewer"]).click()
    assert_accessible(page)
    page.get_by_role("button", name=f"Deactivate {staff['viewer']}").click()
    assert "is deactivated" in banner(page)
    expect(page.locator(".govuk-summary-list")).to_contain_text("Deactivated")
    assert_accessible(page)
