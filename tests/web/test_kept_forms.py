"""The case page's unbound forms, kept by their fields (web/kept_forms.py): the same page as
made afresh, each case's own version and token, and nothing a person typed kept."""

import re

import pytest
from flask import Flask
from markupsafe import escape
from wtforms import Form, SelectChoice, SelectField, StringField
from wtforms.widgets import HiddenInput

from tests.factories import MANAGER, SAMPLE_NOW, case_in_state
from tests.web.test_access import sign_in
from tests.web.test_govuk_cache import _comparable
from triggers.db import write_transaction
from web.govuk_cache import LONGEST_KEPT_TEXT, Uncacheable
from web.kept_forms import FormToMake, KeptForms, form_key, hidden_inputs, kept_fields
from web.step_forms import make_form
from workflows.case_review import process_for

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


#: Words of one case, as awkward as people's are: markup, quotes, ampersands, line breaks of
#: several kinds, a text longer than a kept one may be. Each holds "Quill".
QUILL = {
    "name": 'Zebedee "Quill" <b>& Co',
    "address": "1 Quill Lane\nQuillford\r\nQF1 1QQ\n",
    "phone": "07700 900 Quill",
    "accessibility_needs": "Large print & Quill's hearing loop; " + "more " * 60,
    "ward": "Quill's <ward>",
    "description": "Quill\u2028threw <stones>\nat night & day",
    "reporter": "Mr O'Quill",
    "rationale": "Quill: persistent & targeted",
    "note": "Rang Mrs Quill\n\n  about the <noise>",
    "with_whom": "Mrs Quill",
}


def _everything_kept(app: Flask) -> list[str]:
    """Every text the application keeps between requests: the kept forms, and the GOV.UK
    widgets' and macros' kept calls (their keys and their HTML)."""
    import gc

    caches = app.jinja_env.casereview_caches
    found: list[str] = []
    seen: set[int] = set()

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict) and id(value) not in seen:
            seen.add(id(value))
            for item in value.items():
                walk(item)
        elif isinstance(value, (list, tuple, set, frozenset)) and id(value) not in seen:
            seen.add(id(value))
            for item in value:
                walk(item)

    forms = app.extensions.get("casereview_kept_forms")  # none yet: no case page shown
    walk(dict(forms._kept) if forms is not None else {})
    for kept_calls in (caches.widget, caches.macro):
        walk(gc.get_referents(kept_calls))  # an lru_cache's own dict of calls
    return found


def test_a_case_s_own_words_are_shown_as_made_afresh_and_never_kept(
    app, client, world, sessions, partnership, policy
):
    """The correction form shows the recorded values, the complaint form the incidents, a
    note's form its text: their pages are made from kept shapes with holes, the same HTML
    as made afresh, and nothing of the case stays in the server after the request."""
    from workflows.documents import add_note

    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, "panel_scheduled")
        victim = case.victim
        victim.name, victim.address = QUILL["name"], QUILL["address"]
        victim.phone, victim.accessibility_needs = QUILL["phone"], QUILL["accessibility_needs"]
        case.ward = QUILL["ward"]
        case.incidents[0].description = QUILL["description"]
        case.incidents[0].complaints[0].reporter = QUILL["reporter"]
        case.threshold_decisions[-1].rationale = QUILL["rationale"]
        note = {"kind": "call", "occurred_on": "2025-11-28", "with_whom": QUILL["with_whom"]}
        add_note(session, case, {**note, "text": QUILL["note"]}, MANAGER, SAMPLE_NOW, policy)
        reference = case.reference
    sign_in(client, world["users"]["manager"])
    path = f"/cases/{reference}"
    made = [_page(app, client, path, kept) for kept in (False, True, True, False)]
    assert made[0] == made[1] == made[2] == made[3]
    for words in QUILL.values():
        assert str(escape(words)) in made[1], words
    assert 'name="correct-victim__name" type="text" value="Zebedee' in made[1]
    kept = _everything_kept(app)
    assert kept  # the forms' shapes and the widgets were kept
    assert not [text for text in kept if "Quill" in text]


