"""An outside review of issue 22's round: forms kept with holes, the API's reads on a read
session, a view appended alone (autocommitted on PostgreSQL)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, text, update

from tests.factories import SAMPLE_NOW, case_in_state
from tests.web.test_access import sign_in
from tests.web.test_api_token_use import read_cases
from tests.web.test_kept_forms import QUILL, _everything_kept
from triggers.db import read_session, write_transaction
from triggers.models import ApiToken, AuditEvent, User
from workflows.service import Actor, ViewedCase, record_view_after_reading


def _quill_case(sessions, partnership, policy) -> str:  # type: ignore[no-untyped-def]
    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, "panel_scheduled")
        case.victim.name, case.victim.address = QUILL["name"], QUILL["address"]
        case.victim.phone = QUILL["phone"]
        case.ward = QUILL["ward"]
        return case.reference


def test_a_correction_refused_for_its_reason_leaves_nothing_of_the_case_in_memory(
    app, client, world, sessions, partnership, policy
):
    """The correction form sends back every recorded value of the case (the browser posts
    the fields as shown). Refused (no reason given), the form is shown again as posted, made
    afresh: none of its widgets' calls may keep the victim's name, address, phone or ward in
    the process after the request (found by the outside review: they were kept by the GOV.UK
    widget cache, lru_cache of 4,096, every text up to 256 characters)."""
    reference = _quill_case(sessions, partnership, policy)
    sign_in(client, world["users"]["manager"])
    page = client.get(f"/cases/{reference}").get_data(as_text=True)
    assert not [t for t in _everything_kept(app) if "Quill" in t]  # shown: nothing kept
    token = re.search(r'name="correct-csrf_token"[^>]*value="([^"]+)"', page).group(1)
    posted = {
        "correct-csrf_token": token,
        "correct-victim__name": QUILL["name"],  # as shown, unchanged
        "correct-victim__address": QUILL["address"],
        "correct-victim__phone": QUILL["phone"],
        "correct-ward": QUILL["ward"],
        "correct-reason": "",  # forgotten: refused, the form shown again
    }
    refused = client.post(f"/cases/{reference}/corrections", data=posted)
    assert refused.status_code == 400
    assert "Quill" in refused.get_data(as_text=True)
    kept = [t for t in _everything_kept(app) if "Quill" in t]
    assert not kept, f"{len(kept)} kept texts hold the case's words, e.g. {kept[0][:120]!r}"


def test_a_revoked_token_a_deactivated_user_are_refused_at_once_within_the_five_minutes(
    app, manager_token, sessions
):
    """holds: a token's last use is only read within TOKEN_USE_RECORDED_EVERY, but validity
    (revoked, expired, user deactivated) is checked on every request."""
    read_cases(app, manager_token, SAMPLE_NOW)
    headers = {"Authorization": f"Bearer {manager_token}"}
    app.extensions["casereview"].clock = lambda: SAMPLE_NOW + timedelta(seconds=30)
    with write_transaction(sessions) as session:
        session.execute(update(User).values(is_active=False))
    assert app.test_client().get("/api/v1/cases", headers=headers).status_code == 401
    with write_transaction(sessions) as session:
        session.execute(update(User).values(is_active=True))
        session.execute(update(ApiToken).values(revoked_at=SAMPLE_NOW))
    assert app.test_client().get("/api/v1/cases", headers=headers).status_code == 401
    with write_transaction(sessions) as session:
        session.execute(
            update(ApiToken).values(revoked_at=None, expires_at=SAMPLE_NOW + timedelta(seconds=10))
        )
    assert app.test_client().get("/api/v1/cases", headers=headers).status_code == 401


def test_a_view_s_autocommit_does_not_stay_on_the_pooled_connection(
    world, sessions, partnership, policy
):
    """holds: after record_view_after_reading (PostgreSQL autocommit for its one statement),
    the next transactions on the pool's connections are transactions again: a write rolled
    back is not kept, and the chain of views stays verifiable."""
    from triggers.audit import verify_chain

    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, "received")
        viewed = ViewedCase.of(case)
        case_id = case.id
    actor = Actor(label="reviewer@example.org", role="manager")
    for _ in range(3):
        record_view_after_reading(sessions, viewed, actor, SAMPLE_NOW, "attack")
    for _ in range(3):  # whichever pooled connection comes next
        try:
            with write_transaction(sessions) as session:
                if session.get_bind().dialect.name == "postgresql":
                    level = session.connection().get_isolation_level()
                    assert level != "AUTOCOMMIT"
                session.execute(
                    text("UPDATE case_reviews SET ward = 'rolled back' WHERE id = :id"),
                    {"id": case_id},
                )
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
    with read_session(sessions) as session:
        assert (
            session.scalar(text("SELECT ward FROM case_reviews WHERE id = :id"), {"id": case_id})
            != "rolled back"
        )
        views = session.scalars(
            select(AuditEvent.id).where(AuditEvent.case_id == case_id, AuditEvent.event == "viewed")
        ).all()
        assert len(views) == 3
        assert verify_chain(session).intact


#: Values meant to confuse the holes: a placeholder's own characters, Jinja's and Python's
#: format markers, a lone carriage return, Welsh letters, leading and trailing spaces.
ODD = {
    "name": " \ue0000&h\ue001 ",
    "address": "\r",
    "phone": "  Ŵyn ŷ Llŷr  ",
    "ward": "{{ 7*7 }} %(x)s %s {0}",
    "postcode": "\ue001 \ue000",
}


def test_odd_words_fill_their_own_holes_as_made_afresh_on_each_case(
    app, client, world, sessions, partnership, policy
):
    """holds: a case with odd words, then a case with plain ones of the same shape: each
    page, kept or made afresh, is the same and shows only its own case's words."""
    from tests.web.test_kept_forms import _page

    with write_transaction(sessions) as session:
        odd = case_in_state(session, partnership, policy, "panel_scheduled")
        plain = case_in_state(session, partnership, policy, "panel_scheduled")
        for field in ("name", "address", "phone", "postcode"):
            setattr(odd.victim, field, ODD[field])
            setattr(plain.victim, field, "x")
        odd.ward, plain.ward = ODD["ward"], "x"
        references = odd.reference, plain.reference
    sign_in(client, world["users"]["manager"])
    pages = {}
    for reference in [*references, *references]:
        path = f"/cases/{reference}"
        made = [_page(app, client, path, kept) for kept in (False, True)]
        assert made[0] == made[1], reference
        pages.setdefault(reference, made[0])
    assert "{{ 7*7 }} %(x)s %s {0}" in pages[references[0]]
    assert "Ŵyn" not in pages[references[1]] and "7*7" not in pages[references[1]]
