"""The staff pages in Debian's Chromium, as a manager uses them, checked by axe."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import PASSWORD, sign_in
from tests.browser.pages import assert_accessible
from tests.factories import case_in_state, new_case
from triggers.db import write_transaction
from triggers.models import OutboxMessage
from web.demo import load_demo
from workflows.machine import STATES


def test_the_manager_sees_overdue_cases_first_and_marked_in_words(
    page, sessions, partnership, policy, staff
):
    now = datetime.now(UTC)
    with write_transaction(sessions) as session:
        load_demo(session, session.merge(partnership), policy, now)
        late = policy.calendar.subtract_working_days(policy.today(now), 8)
        overdue = new_case(session, partnership, policy, received_on=late, now=now)
        reference = overdue.reference
    sign_in(page, staff["manager"])
    rows = page.locator("#cases tbody tr")
    first = rows.first
    assert reference in first.inner_text()
    assert "Overdue" in first.inner_text() and "Overdue by 3 working days" in first.inner_text()
    assert rows.count() == 9  # the 8 open demo cases and the late one; ended ones are hidden
    assert_accessible(page)

    page.get_by_label("State").select_option("closed")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/?state=closed*")
    expect(page.locator("#cases tbody tr")).to_have_count(1)
    assert "Closed" in page.locator("#cases tbody tr").first.inner_text()

    page.goto("/")
    page.get_by_role("link", name=reference).click()
    assert page.get_by_role("heading", level=1).inner_text().startswith(reference)
    assert "Overdue" in page.locator("table").first.inner_text()
    assert_accessible(page)


def test_a_failed_letter_is_shown_and_retried_from_the_dashboard(
    page, sessions, partnership, policy, staff
):
    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, "acknowledged")
        message = session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "acknowledgement")
        ).one()
        message.status, message.attempts = "failed", 6
        message.last_error = "SMTP 550 5.1.1 No such user"
        reference = case.reference
    sign_in(page, staff["manager"])
    alert = page.get_by_role("alert")
    assert "1 message could not be sent" in alert.inner_text()
    assert "SMTP 550 5.1.1 No such user" in alert.inner_text()
    assert_accessible(page)
    page.get_by_role("button", name=f"Retry acknowledgement for {reference}").click()
    assert (
        "will be sent again within a minute"
        in page.locator(".govuk-notification-banner").inner_text()
    )
    assert page.locator(".govuk-error-summary").count() == 0
    with write_transaction(sessions) as session:
        assert session.get(OutboxMessage, message.id).status == "pending"


@pytest.mark.parametrize("state", STATES)
def test_the_case_page_in_every_state_is_accessible(
    page, sessions, partnership, policy, staff, state
):
    with write_transaction(sessions) as session:
        reference = case_in_state(session, partnership, policy, state).reference
    sign_in(page, staff["viewer"])
    page.goto(f"/cases/{reference}")
    assert page.get_by_role("heading", level=1).inner_text().startswith(reference)
    assert "Timeline" in page.content()
    assert_accessible(page)


def test_sign_in_errors_are_summarised_and_accessible(page, staff):
    page.goto("/sign-in")
    assert_accessible(page)
    page.get_by_label("E-mail address").fill("not-an-address")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    assert "Enter an e-mail address in the right form" in summary.inner_text()
    assert "Enter your password" in summary.inner_text()
    assert page.get_by_label("E-mail address").input_value() == "not-an-address"
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    page.get_by_label("E-mail address").fill(staff["manager"])
    page.get_by_label("Password", exact=True).fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    assert "The e-mail address or the password is not right" in summary.inner_text()


def test_the_pages_work_without_javascript(
    browser, live_server, staff, sessions, partnership, policy
):
    with write_transaction(sessions) as session:
        reference = case_in_state(session, partnership, policy, "received").reference
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/sign-in")
    page.get_by_label("E-mail address").fill(staff["manager"])
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/tasks")
    page.goto("/")
    assert reference in page.locator("#cases").inner_text()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/sign-in")
    context.close()


def test_not_found_is_a_page_not_a_trace(page, staff):
    sign_in(page, staff["viewer"])
    response = page.goto("/cases/CT-1999-001")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    assert_accessible(page)
