"""The Letters page: the partnership's wording, previewed with a real case, versioned, and a
broken template refused with its line."""

from sqlalchemy import select

from tests.factories import SAMPLE_NOW
from tests.web.test_access import csrf, sign_in
from triggers.db import read_session
from triggers.models import CaseReview, LetterTemplate, OutboxMessage
from workflows.case_review import CASE_REVIEW

GOOD = """Subject: The panel's findings for {{ reference }}
Dear {{ recipient_name }},

Our own wording: the panel has met about case {{ reference }}.
"""


def post(client, data):
    return client.post("/letters/findings", data={"csrf_token": csrf(client, "/letters"), **data})


def test_a_broken_template_is_refused_with_its_line_and_never_saved(app, world, sessions):
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    syntax = GOOD + "{% if reference %}\nNo end.\n"
    response = post(client, {"text": syntax, "case": world["case"], "save": "Save"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Line 5: Unexpected end of template" in page
    assert "endif" in page
    misspelt = GOOD.replace("{{ recipient_name }}", "{{ recipient_nmae }}")
    page = post(client, {"text": misspelt, "case": world["case"], "save": "Save"}).get_data(
        as_text=True
    )
    assert "Line 2" in page and "recipient_nmae" in page and "is undefined" in page
    no_subject = post(client, {"text": "Dear you\n", "save": "Save"}).get_data(as_text=True)
    assert "must start with a &#39;Subject:&#39; line" in no_subject
    with read_session(sessions) as session:
        assert session.scalars(select(LetterTemplate)).all() == []


def test_a_preview_with_a_real_case_then_a_saved_version_the_letters_use(
    app, world, sessions, config
):
    from notifications.compose import compose

    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    assert "As shipped" in client.get("/letters").get_data(as_text=True)
    page = post(client, {"text": GOOD, "case": world["case"], "preview": "Preview"}).get_data(
        as_text=True
    )
    assert f"Our own wording: the panel has met about case {world['case']}." in page
    assert "Dear Alex Morgan" in page
    with read_session(sessions) as session:
        assert session.scalars(select(LetterTemplate)).all() == []  # a preview saves nothing
    saved = post(client, {"text": GOOD, "case": world["case"], "save": "Save"})
    assert saved.status_code == 302
    post(client, {"text": GOOD.replace("Our own", "Our second"), "save": "Save"})
    assert "version 2" in client.get("/letters").get_data(as_text=True)
    with read_session(sessions) as session:
        assert [t.version for t in session.scalars(select(LetterTemplate))] == [1, 2]
        case_id = session.scalar(select(CaseReview.id).where(CaseReview.reference == world["case"]))
        row = session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.case_id == case_id, OutboxMessage.kind == "findings"
            )
        )
        letter = compose(session, row, config, SAMPLE_NOW.date(), CASE_REVIEW)
    assert "Our second wording" in letter.body


def test_only_a_manager_changes_the_wording(app, world):
    client = app.test_client()
    sign_in(client, world["users"]["viewer"])
    assert client.get("/letters").status_code == 403
    assert client.get("/letters/findings").status_code == 403
    manager = app.test_client()
    sign_in(manager, world["users"]["manager"])
    assert manager.get("/letters/password_reset").status_code == 404


def test_the_page_says_its_wording_is_of_the_english_letter(app, world):
    """Issue 21: the Welsh letter is not changed here; the page says where it is."""
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    findings = client.get("/letters/findings").get_data(as_text=True)
    assert "This is the English letter" in findings and "cy/findings.txt" in findings
    # A letter only agencies get has no Welsh version, and no such note.
    requests = client.get("/letters/chronology_request").get_data(as_text=True)
    assert "This is the English letter" not in requests
