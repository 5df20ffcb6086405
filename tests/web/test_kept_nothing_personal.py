"""Nothing a person typed, and nothing of a case, stays in the server's kept HTML after the
request that showed it (issue 22's caches; a data protection officer's condition).

The GOV.UK widgets' and components' HTML, and the case page's forms, are kept between
requests for speed (web/govuk_cache.py, web/kept_forms.py). What is kept must be the
service's own words only: a widget showing a field's value, a component showing records,
and a form posted back are made afresh, with nothing inside them kept. Each test below walks
a path that shows such words, then searches everything the application keeps."""

from __future__ import annotations

import re

from tests.factories import case_in_state
from tests.web.test_access import sign_in
from tests.web.test_apply import AS_VICTIM, fill
from tests.web.test_kept_forms import _everything_kept
from triggers.db import write_transaction

#: Words the public form's answers (tests.web.test_apply.AS_VICTIM) hold.
ANSWERS = ("Margaret Ellis", "Car tyres slashed", "Nobody called me back", "Eggs thrown")


def test_an_applicant_s_answers_shown_again_are_not_kept(app, client):
    fill(client)
    shown = [client.get(path).get_data(as_text=True) for path, _ in AS_VICTIM]
    shown.append(client.get("/apply/incidents/2").get_data(as_text=True))
    shown.append(client.get("/apply/check").get_data(as_text=True))
    for words in ANSWERS:
        assert any(words in page for page in shown), f"{words!r} was never shown"
    kept = _everything_kept(app)
    assert kept, "nothing is kept at all: the caches are off and this proves nothing"
    leaked = [text for text in kept for words in ANSWERS if words in text]
    assert not leaked, f"kept: {leaked[0][:160]!r}"


def test_a_step_form_posted_back_with_an_error_keeps_nothing_it_shows(
    app, client, world, sessions, partnership, policy
):
    with write_transaction(sessions) as session:
        reference = case_in_state(session, partnership, policy, "panel_scheduled").reference
    sign_in(client, world["users"]["manager"])
    page = client.get(f"/cases/{reference}").get_data(as_text=True)
    token = re.search(r'name="record_review-csrf_token"[^>]*value="([^"]+)"', page).group(1)
    typed = {
        "record_review-csrf_token": token,
        "record_review-findings": "Typed by Mrs Zebedee-Quill",  # no "attended": an error
        "record_review-recommendations-0-action": "Ring Mrs Zebedee-Quill weekly",
    }
    response = client.post(f"/cases/{reference}/events/record_review", data=typed)
    assert response.status_code == 400
    assert "Ring Mrs Zebedee-Quill weekly" in response.get_data(as_text=True)
    kept = _everything_kept(app)
    assert kept and not [text for text in kept if "Zebedee" in text]
