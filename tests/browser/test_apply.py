"""The public form in a real browser: a victim applies (each page first sent empty, so every
page is checked by axe with its errors shown as well as without), a son applies for his
mother on a phone with JavaScript off, and the manager finds both on the dashboard."""

from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.pages import assert_accessible, fill_date
from triggers.calendar import english_date


def heading(page) -> str:  # type: ignore[no-untyped-def]
    return page.locator("h1, legend h1, label h1").first.inner_text()


def continue_(page, name: str = "Continue") -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name=name).click()


def errors_first(page, check: bool) -> None:  # type: ignore[no-untyped-def]
    """Send the page empty, check the errors are shown accessibly, then go on to fill it."""
    if not check:
        return
    continue_(page)
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.title().startswith("Error:")
    assert_accessible(page)


def incident(page, happened: date, what: str, body: str, *, check: bool = False) -> None:  # type: ignore[no-untyped-def]
    errors_first(page, check)
    fill_date(page, "occurred_on", happened)
    page.get_by_label("What happened?").fill(what)
    page.locator("#hate_related-2").check()  # "No"
    page.get_by_label(body).check()
    fill_date(page, "reported_on", happened + timedelta(days=1))
    continue_(page)


def test_a_victim_applies_online_and_the_manager_finds_it(page, policy, staff, partnership):
    today = policy.today(datetime.now(UTC))
    page.goto("/apply")
    assert "Apply for an anti-social behaviour case review" in heading(page)
    assert_accessible(page)
    page.get_by_role("button", name="Start now").click()

    errors_first(page, True)
    # The first question with the keyboard alone: the radio, then Enter sends the form.
    page.get_by_label("Yes, I am the victim").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("a person, a business or a community group")
    errors_first(page, True)
    page.get_by_label("A person").check()
    assert_accessible(page)
    continue_(page)

    errors_first(page, True)
    page.get_by_label("What is your full name?").fill("Grace Okafor")
    continue_(page)

    errors_first(page, True)
    page.get_by_label("By e-mail").check()
    page.get_by_label("E-mail address").fill("grace@example.net")
    assert_accessible(page)
    continue_(page)

    page.get_by_label("Do you have any accessibility needs? (optional)").fill("Easy read, please.")
    assert_accessible(page)
    continue_(page)

    incident(
        page, today - timedelta(days=40), "Music until 4am every night.", "The council", check=True
    )
    expect(page.locator("h1")).to_contain_text("You have told us about 1 incident")
    # The same night was reported to the police too: another report, not another incident.
    page.get_by_role("link", name="Add another report of incident 1").click()
    errors_first(page, True)
    page.get_by_label("The police").check()
    fill_date(page, "reported_on", today - timedelta(days=38))
    continue_(page)
    expect(page.locator("main")).to_contain_text("; The police on")
    errors_first(page, True)
    page.get_by_label("Yes", exact=True).check()
    continue_(page)
    incident(
        page, today - timedelta(days=25), "Threats shouted through the letterbox.", "The police"
    )
    page.get_by_label("Yes", exact=True).check()
    continue_(page)
    incident(page, today - timedelta(days=10), "Bin set alight by the door.", "The police")
    assert_accessible(page)
    page.get_by_label("No", exact=True).check()
    continue_(page)

    errors_first(page, True)
    page.get_by_label("Why are you unhappy").fill("Each report was closed without a visit.")
    continue_(page)

    assert "Check your answers" in heading(page)
    assert "Grace Okafor" in page.locator("main").inner_text()
    assert_accessible(page)
    # Change an answer from the check page, and come back to it.
    page.get_by_role("link", name="Change the name").click()
    page.get_by_label("What is your full name?").fill("Grace A. Okafor")
    continue_(page)
    assert "Grace A. Okafor" in page.locator("main").inner_text()
    page.get_by_role("button", name="Accept and send").click()

    expect(page.locator(".govuk-panel")).to_contain_text("Application sent")
    reference = page.locator(".govuk-panel strong").inner_text()
    due = policy.calendar.add_working_days(today, 5)
    assert f"by {english_date(due)}" in page.locator("main").inner_text()
    assert_accessible(page)

    sign_in(page, staff["manager"])
    row = page.locator("#cases tbody tr", has_text=reference)
    expect(row).to_have_count(1)
    assert "Online" in row.inner_text() and "Grace A. Okafor" in row.inner_text()
    assert english_date(due) in row.inner_text() and "Rules suggest: met" in row.inner_text()


