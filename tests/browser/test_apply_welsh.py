"""Cymraeg in a real browser (issue 21): a victim chooses Welsh on the start page of a phone
and applies; every page is in Welsh, checked by axe with its errors shown, and the
confirmation page is in Welsh; the manager's dashboard shows the case with its language."""

from datetime import UTC, datetime, timedelta

import pytest
from babel.dates import format_date
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.pages import assert_accessible, fill_date
from triggers.calendar import welsh_date_text


@pytest.fixture
def phone(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=live_server,
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        bypass_csp=True,
    )
    yield context.new_page()
    context.close()


def carry_on(phone) -> None:  # type: ignore[no-untyped-def]
    phone.get_by_role("button", name="Parhau").click()


def errors_in_welsh(phone) -> None:  # type: ignore[no-untyped-def]
    carry_on(phone)
    expect(phone.locator(".govuk-error-summary")).to_contain_text("Mae problem wedi codi")
    assert phone.title().startswith("Gwall:")
    assert_accessible(phone)


def test_a_victim_applies_in_welsh_on_a_phone(phone, page, staff, policy, partnership):
    today = policy.today(datetime.now(UTC))
    phone.goto("/apply")
    phone.get_by_role("link", name="Cymraeg").click()
    expect(phone.locator("html")).to_have_attribute("lang", "cy")
    assert_accessible(phone)
    phone.get_by_role("button", name="Dechrau nawr").click()

    errors_in_welsh(phone)
    phone.get_by_label("Ydw, fi yw’r dioddefwr").check()
    carry_on(phone)
    errors_in_welsh(phone)
    phone.get_by_label("Person").check()
    carry_on(phone)
    phone.get_by_label("Beth yw eich enw llawn?").fill("Gwenllian Ŵyn")
    carry_on(phone)
    phone.get_by_label("Drwy e-bost").check()
    phone.get_by_label("Cyfeiriad e-bost").fill("gwenllian@example.net")
    carry_on(phone)
    assert_accessible(phone)
    carry_on(phone)  # dim anghenion
    errors_in_welsh(phone)
    happened = today - timedelta(days=10)
    fill_date(phone, "occurred_on", happened)
    phone.get_by_label("Beth ddigwyddodd?").fill("Taflwyd cerrig at y ffenestr.")
    phone.locator("#hate_related-2").check()  # "Na"
    phone.get_by_label("Yr heddlu").check()
    fill_date(phone, "reported_on", happened + timedelta(days=1))
    carry_on(phone)
    assert_accessible(phone)
    phone.get_by_label("Na", exact=True).check()
    carry_on(phone)
    phone.get_by_label("Pam nad ydych yn fodlon").fill("Ni ddaeth neb i’m gweld.")
    carry_on(phone)

    main = phone.locator("main")
    expect(main).to_contain_text("Gwiriwch eich atebion cyn anfon eich cais")
    expect(main).to_contain_text(
        welsh_date_text(format_date(happened, "EEEE d MMMM y", locale="cy"))
    )
    assert_accessible(phone)
    phone.get_by_role("button", name="Derbyn ac anfon").click()
    expect(phone.locator(".govuk-panel")).to_contain_text("Cais wedi’i anfon")
    due = policy.calendar.add_working_days(today, 5)
    expect(main).to_contain_text(welsh_date_text(format_date(due, "EEEE d MMMM y", locale="cy")))
    assert_accessible(phone)
    # Back to English from the same page, and the page follows.
    phone.get_by_role("link", name="English").click()
    expect(phone.locator(".govuk-panel")).to_contain_text("Application sent")

    # The manager's dashboard (English, as staff pages are) shows the case with its language.
    sign_in(page, staff["manager"])
    row = page.locator("#cases tbody tr", has_text="Gwenllian Ŵyn")
    expect(row).to_contain_text("Cymraeg")
    expect(row.locator('[lang="cy"]')).to_have_text("Cymraeg")
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")
    assert_accessible(page)
