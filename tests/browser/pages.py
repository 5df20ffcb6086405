"""What the browser tests do on a page, written once: fill a GOV.UK date, open a step,
read the banner, and run axe at WCAG 2.2 A and AA."""

from __future__ import annotations

from datetime import date

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

WCAG = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}
}


def assert_accessible(page) -> None:  # type: ignore[no-untyped-def]
    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, results.generate_snapshot()


def fill_date(page, field_id: str, day: date) -> None:  # type: ignore[no-untyped-def]
    page.locator(f"#{field_id}-day").fill(str(day.day))
    page.locator(f"#{field_id}-month").fill(str(day.month))
    page.locator(f"#{field_id}-year").fill(str(day.year))


def open_step(page, title: str):  # type: ignore[no-untyped-def]
    """Open the step titled ``title`` as a person does, once the page has loaded: GOV.UK
    Frontend's script moves the focus to the page's banner when it starts, and a click that
    raced it (the suite under load) landed on the page as it scrolled, leaving the step shut."""
    page.wait_for_load_state()
    summary = page.locator("summary", has_text=title)
    summary.click()
    step = page.locator("details", has=summary)
    expect(step).to_have_attribute("open", "")
    return step


def banner(page) -> str:  # type: ignore[no-untyped-def]
    return page.locator(".govuk-notification-banner").first.inner_text()
