"""Issue 18 through the pages: the manager confirms the police proposed for an online case at
acknowledgement (its chronology request goes, and the police officer now sees the case),
then corrects the victim's name and the date of receipt (the deadline moves, and the
correction shows the values before and after); each new form is checked by axe, with its
errors."""

from datetime import UTC, datetime

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import HASH, sign_in
from tests.browser.pages import assert_accessible, banner, fill_date, open_step
from tests.factories import MANAGER, application, complaint, incident
from triggers.calendar import english_date
from triggers.db import read_session, write_transaction
from triggers.models import Agency, AuditEvent, OutboxMessage, Partnership, User
from workflows.service import open_case


def test_the_manager_brings_in_the_police_and_corrects_the_case(
    browser, live_server, sessions, partnership, policy, now
):
    today = policy.today(datetime.now(UTC))
    received = policy.calendar.subtract_working_days(today, 2)
    earlier = policy.calendar.subtract_working_days(received, 1)
    happened = policy.calendar.subtract_working_days(received, 10)
    with write_transaction(sessions) as session:
        merged = session.merge(partnership)
        police = session.scalar(select(Agency).where(Agency.name == "Leicestershire Police"))
        for email, role, agency in (
            ("manager@example.org", "manager", None),
            ("officer@example.org", "agency", police),
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
        data = application(
            received,
            incidents=[incident(happened, complaint(happened, to="police"))],
            agencies=[],
            channel="online",
        )
        case = open_case(
            session,
            session.get_one(Partnership, merged.id),
            data,
            MANAGER,
            datetime.now(UTC),
            policy,
        )
        reference, police_id = case.reference, police.id

    def person(email: str):
        page = browser.new_context(base_url=live_server).new_page()
        sign_in(page, email)
        return page

    officer = person("officer@example.org")
    assert officer.goto(f"/cases/{reference}").status == 404

    manager = person("manager@example.org")
    manager.goto(f"/cases/{reference}")
    form = open_step(manager, "Acknowledge the application")
    expect(form.get_by_text("Proposed from the bodies the victim reported to")).to_be_visible()
    expect(form.get_by_label("Leicestershire Police")).to_be_checked()
    form.get_by_role("button", name="Acknowledge").click()
    assert "acknowledged" in banner(manager)
    with read_session(sessions) as session:
        requests = session.scalars(
            select(OutboxMessage.recipient).where(OutboxMessage.kind == "chronology_request")
        ).all()
    assert requests == [f"agency:{police_id}"]
    expect(manager.locator("#agencies + dl")).to_contain_text("Leicestershire Police")

    assert officer.goto(f"/cases/{reference}").status == 200
    expect(officer.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(officer.get_by_text("Correct a recorded fact")).to_have_count(0)

    # A correction without its reason: the error, on an accessible page.
    form = open_step(manager, "Correct a recorded fact")
    form.get_by_label("Victim's name").fill("Alex Morgen")
    form.get_by_role("button", name="Correct the case").click()
    expect(manager.locator(".govuk-error-summary")).to_contain_text(
        "Enter why the correction is needed"
    )
    assert_accessible(manager)

    form = manager.locator("details[open]")
    form.get_by_label("Victim's name").fill("Alex Morgen")
    fill_date(manager, "correct-received_on", earlier)
    form.get_by_label("Why the correction is needed").fill("Typed wrongly from the form.")
    form.get_by_role("button", name="Correct the case").click()
    new_due = policy.calendar.add_working_days(earlier, 5)
    old_due = policy.calendar.add_working_days(received, 5)
    # Wait for the page after the POST (all_inner_texts reads at once, whatever is shown).
    expect(
        manager.locator(".govuk-notification-banner", has_text="The case is corrected")
    ).to_have_count(1)
    notices = manager.locator(".govuk-notification-banner").all_inner_texts()
    assert any("The case is corrected" in text for text in notices)
    assert any(f"now due {english_date(new_due)}" in text for text in notices)
    corrections = manager.locator("#corrections + .govuk-inset-text")
    expect(corrections).to_contain_text("Victim name: Alex Morgan → Alex Morgen")
    expect(corrections).to_contain_text(f"due {english_date(old_due)} → {english_date(new_due)}")
    expect(corrections).to_contain_text("Why: Typed wrongly from the form.")
    with read_session(sessions) as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.event == "correct")).one()
        assert event.actor == "manager@example.org"
        assert {"fact": "victim.name", "before": "Alex Morgan", "after": "Alex Morgen"} in (
            event.data["changes"]
        )
    assert_accessible(manager)

    # The agency and incident forms with their errors are accessible too.
    form = open_step(manager, "Add an incident")
    form.get_by_role("button", name="Add another complaint").click()
    expect(manager.locator("details[open] legend", has_text="Complaint 2")).to_be_visible()
    manager.locator("details[open]").get_by_role("button", name="Add the incident").click()
    expect(manager.locator(".govuk-error-summary")).to_contain_text("Describe what happened")
    assert_accessible(manager)
    form = open_step(manager, "Add an agency")
    form.get_by_role("button", name="Add the agency").click()
    expect(manager.locator(".govuk-error-summary")).to_contain_text("Select the agency's role")
    assert_accessible(manager)
