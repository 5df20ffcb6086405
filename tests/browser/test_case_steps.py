"""A case walked through every step on its page, as the manager and the chair do it."""

from datetime import UTC, datetime

from playwright.sync_api import expect

from tests.browser.conftest import HASH, sign_in
from tests.browser.pages import assert_accessible, banner, fill_date, open_step
from tests.factories import case_in_state, new_case
from triggers.db import write_transaction
from triggers.models import User


def test_the_manager_takes_a_case_from_activation_to_closure(
    page, sessions, partnership, policy, staff
):
    now = datetime.now(UTC)
    today = policy.today(now)
    with write_transaction(sessions) as session:
        received = policy.calendar.subtract_working_days(today, 3)
        reference = new_case(session, partnership, policy, received_on=received, now=now).reference
    sign_in(page, staff["manager"])
    page.goto(f"/cases/{reference}")

    step = open_step(page, "Acknowledge the application")
    step.get_by_label("Single point of contact").fill("Sam Carter, Community Safety Officer")
    step.get_by_role("button", name="Acknowledge").click()
    assert "The case is now acknowledged" in banner(page), page.locator("main").inner_text()
    main = page.locator("main").inner_text()
    assert "Single point of contact\tSam Carter, Community Safety Officer" in main, main

    # A decision without a rationale: the error summary links to the field, nothing changes.
    step = open_step(page, "Decide the threshold")
    step.get_by_label("Met", exact=True).check()
    step.get_by_role("button", name="Record the decision").click()
    summary = page.locator(".govuk-error-summary")
    assert "Enter the rationale for the decision" in summary.inner_text()
    assert page.locator("details[open]").get_by_label("Met", exact=True).is_checked()
    assert_accessible(page)
    step = page.locator("details[open]")
    step.get_by_label("Rationale").fill(
        "Three incidents in two months; harm to a vulnerable "
        "victim; reports were not linked between agencies."
    )
    step.get_by_role("button", name="Record the decision").click()
    assert "The case is now threshold met" in banner(page)

    # The housing provider cannot come in time: the panel's limit moves by agreement.
    moved_to = policy.calendar.add_working_days(today, 35)
    step = open_step(page, "Extend or pause a deadline")
    step.get_by_label("Deadline").select_option("panel")
    step.get_by_label("Extension", exact=True).check()
    fill_date(page, "extend-due_on", moved_to)
    step.get_by_label("Why").fill("The housing provider cannot attend before then.")
    step.get_by_label("An agency").check()
    step.get_by_role("button", name="Move the deadline").click()
    assert "The deadline now falls on" in banner(page)
    deadlines = page.locator("table", has_text="Panel meeting").first.inner_text()
    assert "Extended by agreement from" in deadlines, deadlines
    assert_accessible(page)

    step = open_step(page, "Schedule the panel")
    fill_date(page, "schedule_panel-panel_on", today)
    step.get_by_label("Start time").fill("10:30")
    step.get_by_label("Where").fill("Council Offices, Room 2")
    step.get_by_role("button", name="Schedule the panel").click()
    assert "The case is now panel scheduled" in banner(page)

    step = open_step(page, "Record the review")
    step.get_by_label("Findings").fill("Incidents were recorded on three systems.")
    step.get_by_label("Yes").check()
    step.get_by_label("Inconsistent recording of ASB incidents").check()
    step.locator("#record_review-recommendations-0-agency").select_option("Leicestershire Police")
    step.locator("#record_review-recommendations-0-action").fill("Flag the address")
    fill_date(page, "record_review-recommendations-0-due_on", today.replace(year=today.year + 1))
    step.get_by_role("button", name="Record the review").click()
    assert "The case is now review complete" in banner(page)
    assert "Flag the address" in page.locator("table", has_text="Action").last.inner_text()

    open_step(page, "Send the findings").get_by_role(
        "button", name="Record that the findings were sent"
    ).click()
    assert "The case is now findings sent" in banner(page)

    # Closing now is refused: the appeal window is open and the recommendation is open.
    step = open_step(page, "Close the case")
    step.get_by_label("Why").fill("Action plan agreed; no appeal.")
    step.get_by_role("button", name="Close the case").click()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "appeal window is open until" in summary and "Flag the address" in summary, summary
    assert_accessible(page)
    page.goto(f"/cases/{reference}")
    step = open_step(page, "Update: Leicestershire Police, Flag the address")
    step.get_by_label("Done", exact=True).check()
    step.get_by_role("button", name="Update the recommendation").click()
    assert "The recommendation is updated." in banner(page)
    step = open_step(page, "Close the case")
    step.get_by_label("Why").fill("Action plan carried out; the applicant agreed to close now.")
    fill_date(page, "close-applicant_agreed_on", today)
    step.get_by_role("button", name="Close the case").click()
    assert "The case is now closed" in banner(page)
    assert "None: the case has ended." in page.content()
    timeline = page.locator(".app-timeline").inner_text()
    for moved in (
        "Acknowledge",
        "Decide threshold",
        "Schedule panel",
        "Record review",
        "Send findings",
        "Close",
    ):
        assert moved in timeline
    assert_accessible(page)


