"""The GOV.UK components' kept HTML (web/govuk_cache.py): the same HTML as made afresh, for
every kind of parameter, and never one request's data in another's answer."""

import re
from datetime import date

import pytest
from flask_babel.speaklater import LazyString
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from markupsafe import Markup
from wtforms import (
    DateField,
    Form,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)

from tests.web.test_access import sign_in
from web.govuk_cache import Uncacheable, frozen, thawed


class Everything(Form):
    name = StringField("Name", widget=GovTextInput(), description="As on the letter")
    story = TextAreaField("What happened", widget=GovTextArea())
    on = DateField("Date", widget=GovDateInput(), format="%d %m %Y")
    choice = RadioField(
        "Choice",
        widget=GovRadioInput(),
        choices=[SelectChoice("a", "A"), SelectChoice("b", "B & C")],
    )
    many = SelectMultipleField(
        "Many",
        widget=GovCheckboxesInput(),
        choices=[SelectChoice("x", "X"), SelectChoice("y", "Y's")],
    )
    pick = SelectField(
        "Pick", widget=GovSelect(), choices=[SelectChoice("", "None"), SelectChoice("1", "One")]
    )
    submit = SubmitField("Send", widget=GovSubmitInput())


#: Values a person might type, markup among them: each must come back escaped as made afresh.
VALUES = [
    {},
    {"name": "Ann O'Neil", "story": "<script>alert(1)</script>", "choice": "b"},
    {"name": "Bob & Co", "story": "line one\nline two", "many": ["x", "y"], "pick": "1"},
    {"name": "  ", "choice": "a", "many": ["y"]},
]


def _fields(form: Form, errors: bool) -> dict[str, str]:
    if errors:
        for field in form:
            field.errors = [f"Enter {field.name} <properly>"]
    return {field.name: str(field()) for field in form}


@pytest.mark.parametrize("values", VALUES)
@pytest.mark.parametrize("errors", [False, True])
def test_a_kept_widget_is_the_html_made_afresh(app, values, errors):
    with app.test_request_context("/"):
        caches = app.jinja_env.casereview_caches
        app.jinja_env.casereview_caches = None
        afresh = _fields(Everything(data=values), errors)
        app.jinja_env.casereview_caches = caches
        kept = _fields(Everything(data=values), errors)
        again = _fields(Everything(data=values), errors)  # served from the cache now
    assert kept == afresh and again == afresh


def test_a_kept_macro_is_the_html_made_afresh(app):
    page = (
        '{% from "govuk_frontend_jinja/components/tag/macro.html" import govukTag %}'
        '{% from "govuk_frontend_jinja/components/button/macro.html" import govukButton %}'
        "{% for p in params %}{{ govukTag(p) }}{{ govukButton(p) }}{% endfor %}"
    )
    params = [
        {"text": "Overdue", "classes": "govuk-tag--red"},
        {"text": "O'Brien & <b>"},
        {"html": Markup("<b>bold</b>")},
        {"text": 1},
        {"text": True},
        {"text": "1"},
        {"text": Markup("1")},
        {"text": "Start now", "href": "/apply/who", "isStartButton": True},
    ]
    with app.test_request_context("/"):
        caches = app.jinja_env.casereview_caches
        app.jinja_env.casereview_caches = None
        afresh = app.jinja_env.from_string(page).render(params=params)
        app.jinja_env.casereview_caches = caches
        kept = app.jinja_env.from_string(page).render(params=params)
        again = app.jinja_env.from_string(page).render(params=params)
    assert kept == afresh == again


def test_the_key_keeps_types_so_equal_looking_values_never_share_an_entry():
    assert frozen({"text": "1"}) != frozen({"text": 1}) != frozen({"text": True})
    assert frozen({"text": "<b>"}) != frozen({"text": Markup("<b>")})
    assert frozen(["a"]) != frozen(("a",))
    assert frozen({"a": 1, "b": 2}) != frozen({"b": 2, "a": 1})  # attribute order is kept
    params = {"id": "x", "items": [{"value": "a", "checked": True}], "on": date(2025, 4, 28)}
    assert thawed(frozen(params)) == params
    lazy = thawed(frozen({"text": LazyString(str, "Victim's")}))["text"]
    assert isinstance(lazy, LazyString) and str(lazy) == "Victim's"
    with pytest.raises(Uncacheable):
        frozen({"caller": object()})


