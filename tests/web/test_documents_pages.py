"""Documents through the pages and the API: what the answers carry, and the refusals."""

import io

from sqlalchemy import func, select

from tests.web.conftest import PDF
from tests.web.test_access import csrf, sign_in
from triggers.db import read_session
from triggers.models import AuditEvent, Document


def test_a_download_is_an_attachment_of_the_type_found_and_audited(app, world, sessions):
    client = app.test_client()
    sign_in(client, world["users"]["agency-in"])
    answer = client.get(f"/cases/{world['case']}/documents/{world['document']}")
    assert answer.status_code == 200 and answer.data == PDF
    assert answer.headers["Content-Type"] == "application/pdf"
    assert answer.headers["Content-Disposition"].startswith('attachment; filename="chronology.pdf"')
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Cache-Control"] == "no-store"
    with read_session(sessions) as session:
        actors = session.scalars(
            select(AuditEvent.actor).where(AuditEvent.event == "download_document")
        ).all()
    assert actors == ["agency-in@example.org"]


def test_a_request_far_past_the_limit_is_refused_with_a_clear_message(app, world, sessions):
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    largest = app.extensions["casereview"].config.documents.largest_megabytes
    big = b"%PDF-1.4\n" + b"0" * ((largest + 2) * 1024 * 1024)
    # Written out by hand: the test client would spool a dict's file to a temporary file
    # that it never closes when the answer comes before the body is read.
    body = (
        (
            f'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{csrf(client)}\r\n'
            '--b\r\nContent-Disposition: form-data; name="document-file"; filename="huge.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + big
        + b"\r\n--b--\r\n"
    )
    answer = client.post(
        f"/cases/{world['case']}/documents",
        data=body,
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    page = answer.get_data(as_text=True)
    assert answer.status_code == 413
    assert f"must be smaller than {largest} MB" in page and "Traceback" not in page
    with read_session(sessions) as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 1  # the world's


def test_the_page_without_a_file_asks_for_one(app, world):
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    answer = client.post(
        f"/cases/{world['case']}/documents",
        data={"csrf_token": csrf(client), "document-title": "Minutes"},
    )
    assert answer.status_code == 422
    assert "Select a file to upload" in answer.get_data(as_text=True)


def test_the_api_refuses_a_program_named_pdf(client, world, tokens):
    answer = client.post(
        f"/api/v1/cases/{world['case']}/documents",
        data={"title": "Chronology", "file": (io.BytesIO(b"MZ" + b"\0" * 64), "x.pdf")},
        headers={"Authorization": f"Bearer {tokens['manager']}"},
    )
    assert answer.status_code == 422
    assert "must be a PDF" in answer.get_json()["error"]["fields"]["file"]


def test_a_part_without_a_readable_name_is_refused_not_a_server_error(client, world, tokens):
    body = (
        b'--b\r\nContent-Disposition: form-data; name="t\x00"\r\n\r\nx\r\n'
        b'--b\r\nContent-Disposition: form-data; name="title"\r\n\r\nMinutes\r\n--b--\r\n'
    )
    answer = client.post(
        f"/api/v1/cases/{world['case']}/documents",
        data=body,
        headers={
            "Authorization": f"Bearer {tokens['manager']}",
            "Content-Type": "multipart/form-data; boundary=b",
        },
    )
    assert answer.status_code in (400, 422), answer.get_data(as_text=True)
