"""One case from the telephone call to closure, through the pages, by the three people who
run it: the manager logs and moves it, a panel member records the review, the CSP chair
hears the appeal; then every step form is shown with its errors and checked by axe."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import HASH, sign_in
from tests.browser.pages import assert_accessible, banner, fill_date, open_step
from tests.factories import EVENT_DATA, MANAGER, case_in_state
from triggers.db import write_transaction
from triggers.models import Agency, User
from workflows.machine import allowed_events


def test_one_case_by_the_manager_the_panel_and_the_chair(
    browser, live_server, sessions, partnership, policy, now
):
    with write_transaction(sessions) as session:
        merged = session.merge(partnership)
        council = session.scalar(select(Agency).where(Agency.name == "Charnwood Borough Council"))
        for email, role, agency in (
            ("manager@example.org", "manager", None),
            ("panel@example.org", "panel", council),
            ("chair@example.org", "chair", None),
        ):
            session.add(
                User(
                    partnership=merged,
                    email=email,
                    password_hash=HASH,
                    role=role,
                    agency_id=agency.id if agency else None,
                    is_active=True,
                    created_at=now,
                )
            )
    today = policy.today(datetime.now(UTC))
    received = policy.calendar.subtract_working_days(today, 2)

    def person(email: str):
        page = browser.new_context(base_url=live_server).new_page()
        sign_in(page, email)
        return page

    manager = person("manager@example.org")
    manager.get_by_role("button", name="Log an application").click()
    fill_date(manager, "received_on", received)
    manager.get_by_label("Victim's name").fill("Grace Obi")
    for index, weeks in enumerate((9, 5, 1)):
        happened = received - timedelta(weeks=weeks)
        if index:
            manager.get_by_role("button", name="Add another incident").click()
        fill_date(manager, f"incidents-{index}-occurred_on", happened)
        manager.locator(f"#incidents-{index}-what_happened").fill("Loud music and threats")
        manager.locator(f"#incidents-{index}-reported_to").select_option("council")
        fill_date(manager, f"incidents-{index}-reported_on", happened + timedelta(days=1))
    manager.get_by_label("Charnwood Borough Council").check()
    manager.get_by_role("button", name="Log the application").click()
    reference = manager.get_by_role("heading", level=1).inner_text().split()[0]

    open_step(manager, "Acknowledge the application").get_by_role(
        "button", name="Acknowledge"
    ).click()
    form = open_step(manager, "Decide the threshold")
    form.get_by_label("Met", exact=True).check()
    form.get_by_label("Rationale").fill("Three incidents in nine weeks; threats of violence.")
    form.get_by_role("button", name="Record the decision").click()
    form = open_step(manager, "Schedule the panel")
    fill_date(manager, "schedule_panel-panel_on", today)
    form.get_by_role("button", name="Schedule the panel").click()
    assert "panel scheduled" in banner(manager)

    panel = person("panel@example.org")
    panel.goto(f"/cases/{reference}")
    form = open_step(panel, "Record the review")
    form.get_by_label("Findings").fill("The council's noise and ASB teams kept separate files.")
    form.get_by_label("Yes").check()
    form.get_by_label("Case management recording differs between agencies").check()
    form.locator("#record_review-recommendations-0-agency").select_option(
        "Charnwood Borough Council"
    )
    form.locator("#record_review-recommendations-0-action").fill("Merge the two case files")
    fill_date(panel, "record_review-recommendations-0-due_on", today + timedelta(days=60))
    form.get_by_role("button", name="Record the review").click()
    assert "review complete" in banner(panel)

    manager.reload()
    open_step(manager, "Share the draft action plan with the victim").get_by_role(
        "button", name="Share the draft action plan with the victim"
    ).click()
    open_step(manager, "Send the findings").get_by_role(
        "button", name="Record that the findings were sent"
    ).click()
    form = open_step(manager, "Record an appeal")
    form.get_by_label("Grounds of the appeal").fill("The police were not at the panel.")
    form.get_by_role("button", name="Record the appeal").click()
    assert "now appeal" in banner(manager)

    chair = person("chair@example.org")
    chair.locator("#cases").get_by_role("link", name=reference).click()
    form = open_step(chair, "Decide the appeal")
    form.get_by_label("Not upheld: the case closes").check()
    form.get_by_label("Reasons").fill("The police chronology was before the panel.")
    form.get_by_role("button", name="Record the outcome").click()
    assert "now closed" in banner(chair)

    manager.reload()
    timeline = manager.locator(".app-timeline").inner_text()
    assert "by panel@example.org" in timeline and "by chair@example.org" in timeline
    assert "None: the case has ended." in manager.content()


FORM_TITLES = {
    "acknowledge": None,  # nothing required: an empty submission is valid
    "decide_threshold": ("Decide the threshold", "Record the decision"),
    "schedule_panel": ("Schedule the panel", "Schedule the panel"),
    "record_review": ("Record the review", "Record the review"),
    "send_findings": None,
    "appeal": ("Record an appeal", "Record the appeal"),
    "decide_appeal": ("Decide the appeal", "Record the outcome"),
    "close": ("Close the case", "Close the case"),
    "withdraw": ("Withdraw the case", "Withdraw the case"),
}
STATE_FOR = {
    "decide_threshold": "acknowledged",
    "schedule_panel": "threshold_met",
    "record_review": "panel_scheduled",
    "appeal": "findings_sent",
    "decide_appeal": "appeal",
    "close": "findings_sent",
    "withdraw": "received",
}


@pytest.mark.parametrize("event", sorted(STATE_FOR))
def test_every_step_form_with_its_errors_is_accessible(
    page, sessions, partnership, policy, staff, event
):
    with write_transaction(sessions) as session:
        reference = case_in_state(session, partnership, policy, STATE_FOR[event]).reference
    assert event in allowed_events(STATE_FOR[event])
    title, button = FORM_TITLES[event]
    sign_in(page, staff["manager"])
    page.goto(f"/cases/{reference}")
    open_step(page, title).get_by_role("button", name=button).click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_have_count(1)  # waits for the answer to the form
    assert summary.get_by_role("link").count() >= 1
    assert_accessible(page)


def test_the_tables_above_cover_every_event():
    assert set(FORM_TITLES) == set(EVENT_DATA) and MANAGER.role == "manager"
