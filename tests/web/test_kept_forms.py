"""The case page's unbound forms, kept by their fields (web/kept_forms.py): the same page as
made afresh, each case's own version and token, and nothing a person typed kept."""

import re

import pytest
from flask import Flask
from wtforms import Form, StringField

from tests.factories import case_in_state
from tests.web.test_access import sign_in
from tests.web.test_govuk_cache import _comparable
from triggers.db import write_transaction
from web.govuk_cache import LONGEST_KEPT_TEXT, Uncacheable
from web.kept_forms import KeptForms, form_key

#: States whose pages hold every kind of step form: the agencies offered to acknowledge,
#: the review's rows of recommendations, the action plan's forms, closing with a reason.
STATES = ("received", "threshold_met", "panel_scheduled", "review_complete", "appeal")


def _kept(app: Flask) -> KeptForms:
    return app.extensions["casereview_kept_forms"]


def _page(app: Flask, client, path: str, kept: bool) -> str:
    caches = app.jinja_env.casereview_caches
    app.jinja_env.casereview_caches = caches if kept else None
    try:
        response = client.get(path)
    finally:
        app.jinja_env.casereview_caches = caches
    assert response.status_code == 200
    return _comparable(response.get_data(as_text=True))


@pytest.mark.parametrize("state", STATES)
def test_a_case_page_s_forms_are_the_same_kept_and_made_afresh(
    app, client, world, sessions, partnership, policy, state
):
    with write_transaction(sessions) as session:
        reference = case_in_state(session, partnership, policy, state).reference
    sign_in(client, world["users"]["manager"])
    path = f"/cases/{reference}"
    made = [_page(app, client, path, kept) for kept in (False, True, True, False)]
    assert made[0] == made[1] == made[2] == made[3]
    assert '<details class="govuk-details" id="open-' in made[0]
    assert _kept(app)._kept  # the second and third were served from kept HTML


def test_two_cases_in_the_same_state_each_show_their_own_version_and_token(
    app, client, world, sessions, partnership, policy
):
    with write_transaction(sessions) as session:
        first = case_in_state(session, partnership, policy, "panel_scheduled")
        second = case_in_state(session, partnership, policy, "panel_scheduled")
        second.version += 3  # a case changed more often than the other
        versions = {first.reference: first.version, second.reference: second.version}
    sign_in(client, world["users"]["manager"])
    for reference in [*versions, *versions]:
        page = client.get(f"/cases/{reference}").get_data(as_text=True)
        shown = re.findall(r'name="record_review-version"[^>]*value="(\d+)"', page)
        assert shown == [str(versions[reference])]
        tokens = re.findall(r'name="[a-z_-]*csrf_token"[^>]*value="([^"]+)"', page)
        assert len(tokens) > 3 and len(set(tokens)) == 1  # this session's, in every form


def test_a_step_posted_with_an_error_is_shown_as_typed_and_never_kept(
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
    assert "Typed by Mrs Zebedee-Quill</textarea>" in response.get_data(as_text=True)
    assert not any("Zebedee" in html for html in _kept(app)._kept.values())
    again = client.get(f"/cases/{reference}").get_data(as_text=True)
    assert "Zebedee" not in again


class Name(Form):
    name = StringField("Name")


def test_a_posted_field_an_error_or_a_long_text_is_not_a_key(app):
    with app.test_request_context("/"):
        assert form_key(Name(data={"name": "Ann"})) != form_key(Name(data={"name": "Bob"}))
        assert form_key(Name()) == form_key(Name())
        with pytest.raises(Uncacheable):
            form_key(Name(formdata=_Posted(name=["Ann"])))
        with pytest.raises(Uncacheable):
            form_key(Name(data={"name": "x" * (LONGEST_KEPT_TEXT + 1)}))
        erred = Name()
        erred.name.errors = ["Enter a name"]
        with pytest.raises(Uncacheable):
            form_key(erred)


class _Posted(dict):
    """The little of a request's form WTForms reads."""

    def getlist(self, name: str) -> list[str]:
        return self[name]
