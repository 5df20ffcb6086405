"""The case file: the whole application on the case page, and the panel pack PDF."""

import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests.factories import MANAGER, SAMPLE_NOW, application, complaint, incident
from tests.web.test_access import sign_in
from triggers.db import read_session, write_transaction
from triggers.models import AuditEvent, CaseReview
from workflows.service import apply, open_case


@pytest.fixture
def full_case(world, sessions, partnership, policy):
    """An application with every part filled in, acknowledged, its incidents out of order."""
    received = date(2025, 11, 24)
    data = application(
        received,
        incidents=[
            incident(
                date(2025, 10, 20),
                complaint(date(2025, 10, 21), reporter="Priya Shah", to="council"),
                description="Music until 3am\nand shouting in the street",
            ),
            incident(
                date(2025, 9, 15),
                complaint(date(2025, 9, 16), reporter="Priya Shah"),
                description="Bin set on fire by the front door",
                hate=True,
            ),
        ],
        victim={
            "type": "individual",
            "name": "Priya Shah",
            "address": "14 Ashby Road\nLoughborough",
            "postcode": "LE11 2TX",
            "phone": "01509 634 567",
            "email": "priya.shah@example.net",
            "contact_preference": "phone",
            "accessibility_needs": "Needs a Gujarati interpreter",
            "language": "Gujarati",
        },
        applicant={
            "on_behalf": True,
            "name": "Sam Carter",
            "relationship": "Neighbour",
            "consent_given_on": "2025-11-21",
            "email": "sam.carter@example.net",
            "address": "16 Ashby Road",
        },
        dissatisfaction="Nobody called me back after the fire.",
        agencies=["Leicestershire Police", "Charnwood Borough Council"],
    )
    with write_transaction(sessions) as session:
        case = open_case(session, partnership, data, MANAGER, SAMPLE_NOW, policy)
        apply(session, case, "acknowledge", {}, MANAGER, SAMPLE_NOW, policy)
        return case.reference


def test_the_panel_member_reads_the_whole_application_on_the_case_page(client, full_case):
    sign_in(client, "panel-in@example.org")
    page = client.get(f"/cases/{full_case}").get_data(as_text=True)
    application = page[page.index('id="application"') :]
    for fact in (
        "Nobody called me back after the fire.",
        "Music until 3am<br>and shouting in the street",
        "Bin set on fire by the front door",
        "14 Ashby Road<br>Loughborough",
        "LE11 2TX",
        "01509 634 567",
        "priya.shah@example.net",
        "Needs a Gujarati interpreter",
        "Gujarati",
        "Sam Carter",
        "Neighbour",
        "Given on Friday 21 November 2025",
        "16 Ashby Road",
        "sam.carter@example.net",
        "their reference REF-1",
        "by Priya Shah",
        "Leicestershire Police",
    ):
        assert fact in application, fact
    # Incidents in the order they happened, whatever order they were entered in.
    assert application.index("Bin set on fire") < application.index("Music until 3am")
    assert "Incident 1: Monday 15 September 2025" in application


def test_the_case_page_shows_the_documents_once(client, full_case):
    """The documents and notes (web/templates/case/_documents.html) are on the case file."""
    from pathlib import Path

    template = Path(__file__).parents[2] / "web" / "templates" / "case.html"
    assert template.read_text().count('"case/_documents.html"') == 1


def test_the_panel_pack_is_a_pdf_of_the_case_file(client, full_case, sessions):
    sign_in(client, "panel-in@example.org")
    response = client.get(f"/cases/{full_case}/panel-pack.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert f"panel-pack-{full_case}.pdf" in response.headers["Content-Disposition"]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    text = " ".join(text.split())
    for part in (
        "1. Summary",
        "2. The application",
        "3. Chronology by agency",
        "4. Documents",
        "No documents on the case.",
        "5. Decisions so far",
        "Nobody called me back after the fire.",
        "Bin set on fire by the front door",
        "Sam Carter",
    ):
        assert part in text, part
    with read_session(sessions) as session:
        views = session.scalars(
            select(AuditEvent.data).where(
                AuditEvent.event == "viewed", AuditEvent.actor.like("panel-in%")
            )
        ).all()
    assert {"what": "panel pack"} in views


def test_the_panel_pack_of_a_case_the_person_may_not_see_is_not_found(client, full_case):
    sign_in(client, "panel-out@example.org")
    assert client.get(f"/cases/{full_case}/panel-pack.pdf").status_code == 404


def test_the_panel_pack_lists_the_documents_and_the_notes(
    client, full_case, sessions, policy, tmp_path
):
    """The pack's documents section is the case's documents (not the files: each download
    is recorded on the case page) and its notes and contact log."""
    from workflows.documents import add_document, add_note

    with write_transaction(sessions) as session:
        case = session.scalar(select(CaseReview).where(CaseReview.reference == full_case))
        add_document(
            session,
            case,
            {"title": "Police chronology", "agency": "Leicestershire Police"},
            "chronology.pdf",
            b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
            MANAGER,
            SAMPLE_NOW,
            policy,
        )
        add_note(
            session,
            case,
            {
                "kind": "call",
                "occurred_on": "2025-11-28",
                "with_whom": "the victim",
                "text": "The noise went on until 3am.",
            },
            MANAGER,
            SAMPLE_NOW,
            policy,
        )
    sign_in(client, "panel-in@example.org")
    response = client.get(f"/cases/{full_case}/panel-pack.pdf")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    text = " ".join(text.split())
    assert "No documents on the case." not in text
    for part in ("Police chronology", "chronology.pdf", "Leicestershire Police", "until 3am"):
        assert part in text, part
