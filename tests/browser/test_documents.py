"""Documents and notes through the pages: the manager uploads the police chronology and
notes a call with the victim; the police officer downloads the chronology, and the download
is on the case's audit trail. A file too large, of a wrong kind or empty is refused on the
form, and nothing is stored. axe checks the section, with and without its errors."""

from datetime import UTC, datetime

from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.browser.conftest import HASH, sign_in
from tests.browser.pages import assert_accessible, banner, fill_date, open_step
from tests.factories import MANAGER, application
from triggers.db import read_session, write_transaction
from triggers.models import Agency, AuditEvent, Document, Note, User
from workflows.service import open_case

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def test_the_manager_uploads_and_notes_and_the_police_officer_downloads(
    browser, live_server, sessions, partnership, policy, config, tmp_path, now
):
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
        reference = open_case(session, merged, application(), MANAGER, now, policy).reference
    largest = config.documents.largest_megabytes
    files = {
        "too-large.pdf": b"%PDF-1.4\n" + b"0" * (largest * 1024 * 1024),
        "program.pdf": b"MZ" + b"\0" * 500,
        "empty.pdf": b"",
        "chronology.pdf": PDF,
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)

    def person(email: str):
        page = browser.new_context(base_url=live_server, accept_downloads=True).new_page()
        sign_in(page, email)
        page.goto(f"/cases/{reference}")
        return page

    manager = person("manager@example.org")
    expect(manager.get_by_text("No documents yet.")).to_be_visible()
    for name, problem in (
        ("too-large.pdf", f"must be smaller than {largest} MB"),
        ("program.pdf", "must be a PDF, a Word document"),
        ("empty.pdf", "The selected file is empty"),
    ):
        # Sent back with its errors, the form is open already.
        form = manager.locator("details[open]")
        if not form.count():
            form = open_step(manager, "Upload a document")
        form.get_by_label("Title").fill("Police chronology")
        form.get_by_label("Which agency it came from").select_option("Leicestershire Police")
        form.get_by_label("The file").set_input_files(tmp_path / name)
        form.get_by_role("button", name="Upload the document").click()
        expect(manager.locator(".govuk-error-summary")).to_contain_text(problem)
        assert_accessible(manager)
    with read_session(sessions) as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 0

    form = manager.locator("details[open]")
    form.get_by_label("Title").fill("Police chronology to 30 November")
    form.get_by_label("Which agency it came from").select_option("Leicestershire Police")
    form.get_by_label("The file").set_input_files(tmp_path / "chronology.pdf")
    form.get_by_role("button", name="Upload the document").click()
    assert "Uploaded Police chronology to 30 November" in banner(manager)

    form = open_step(manager, "Add a note or a contact")
    form.get_by_label("Phone call").check()
    fill_date(manager, "note-occurred_on", policy.today(datetime.now(UTC)))
    form.get_by_label("Who with").fill("the victim")
    form.get_by_label("What was said or done").fill("The noise went on until 3am again.")
    form.get_by_role("button", name="Add the note").click()
    assert "Added the phone call" in banner(manager)
    expect(manager.locator(".app-note-text")).to_have_text("The noise went on until 3am again.")
    assert_accessible(manager)

    officer = person("officer@example.org")
    with officer.expect_download() as download:
        officer.get_by_role("link", name="Police chronology to 30 November").click()
    assert download.value.suggested_filename == "chronology.pdf"
    with open(download.value.path(), "rb") as handle:
        assert handle.read() == PDF
    expect(officer.locator(".app-note-text")).to_have_text("The noise went on until 3am again.")
    assert_accessible(officer)
    with read_session(sessions) as session:
        downloads = session.scalars(
            select(AuditEvent.actor).where(AuditEvent.event == "download_document")
        ).all()
        notes = session.scalars(select(Note.kind)).all()
    assert downloads == ["officer@example.org"] and notes == ["call"]