def test_the_chair_decides_an_appeal(page, sessions, partnership, policy, now):
    with write_transaction(sessions) as session:
        reference = case_in_state(session, partnership, policy, "appeal").reference
        session.add(
            User(
                partnership=session.merge(partnership),
                email="chair@example.org",
                password_hash=HASH,
                role="chair",
                is_active=True,
                created_at=now,
            )
        )
    sign_in(page, "chair@example.org")
    page.locator("#cases").get_by_role("link", name=reference).click()
    page.wait_for_url(f"**/cases/{reference}")  # the summaries read below are the case page's
    steps = [text for text in page.locator("summary").all_inner_texts() if _is_step(text)]
    assert steps == ["Decide the appeal"]  # the chair may only decide the appeal
    step = open_step(page, "Decide the appeal")
    step.get_by_label("Upheld: a fresh review").check()
    step.get_by_label("Reasons").fill("Police reports were not considered.")
    step.get_by_role("button", name="Record the outcome").click()
    assert "The case is now threshold met" in banner(page)


def test_a_stale_page_changes_nothing(page, sessions, partnership, policy, staff):
    now = datetime.now(UTC)
    with write_transaction(sessions) as session:
        received = policy.calendar.subtract_working_days(policy.today(now), 2)
        case = new_case(session, partnership, policy, received_on=received, now=now)
        reference = case.reference
    sign_in(page, staff["manager"])
    page.goto(f"/cases/{reference}")
    step = open_step(page, "Withdraw the case")
    step.get_by_label("Why").fill("The applicant asked to withdraw.")
    # Meanwhile someone else acknowledges the case.
    from tests.factories import MANAGER
    from workflows.service import apply

    with write_transaction(sessions) as session:
        from sqlalchemy import select

        from triggers.models import CaseReview

        other = session.scalar(select(CaseReview).where(CaseReview.reference == reference))
        apply(session, other, "acknowledge", {}, MANAGER, now, policy)
    step.get_by_role("button", name="Withdraw the case").click()
    assert "changed by someone else" in page.locator(".govuk-error-summary").inner_text()
    assert "Nothing was changed" in page.locator(".govuk-error-summary").inner_text()
    assert "Acknowledged" in page.get_by_role("heading", level=1).inner_text()