@pytest.mark.parametrize(
    "shown",
    [
        lambda value: escape(value.strip()),  # trimmed
        lambda value: value,  # not escaped
        lambda value: escape(value.upper()),
        lambda value: escape(value.replace("\n", "\n  ")),  # indented
    ],
)
def test_a_block_that_changes_a_value_has_it_made_afresh_not_filled_in(app, shown):
    """A kept shape is filled with each value escaped as Jinja escapes it; a block that
    shows a value otherwise would be filled wrongly, so it is made afresh every time."""
    with app.test_request_context("/"):
        form = Name(data={"name": " Ann\n& Bob "})

        def caller() -> str:
            return f"<p>{shown(form.name.data)}</p>"

        assert kept_fields(form, "test", caller=caller, holes=True) == caller()
        assert kept_fields(form, "test", caller=caller, holes=True) == caller()
        assert not _kept(app)._kept
        assert (
            kept_fields(
                form, "plain", caller=lambda: f"<p>{escape(form.name.data)}</p>", holes=True
            )
            == "<p> Ann\n&amp; Bob </p>"
        )
        assert len(_kept(app)._kept) == 1


#: The case page's forms that are the same for every case at the same point (a step's, the
#: agencies', a new incident's, the action plan's, the chronology's, a new document's or
#: note's) or differ only by the case's words in their holes (a complaint's incidents, the
#: correction form's recorded values): kept by their recipe, never built to be shown.
BY_RECIPE = {
    "RecordReviewForm",
    "AddAgencyForm",
    "RemoveAgencyForm",
    "AddIncidentForm",
    "InvolvementForm",
    "ExtendForm",
    "ChronologyForm",
    "DocumentForm",
    "NoteForm",
    "AddComplaintForm",
    "CorrectionForm",
}


def test_a_page_whose_forms_are_kept_by_their_recipe_builds_none_of_them(
    app, client, world, sessions, partnership, policy, monkeypatch
):
    """The second view of a case, and the first view of another case at the same step,
    build none of the forms kept by their recipe: not one WTForms form."""
    made: list[str] = []
    real = Form.__init__

    def counted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        made.append(type(self).__name__)
        real(self, *args, **kwargs)

    monkeypatch.setattr(Form, "__init__", counted)
    with write_transaction(sessions) as session:
        first = case_in_state(session, partnership, policy, "panel_scheduled").reference
        second = case_in_state(session, partnership, policy, "panel_scheduled").reference
    sign_in(client, world["users"]["manager"])
    assert client.get(f"/cases/{first}").status_code == 200
    assert set(made) >= BY_RECIPE  # the first view makes them, to keep their fields
    made.clear()
    for reference in (first, second):
        page = client.get(f"/cases/{reference}").get_data(as_text=True)
        for shown in ('id="open-record_review"', 'name="agency-agency"', 'name="unagency-agency"'):
            assert shown in page
        assert 'name="incident-what_happened"' in page
    assert made == []  # not one form built


def test_an_unmade_step_form_s_hidden_inputs_are_written_as_wtforms_writes_them(
    app, client, world, sessions, partnership, policy
):
    """A step kept unmade has its CSRF token and version written by hand: the same as
    WTForms writes them once the form is made; ``?open=STEP`` still opens it."""
    with write_transaction(sessions) as session:
        case = case_in_state(session, partnership, policy, "panel_scheduled")
        reference, version = case.reference, case.version
    sign_in(client, world["users"]["manager"])
    page = client.get(f"/cases/{reference}?open=record_review").get_data(as_text=True)
    assert '<details class="govuk-details" id="open-record_review" open>' in page
    with app.test_request_context():
        process = process_for(1)
        unmade = FormToMake(
            "recipe",
            lambda: make_form(
                "record_review", app.extensions["casereview"].config, ["A"], version, None, process
            ),
            prefix="record_review",
        )
        by_hand = hidden_inputs(unmade, version)
        assert not unmade.is_made
        by_wtforms = hidden_inputs(unmade.form, version)
        assert by_hand == by_wtforms
        assert f'name="record_review-version" type="hidden" value="{version}"' in by_hand


