"""The victim's choices and the action plan: shared, answered, and progressed by an agency."""

from datetime import UTC, datetime

from sqlalchemy import select

from tests.browser.conftest import HASH, sign_in
from tests.browser.pages import assert_accessible
from tests.factories import MANAGER, new_case
from triggers.db import write_transaction
from triggers.models import Agency, OutboxMessage, User
from workflows.service import apply


def reviewed_case(sessions, partnership, policy, due_on: str) -> str:
    now = datetime.now(UTC)
    today = policy.today(now)
    received = policy.calendar.subtract_working_days(today, 15)
    with write_transaction(sessions) as session:
        case = new_case(session, partnership, policy, received_on=received, now=now)
        apply(session, case, "acknowledge", {}, MANAGER, now, policy)
        apply(
            session,
            case,
            "decide_threshold",
            {"decision": "met", "rationale": "Persistent harassment of a vulnerable victim."},
            MANAGER,
            now,
            policy,
        )
        apply(
            session, case, "schedule_panel", {"panel_on": today.isoformat()}, MANAGER, now, policy
        )
        apply(
            session,
            case,
            "record_review",
            {
                "findings": "Reports were not linked.",
                "victim_attended": True,
                "recommendations": [
                    {
                        "agency": "Leicestershire Police",
                        "action": "Flag the address",
                        "due_on": due_on,
                    }
                ],
            },
            MANAGER,
            now,
            policy,
        )
        return case.reference


def test_the_victim_is_consulted_and_the_agency_reports_progress(
    page, browser, live_server, sessions, partnership, policy, staff, now
):
    reference = reviewed_case(
        sessions, partnership, policy, policy.today(datetime.now(UTC)).isoformat()
    )
    sign_in(page, staff["manager"])
    page.goto(f"/cases/{reference}")

    page.locator("summary", has_text="Record the victim's choices").click()
    form = page.locator("details[open]")
    form.get_by_label("Consulted at each step").check()
    form.get_by_label("Online").check()
    form.get_by_role("button", name="Save the victim's choices").click()
    assert (
        "Consulted at each step; panel: online"
        in page.locator(".govuk-summary-card").first.inner_text()
    )

    page.locator("summary", has_text="Share the draft action plan with the victim").click()
    page.locator("details[open]").get_by_role(
        "button", name="Share the draft action plan with the victim"
    ).click()
    assert (
        "will go to the victim for comment"
        in page.locator(".govuk-notification-banner").inner_text()
    )
    page.locator("summary", has_text="Record the victim's response").click()
    page.locator("details[open]").get_by_role("button", name="Record the victim's response").click()
    assert "Enter the victim's response" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    form = page.locator("details[open]")
    form.get_by_label("The victim's response").fill("Agrees; asks for a named officer.")
    form.get_by_role("button", name="Record the victim's response").click()
    page.locator(".govuk-notification-banner").wait_for()  # the page after the form posted
    assert "Their response" in page.content() and "asks for a named officer" in page.content()
    with write_transaction(sessions) as session:
        assert session.scalars(
            select(OutboxMessage.kind).where(OutboxMessage.kind == "action_plan_draft")
        ).all() == ["action_plan_draft"]

    # The police officer responds and reports progress on the police's recommendation.
    with write_transaction(sessions) as session:
        police = session.scalar(select(Agency).where(Agency.name == "Leicestershire Police"))
        session.add(
            User(
                partnership=session.merge(partnership),
                email="pc@example.org",
                password_hash=HASH,
                role="agency",
                agency_id=police.id,
                is_active=True,
                created_at=now,
            )
        )
    context = browser.new_context(base_url=live_server)
    officer = context.new_page()
    sign_in(officer, "pc@example.org")
    officer.goto(f"/cases/{reference}")
    officer.locator("summary", has_text="Update: Leicestershire Police").click()
    form = officer.locator("details[open]")
    form.get_by_label("In progress").check()
    form.get_by_label("The agency's response").fill("Accepted.")
    form.get_by_label("Progress so far").fill("Flag requested on the address.")
    form.get_by_role("button", name="Update the recommendation").click()
    plan = officer.locator("table", has_text="Progress").first.inner_text()
    assert "In progress" in plan and "Flag requested on the address." in plan
    context.close()


def test_the_manager_sees_a_late_recommendation(page, sessions, partnership, policy, staff):
    reference = reviewed_case(
        sessions, partnership, policy, policy.today(datetime.now(UTC)).isoformat()
    )
    with write_transaction(sessions) as session:
        from triggers.models import Recommendation

        rec = session.scalars(select(Recommendation)).one()
        rec.due_on = policy.calendar.subtract_working_days(rec.due_on, 3)
    sign_in(page, staff["manager"])
    page.goto(f"/cases/{reference}")
    row = page.locator("table", has_text="Progress").first.locator("tbody tr").first
    assert "Late" in row.inner_text() and "Not started" in row.inner_text()


def test_the_plan_forms_with_their_errors_are_accessible(
    page, sessions, partnership, policy, staff
):
    reference = reviewed_case(
        sessions, partnership, policy, policy.today(datetime.now(UTC)).isoformat()
    )
    sign_in(page, staff["manager"])
    for title, button, message in (
        (
            "Record the victim's choices",
            "Save the victim's choices",
            "Select how involved the victim wants to be",
        ),
        ("Update: Leicestershire Police", "Update the recommendation", None),
    ):
        page.goto(f"/cases/{reference}")
        page.locator("summary", has_text=title).click()
        form = page.locator("details[open]")
        if message is None:  # the status is preset: make the text too long instead
            form.get_by_label("Progress so far").fill("x" * 10_001)
            message = "Field cannot be longer than 10000 characters"
        form.get_by_role("button", name=button).click()
        assert message in page.locator(".govuk-error-summary").inner_text()
        assert_accessible(page)
