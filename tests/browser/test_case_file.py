"""The case file in Chromium (issue 18): a panel member reads the whole application and takes
the panel pack; search by postcode finds the case, and a name the person may not see finds
nothing; the dashboard fits a phone. Each page checked by axe."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests.browser.conftest import HASH, sign_in
from tests.browser.pages import assert_accessible
from tests.factories import MANAGER, SAMPLE_NOW, application, complaint, incident
from triggers.db import write_transaction
from triggers.models import Agency, User
from workflows.service import apply, open_case


@pytest.fixture
def case_file(sessions, partnership, policy, staff, now):
    """A police case with the whole application, a housing-only case, and a panel member of
    the police."""
    with write_transaction(sessions) as session:
        data = application(
            date(2025, 11, 24),
            incidents=[
                incident(
                    date(2025, 9, 15),
                    complaint(date(2025, 9, 16), reporter="Priya Shah"),
                    description="Bin set on fire by the front door",
                ),
                incident(
                    date(2025, 10, 20),
                    complaint(date(2025, 10, 21), reporter="Priya Shah", to="council"),
                    description="Music until 3am and shouting",
                ),
            ],
            victim={
                "type": "individual",
                "name": "Priya Shah",
                "address": "14 Ashby Road\nLoughborough",
                "postcode": "LE11 2TX",
                "phone": "01509 634 567",
                "contact_preference": "phone",
                "accessibility_needs": "Needs a Gujarati interpreter",
            },
            dissatisfaction="Nobody called me back after the fire.",
            agencies=["Leicestershire Police", "Charnwood Borough Council"],
        )
        police_case = open_case(session, partnership, data, MANAGER, SAMPLE_NOW, policy)
        apply(session, police_case, "acknowledge", {}, MANAGER, SAMPLE_NOW, policy)
        hidden = application(date(2025, 11, 25), agencies=["Example Housing Association"])
        hidden["victim"]["name"] = "Hannah Whitlock"
        housing_case = open_case(session, partnership, hidden, MANAGER, SAMPLE_NOW, policy)
        police = session.scalar(select(Agency).where(Agency.name == "Leicestershire Police"))
        session.add(
            User(
                partnership_id=police.partnership_id,
                email="panel@example.org",
                password_hash=HASH,
                role="panel",
                is_active=True,
                created_at=now,
                agency_id=police.id,
            )
        )
        return {"case": police_case.reference, "hidden": housing_case.reference}


def test_the_panel_member_reads_the_application_and_takes_the_panel_pack(page, case_file):
    sign_in(page, "panel@example.org")
    page.goto(f"/cases/{case_file['case']}")
    application = page.locator("main")
    assert page.get_by_role("heading", name="The application").is_visible()
    text = application.inner_text()
    for fact in (
        "Nobody called me back after the fire.",
        "Bin set on fire by the front door",
        "Police on Tuesday 16 September 2025, by Priya Shah; their reference REF-1",
        "LE11 2TX",
        "01509 634 567",
        "Needs a Gujarati interpreter",
        "The victim applied for themselves",
    ):
        assert fact in text, fact
    assert text.index("Bin set on fire") < text.index("Music until 3am")
    assert_accessible(page)

    # Printed, the page is the case file: no header, search box, forms or buttons.
    page.emulate_media(media="print")
    assert page.get_by_role("heading", name="The application").is_visible()
    assert not page.locator("#app-search-q").is_visible()
    assert not page.locator(".govuk-template__header").is_visible()
    page.emulate_media(media="screen")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the panel pack").click()
    assert download.value.suggested_filename == f"panel-pack-{case_file['case']}.pdf"
    pdf = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    words = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert "Panel pack: " + case_file["case"] in words
    assert "Bin set on fire by the front door" in words


def test_search_by_postcode_finds_the_case_and_a_hidden_name_finds_nothing(page, case_file):
    sign_in(page, "panel@example.org")
    page.locator("#app-search-q").fill("le112tx")
    page.locator(".app-search").get_by_role("button", name="Search").click()
    page.wait_for_url("**/search?q=le112tx")
    results = page.locator("#results")
    assert "1 case found" in results.inner_text()
    assert results.locator("mark").first.inner_text() == "LE11 2TX"
    assert case_file["case"] in results.inner_text()
    assert_accessible(page)

    # The search page has its own box (the header's is left out there).
    page.locator("#search-page-q").fill("Hannah Whitlock")
    page.locator("main").get_by_role("button", name="Search").click()
    page.wait_for_url("**/search?q=Hannah+Whitlock")
    assert "0 cases found" in page.locator("#results").inner_text()
    assert case_file["hidden"] not in page.content()

    # Too short a search: the error, linked to the box, passes axe too.
    page.goto("/search?q=x")
    assert "Enter at least 2 characters" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Closed cases").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Closed cases"
    assert_accessible(page)


def test_the_dashboard_fits_a_phone_and_marks_a_late_row_once(page, case_file, staff):
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, staff["manager"])
    # The page itself never scrolls sideways: a wide table scrolls inside its own region.
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    late = page.locator("#cases .app-overdue-row").first
    widths = late.locator("td").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c).borderLeftWidth)"
    )
    assert widths[0] == "5px" and set(widths[1:]) == {"0px"}
    assert_accessible(page)