@pytest.fixture
def phone_without_javascript(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=live_server,
        java_script_enabled=False,
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        bypass_csp=True,
    )
    yield context.new_page()
    context.close()


def test_a_son_applies_for_his_mother_on_a_phone_without_javascript(
    phone_without_javascript, page, policy, staff, partnership
):
    phone = phone_without_javascript
    today = policy.today(datetime.now(UTC))
    phone.goto("/apply")
    phone.get_by_role("button", name="Start now").click()
    phone.get_by_label("No, I am applying for someone else").check()
    continue_(phone)
    continue_(phone)  # empty: the consent must be confirmed
    assert (
        "Confirm that the victim has agreed" in phone.locator(".govuk-error-summary").inner_text()
    )
    phone.get_by_label("Your full name").fill("Tom Baker")
    phone.get_by_label("Your relationship to the victim").fill("Son")
    phone.get_by_label("The victim knows I am applying and has agreed to it").check()
    continue_(phone)
    phone.get_by_label("A person").check()
    continue_(phone)
    phone.get_by_label("What is the victim's full name?").fill("Edith Baker")
    continue_(phone)
    phone.get_by_label("By letter").check()
    phone.get_by_label("Postal address").fill("4 Mill Lane\nShepshed")
    phone.get_by_label("Postcode").fill("le12 9aa")
    continue_(phone)
    continue_(phone)  # no accessibility needs
    # A mistake the form must catch: reported before it happened; the rest is kept.
    fill_date(phone, "occurred_on", today - timedelta(days=20))
    phone.get_by_label("What happened?").fill("Stones thrown at her window.")
    phone.get_by_label("Yes", exact=True).check()
    phone.get_by_label("The police").check()
    fill_date(phone, "reported_on", today - timedelta(days=21))
    continue_(phone)
    summary = phone.locator(".govuk-error-summary").inner_text()
    assert "must be on or after the date it happened" in summary
    assert phone.get_by_label("What happened?").input_value() == "Stones thrown at her window."
    fill_date(phone, "reported_on", today - timedelta(days=19))
    continue_(phone)
    phone.get_by_label("No", exact=True).check()
    continue_(phone)
    phone.get_by_label("Why are you unhappy").fill("Nobody came to see her.")
    continue_(phone)
    main = phone.locator("main").inner_text()
    assert "Tom Baker" in main and "Edith Baker" in main and "LE12 9AA" in main
    phone.get_by_role("button", name="Accept and send").click()
    reference = phone.locator(".govuk-panel strong").inner_text()
    assert "confirmation e-mail" not in phone.locator("main").inner_text()

    due = policy.calendar.add_working_days(today, 5)
    sign_in(page, staff["manager"])
    row = page.locator("#cases tbody tr", has_text=reference)
    expect(row).to_have_count(1)
    assert "Edith Baker" in row.inner_text() and english_date(due) in row.inner_text()
    # The hate incident alone meets the local threshold.
    assert "Rules suggest: met" in row.inner_text()


def test_the_pages_only_some_people_see_are_accessible_with_their_errors(page, partnership):
    page.goto("/apply/who")
    page.get_by_label("No, I am applying for someone else").check()
    continue_(page)
    errors_first(page, True)  # "About you": name, relationship and consent all missing
    assert page.locator(".govuk-error-summary li").count() == 3
    page.get_by_label("Your full name").fill("Tom Baker")
    page.get_by_label("Your relationship to the victim").fill("Son")
    page.get_by_label("The victim knows I am applying and has agreed to it").check()
    continue_(page)
    page.get_by_label("A community group").check()
    continue_(page)
    assert_accessible(page)
    page.get_by_label("What is the name of the community group?").fill("Park Road Allotments")
    continue_(page)
    page.get_by_label("By phone").check()
    page.get_by_label("Phone number").fill("01509 000000")
    continue_(page)
    page.get_by_label("Do you have any accessibility needs? (optional)").fill("x" * 1001)
    continue_(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text("1,000 characters or fewer")
    assert_accessible(page)