def test_two_cases_with_as_many_incidents_each_offer_their_own_in_the_complaint_form(
    app, client, world, sessions, partnership, policy
):
    descriptions = {}
    with write_transaction(sessions) as session:
        for words in ("Bins set alight by Mr Ashdown-Pike", "Graffiti on Mrs Odogwu's door"):
            case = case_in_state(session, partnership, policy, "panel_scheduled")
            case.incidents[0].description = words
            descriptions[case.reference] = words
    sign_in(client, world["users"]["manager"])
    for reference in [*descriptions, *descriptions]:
        page = client.get(f"/cases/{reference}").get_data(as_text=True)
        offered = re.search(r'<select[^>]*name="complaint-incident".*?</select>', page, re.S)
        assert offered is not None
        for other, words in descriptions.items():
            assert (str(escape(words)) in offered.group(0)) == (other == reference)
    assert not [html for html in _everything_kept(app) if "Ashdown" in html or "Odogwu" in html]


def test_a_form_to_make_whose_words_are_not_the_shapes_is_shown_and_not_kept(app):
    """The words a recipe names are checked against the form once it is made: in another
    order (or other words), the form is shown as made, and nothing is kept."""

    class Offered(Form):
        pick = SelectField(choices=[SelectChoice("1", "First"), SelectChoice("2", "Second")])

    with app.test_request_context("/"):
        for words, kept in ((["First", "Second"], True), (["Second", "First"], False)):
            app.extensions.pop("casereview_kept_forms", None)
            to_make = FormToMake(("offered", 2), Offered, "", words=words)
            html = kept_fields(to_make, "test", caller=lambda f=to_make: str(f.form.pick()))
            assert "First" in html and "Second" in html
            assert bool(_kept(app)._kept) == kept


@pytest.mark.parametrize(
    "differ",
    [
        lambda case, first: setattr(case.victim, "is_vulnerable", first),  # a flag's answer
        lambda case, first: setattr(case.victim, "phone", "" if first else "07700 900123"),
    ],
)
def test_two_cases_whose_facts_differ_only_in_what_is_ticked_or_empty_each_show_their_own(
    app, client, world, sessions, partnership, policy, differ
):
    """The correction form's recipe holds what its fields' shape shows besides the words:
    a flag's answer, a text given or not. Two cases alike but for one of those
    show each its own, the same as made afresh."""
    with write_transaction(sessions) as session:
        alike = [case_in_state(session, partnership, policy, "panel_scheduled") for _ in "ab"]
        for case, first in zip(alike, (True, False), strict=True):
            differ(case, first)
        references = [case.reference for case in alike]
    sign_in(client, world["users"]["manager"])
    for reference in [*references, *references]:
        kept, afresh = (_page(app, client, f"/cases/{reference}", kept) for kept in (True, False))
        assert kept == afresh


@pytest.mark.parametrize("prefix", ["", "note", "rec_", "a-", "b.", "c:"])
@pytest.mark.parametrize("field_name", ["csrf_token", "token"])
def test_hand_written_hidden_inputs_follow_wtforms_prefixes_and_the_token_s_name(
    app, prefix, field_name
):
    from flask_wtf import FlaskForm

    class Shown(FlaskForm):
        version = StringField(widget=HiddenInput())

    app.config["WTF_CSRF_FIELD_NAME"] = field_name
    try:
        with app.test_request_context("/"):
            unmade = FormToMake(
                ("shown", prefix), lambda: Shown(prefix=prefix, version="7"), prefix
            )
            by_hand = hidden_inputs(unmade, 7)
            assert not unmade.is_made
            assert by_hand == hidden_inputs(unmade.form, 7)
            assert f'name="{Shown(prefix=prefix)._prefix}{field_name}"' in by_hand
    finally:
        app.config.pop("WTF_CSRF_FIELD_NAME")
