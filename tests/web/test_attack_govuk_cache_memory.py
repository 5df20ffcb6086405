"""What the GOV.UK components' kept HTML (web/govuk_cache.py) holds after a request."""

from __future__ import annotations

import gc
import tracemalloc

from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from wtforms import Form, TextAreaField

#: What one form field may carry (Flask's MAX_FORM_MEMORY_SIZE, 500,000 bytes by default).
FIELD = 500_000
#: Requests in the test; a server keeps 4,096 entries of each kind.
REQUESTS = 20


class Story(Form):
    story = TextAreaField("What happened", widget=GovTextArea())


def test_what_one_person_typed_is_not_kept_in_memory_after_their_request(app):
    """demonstrates: web/govuk_cache.py keeps each widget's HTML and each macro's HTML in
    lru_caches bounded by COUNT (KEPT = 4096 each), not by size, keyed by everything the
    person typed. A page shown again with what was typed (a validation error, e.g. the
    public form's over-long answer) keeps the text twice or more (key, widget HTML, macro
    HTML), each up to MAX_FORM_MEMORY_SIZE or more once escaped ('<' is 4 bytes as '&lt;').
    Anyone can fill a worker's memory: 4,096 x ~2.5 MB = ~10 GB per kind per worker; and
    people's typed personal data (names, what happened) stay in the server's memory
    indefinitely after the request, outside any retention rule."""
    with app.test_request_context("/"):
        str(Story(data={"story": "warm"}).story())  # imports and first-use costs
        gc.collect()
        tracemalloc.start()
        before, _ = tracemalloc.get_traced_memory()
        for number in range(REQUESTS):
            typed = f"{number} " + "<" * (FIELD - 10)
            str(Story(data={"story": typed}).story())
            del typed
        gc.collect()
        after, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    kept = after - before
    # Nothing of the 20 people's text needs to outlive their requests: allow 1 MB of slack.
    assert kept < 1_000_000, f"{kept / 1e6:.1f} MB kept after {REQUESTS} requests"


def test_an_anonymous_person_cannot_grow_the_server_s_memory_through_the_public_form(app):
    """demonstrates: the same through the public form, signed out: one draft, then over-long
    answers to 'What happened' (refused, and shown again as typed) each leave their text
    in the kept widget and macro HTML (49 MB kept for 10 answers; 4 MB with the caches
    cleared before measuring). No rate limit applies past the first page."""
    from tests.web.test_apply import AS_VICTIM, answer, fill

    client = app.test_client()
    fill(client, AS_VICTIM[:5])
    fields = dict(AS_VICTIM[5][1])
    gc.collect()
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    for number in range(REQUESTS // 2):
        typed = f"{number} " + "<" * (FIELD - 2_000)
        refused = answer(client, "/apply/incidents/1", {**fields, "what_happened": typed})
        assert refused.status_code == 400
        del typed, refused
    gc.collect()
    after, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    kept = after - before
    assert kept < 8_000_000, f"{kept / 1e6:.1f} MB kept after {REQUESTS // 2} refused answers"