def test_an_agency_adds_its_contact_to_the_chronology(page, sessions, partnership, policy, now):
    from sqlalchemy import select

    from triggers.models import Agency

    with write_transaction(sessions) as session:
        reference = case_in_state(session, partnership, policy, "acknowledged").reference
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
    sign_in(page, "pc@example.org")
    page.locator("#cases").get_by_role("link", name=reference).click()
    page.wait_for_url(f"**/cases/{reference}")
    expect(page.locator("details summary", has_text="Decide the threshold")).to_have_count(0)
    page.locator("summary", has_text="Add an entry to the chronology").click()
    form = page.locator("details[open]")
    assert form.get_by_label("Agency").locator("option").all_inner_texts() == [
        "Leicestershire Police"
    ]
    form.get_by_role("button", name="Add to the chronology").click()
    assert "Enter the date of the contact" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    form = page.locator("details[open]")
    fill_date(page, "chronology-occurred_on", datetime(2025, 10, 2).date())
    form.get_by_label("What happened").fill("PCSO visited; advised to keep a diary.")
    form.get_by_role("button", name="Add to the chronology").click()
    assert "Added Leicestershire Police's contact" in banner(page)
    table = page.locator("table", has_text="What happened").first.inner_text()
    assert "Thursday 2 October 2025" in table and "PCSO visited" in table

    page.locator("summary", has_text="The process, and where this case is").click()
    current = page.locator("tr[aria-current=step]")
    assert "This case" in current.inner_text() and "Acknowledged" in current.inner_text()
    assert "decide threshold → Threshold met" in current.inner_text()


def test_a_decision_against_the_suggestion_needs_its_own_reason(
    page, sessions, partnership, policy, staff
):
    from tests.factories import one_incident

    now = datetime.now(UTC)
    today = policy.today(now)
    with write_transaction(sessions) as session:
        received = policy.calendar.subtract_working_days(today, 3)
        case = new_case(
            session,
            partnership,
            policy,
            received_on=received,
            now=now,
            incidents=one_incident(received),
        )
        from tests.factories import MANAGER
        from workflows.service import apply

        apply(session, case, "acknowledge", {}, MANAGER, now, policy)
        reference = case.reference
    sign_in(page, staff["manager"])
    page.goto(f"/cases/{reference}")
    step = open_step(page, "Decide the threshold")
    assert "The rules suggest: not met" in step.inner_text()
    step.get_by_label("Met", exact=True).check()
    step.get_by_label("Rationale").fill("Harm to a vulnerable victim outweighs the count.")
    step.get_by_role("button", name="Record the decision").click()
    assert "Explain why the decision differs" in page.locator(".govuk-error-summary").inner_text()
    step = page.locator("details[open]")
    step.get_by_label("Why decide against the rules' suggestion?").fill(
        "One complaint, but the victim is housebound and the abuse is daily."
    )
    step.get_by_role("button", name="Record the decision").click()
    assert "The case is now threshold met" in banner(page)
    assert "Against the suggestion: One complaint" in page.locator("main").inner_text()


def test_a_panel_member_records_the_review(page, sessions, partnership, policy, now):
    from sqlalchemy import select

    from triggers.models import Agency

    with write_transaction(sessions) as session:
        reference = case_in_state(session, partnership, policy, "panel_scheduled").reference
        council = session.scalar(select(Agency).where(Agency.name == "Charnwood Borough Council"))
        session.add(
            User(
                partnership=session.merge(partnership),
                email="panel@example.org",
                password_hash=HASH,
                role="panel",
                agency_id=council.id,
                is_active=True,
                created_at=now,
            )
        )
    sign_in(page, "panel@example.org")
    page.goto(f"/cases/{reference}")
    steps = [t for t in page.locator("summary").all_inner_texts() if _is_step(t)]
    assert steps == ["Record the review"]
    step = open_step(page, "Record the review")
    step.get_by_label("Findings").fill("Agencies did not share information.")
    step.get_by_label("No", exact=True).check()
    step.get_by_role("button", name="Record the review").click()
    assert "The case is now review complete" in banner(page)


def _is_step(summary: str) -> bool:
    """A summary of a step's form: not the process table, nor the documents and notes
    forms, which everyone who works the case has (tests/browser/test_documents.py)."""
    return "process" not in summary and not summary.startswith(("Upload a document", "Add a note"))
