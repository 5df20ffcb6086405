"""A manager logs a telephone application with three incidents, on the victim's behalf."""

from datetime import UTC, datetime, timedelta

from tests.browser.conftest import sign_in
from tests.browser.pages import assert_accessible, fill_date
from triggers.calendar import english_date


def test_a_manager_logs_an_application_and_finds_it_on_the_dashboard(page, policy, staff):
    today = policy.today(datetime.now(UTC))
    received = policy.calendar.subtract_working_days(today, 1)
    sign_in(page, staff["manager"])
    page.get_by_role("button", name="Log an application").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Log an application")
    assert_accessible(page)

    fill_date(page, "received_on", received)
    page.get_by_label("Victim's name").fill("Amira Khan")
    page.get_by_label("Someone on the victim's behalf").check()
    page.get_by_label("Applicant's name").fill("Yusuf Khan")
    page.get_by_label("Relationship to the victim").fill("son")
    fill_date(page, "applicant_consent_given_on", received)
    for index, weeks in enumerate((10, 6, 2)):
        happened = received - timedelta(weeks=weeks)
        if index:  # one incident is offered; each more is added (nothing is sent yet)
            page.get_by_role("button", name="Add another incident").click()
        fill_date(page, f"incidents-{index}-occurred_on", happened)
        page.locator(f"#incidents-{index}-what_happened").fill(f"Eggs thrown at the door ({weeks})")
        page.locator(f"#incidents-{index}-reported_to").select_option("police")
        # The last report is dated before its incident: a mistake the service must catch.
        reported = happened - timedelta(days=1) if weeks == 2 else happened + timedelta(days=1)
        fill_date(page, f"incidents-{index}-reported_on", reported)
        page.locator(f"#incidents-{index}-reporter").fill("Amira Khan")
    page.get_by_label("Leicestershire Police").check()
    page.get_by_label("Ward or police beat").fill("Syston West")
    page.get_by_role("button", name="Log the application").click()

    summary = page.locator(".govuk-error-summary")
    assert "Reported on is before the incident happened" in summary.inner_text()
    assert page.locator("#incidents-2-what_happened").input_value() == "Eggs thrown at the door (2)"
    assert page.get_by_label("Applicant's name").input_value() == "Yusuf Khan"
    assert_accessible(page)

    fill_date(page, "incidents-2-reported_on", received - timedelta(weeks=2) + timedelta(days=1))
    page.get_by_role("button", name="Log the application").click()
    due = policy.calendar.add_working_days(received, 5)
    banner = page.locator(".govuk-notification-banner").inner_text()
    assert f"Acknowledge it by {english_date(due)}" in banner
    main = page.locator("main").inner_text()
    assert "Yusuf Khan, son, with the victim's consent" in main
    assert "Holds: 3 separate incident(s)" in main
    ward = page.get_by_role("term").filter(has_text="Ward or beat").locator("xpath=..")
    assert "Syston West" in ward.inner_text()

    page.get_by_role("link", name="Dashboard").click()
    row = page.locator("#cases tbody tr", has_text="Amira Khan")
    assert "Received" in row.inner_text()
    assert english_date(due) in row.inner_text()
