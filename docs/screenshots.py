"""Take the README's screenshots from a running demo: `casereview demo`, then
`.venv/bin/python docs/screenshots.py [BASE_URL]` (Debian's Chromium at /usr/bin/chromium)."""

import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).parent
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def press(page: Page, button: str, heading: str) -> None:
    """Press the form's ``button`` and wait for the next page's ``heading``: a click only
    waits for the navigation to start, so a screenshot taken straight after it may show the
    page before, or half of the next one."""
    page.click(f"button:has-text('{button}')")
    page.get_by_role("heading", name=heading).wait_for()


with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(f"{BASE}/sign-in")
    page.fill("#email", "manager@example.org")
    page.fill("#password", "demo-password-only")
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{BASE}/tasks")  # each person lands on My tasks
    page.screenshot(path=OUT / "tasks.png", full_page=True)
    page.goto(f"{BASE}/calendar")
    page.screenshot(path=OUT / "calendar.png", full_page=True)
    page.goto(f"{BASE}/letters/findings")
    page.screenshot(path=OUT / "letters.png", full_page=True)
    page.goto(f"{BASE}/")
    page.screenshot(path=OUT / "dashboard.png", full_page=True)
    page.click("a:has-text('CT-2026-005')")
    page.wait_for_url(f"{BASE}/cases/CT-2026-005")  # loaded, not only started
    page.screenshot(path=OUT / "case.png", full_page=True)
    # The application on the case page (the part a panel member reads before the meeting).
    page.screenshot(
        path=OUT / "case-application.png", clip={"x": 0, "y": 0, "width": 1100, "height": 2300}
    )
    page.fill("#app-search-q", "Loughborough")
    page.click(".app-search button")
    page.wait_for_load_state()
    page.screenshot(path=OUT / "search.png", full_page=True)
    page.goto(f"{BASE}/cases/CT-2026-005")
    page.click("a:has-text('Statistics')")
    page.select_option("#year", index=1)  # the last complete year
    page.click("button:has-text('Show')")
    page.wait_for_load_state()
    page.screenshot(path=OUT / "statistics.png", full_page=True)
    page.click("a:has-text('People')")
    page.wait_for_load_state()
    page.screenshot(path=OUT / "people.png", full_page=True)

    # The public form, as a victim fills it in (a new browser: nobody is signed in).
    public = browser.new_page(viewport={"width": 1000, "height": 900})
    public.goto(f"{BASE}/apply")
    public.click("text=Start now")
    public.check("#who")
    public.click("button:has-text('Continue')")
    public.check("#victim_type")
    public.click("button:has-text('Continue')")
    public.fill("#victim_name", "Grace Okafor")
    public.click("button:has-text('Continue')")
    public.check("#contact_preference")
    public.fill("#email", "grace@example.net")
    public.click("button:has-text('Continue')")
    public.click("button:has-text('Continue')")
    public.fill("#occurred_on-day", "31")
    public.fill("#occurred_on-month", "2")
    public.fill("#occurred_on-year", "2026")
    public.fill("#what_happened", "Music played until 4am, and threats shouted at the door.")
    public.check("#hate_related-2")
    public.check("#reported_to")
    press(public, "Continue", "There is a problem")  # the same page, with its errors
    public.screenshot(path=OUT / "apply-incident.png", full_page=True)
    public.fill("#occurred_on-day", "27")
    public.fill("#reported_on-day", "28")
    public.fill("#reported_on-month", "2")
    public.fill("#reported_on-year", "2026")
    public.fill("#reference", "LP-2026-0451")
    public.click("button:has-text('Continue')")
    public.check("#another-2")
    public.click("button:has-text('Continue')")
    public.fill("#dissatisfaction", "Each report was closed without anyone visiting.")
    press(public, "Continue", "Check your answers before sending your application")
    public.screenshot(path=OUT / "apply-check.png", full_page=True)
    # Cymraeg: a first question in Welsh, sent empty so its error shows too.
    cymraeg = browser.new_page(viewport={"width": 1000, "height": 900})
    cymraeg.goto(f"{BASE}/apply/who?lang=cy")
    press(cymraeg, "Parhau", "Mae problem wedi codi")
    cymraeg.screenshot(path=OUT / "apply-welsh.png")
    browser.close()
print(
    f"wrote tasks, calendar, letters, dashboard, case, statistics, people, apply-incident, "
    f"apply-check and apply-welsh PNGs to {OUT}"
)