def test_staff_words_and_left_out_parameters_are_kept_as_they_render():
    """A label in the staff catalog escapes itself (``web.language.StaffLazyString``) and a
    component's macro passes on the parameters it was not given (jinja2's undefined): both
    are kept, and come back rendering as they were given."""
    from jinja2 import Environment, Undefined

    from web.language import StaffLazyString

    staff = thawed(frozen({"text": StaffLazyString(str, "Victim's <name>")}))["text"]
    assert isinstance(staff, StaffLazyString)
    assert staff.__html__() == "Victim&#39;s &lt;name&gt;"
    assert frozen({"text": StaffLazyString(str, "a")}) != frozen({"text": LazyString(str, "a")})
    left_out = thawed(frozen({"html": Undefined(name="html")}))["html"]
    assert isinstance(left_out, Undefined) and not left_out and str(left_out) == ""
    template = Environment().from_string("{% if x is defined %}defined{% endif %}[{{ x }}]")
    assert template.render(x=left_out) == template.render(x=Undefined(name="html")) == "[]"


def test_the_case_page_renders_no_widget_afresh(app, client, world, monkeypatch):
    """Every widget of a case page (the step forms, the correction form with the case's
    recorded values, their staff-catalog labels) comes from the kept HTML or, when it cannot
    be kept, straight from the environment: none through Flask's ``render_template`` and
    its context processors, which cost more than the widget."""
    import web.govuk_cache

    afresh = []
    made = web.govuk_cache._uncached
    monkeypatch.setattr(
        web.govuk_cache, "_uncached", lambda *args: afresh.append(args) or made(*args)
    )
    sign_in(client, world["users"]["manager"])
    assert client.get(f"/cases/{world['case']}").status_code == 200
    assert afresh == []


def test_one_persons_text_or_token_is_never_served_to_another(app):
    """Two people's answers to the same field, one after the other and back: each sees
    only their own value, never the other's kept HTML."""
    with app.test_request_context("/"):
        first = str(Everything(data={"name": "token-AAAA Mrs Adams"}).name())
        second = str(Everything(data={"name": "token-BBBB Mr Brown"}).name())
        first_again = str(Everything(data={"name": "token-AAAA Mrs Adams"}).name())
    assert "token-AAAA" in first and "token-BBBB" not in first
    assert "token-BBBB" in second and "token-AAAA" not in second
    assert first_again == first


def _comparable(page: str) -> str:
    """A page without what changes on every request by design (CSRF tokens, the nonce)."""
    page = re.sub(r'name="csrf_token"[^>]*value="[^"]*"', 'name="csrf_token"', page)
    page = re.sub(r'(id="[^"]*csrf_token"[^>]*value=")[^"]*"', r'\1"', page)
    return re.sub(r'nonce="[^"]*"', 'nonce=""', page)


def test_the_case_page_and_the_dashboard_are_the_same_with_kept_html(app, client, world):
    """Every component of the staff pages' busiest pages, kept and made afresh, interleaved;
    two people in different roles see each their own page."""
    pages = {}
    for who in ("manager", "agency-in"):
        sign_in(client, world["users"][who])
        for path in ("/", f"/cases/{world['case']}"):
            made = []
            for kept in (False, True, True, False):
                caches = app.jinja_env.casereview_caches
                app.jinja_env.casereview_caches = caches if kept else None
                try:
                    response = client.get(path)
                finally:
                    app.jinja_env.casereview_caches = caches
                assert response.status_code == 200
                made.append(_comparable(response.get_data(as_text=True)))
            assert made[0] == made[1] == made[2] == made[3], path
            pages[who, path] = made[0]
        client.post("/sign-out", data={})
    assert "Signed in as manager@example.org" in pages["manager", "/"]
    assert "manager@example.org (manager)" not in pages["agency-in", "/"]
