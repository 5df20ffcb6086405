"""Odd input never reaches a server error, on SQLite and (where NUL is refused) PostgreSQL.

The named cases are the issue's; the last test walks every route of the application with
hostile path values, query arguments and form fields (hypothesis), signed in as a manager.
"""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.conftest import make_token
from tests.factories import application
from tests.web.test_access import csrf, sign_in
from triggers.db import read_session
from triggers.models import CaseReview

#: A non-UTF-8 percent escape, written into URLs and bodies as it is.
RAW_ESCAPE = "%FF%FE"
HOSTILE = [
    "\x00",
    "CT-2025-001\x00",
    "a\x01b",
    "\x1b[31mred",
    "\x7f",
    "²",
    "٣",
    "１２",
    "-1",
    "0",
    "1e3",
    " 3",
    "9" * 20,
    "9223372036854775808",
    "99999999999999999999999999999999",
    "x" * 3000,
    "\r\nBcc: someone@example.net",
    "a@example.org,bob",
    "Zoë 👩🏽‍🦱 \u202e",
    "",
    RAW_ESCAPE,
]

#: Put in every place of every route; the rest of HOSTILE is drawn by hypothesis.
EVERYWHERE = ["\x00", "²", "9" * 20, "-1", "x" * 3000, "\r\nBcc: x@example.net", RAW_ESCAPE]


def _escape(value: str) -> str:
    return value if value == RAW_ESCAPE else quote(value, safe="")


@pytest.fixture
def manager(app, world):
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    return client


def test_a_nul_in_the_sign_in_email_is_a_clear_400(app):
    client = app.test_client()
    token = csrf(client, "/sign-in")
    response = client.post(
        "/sign-in",
        data={"email": "manager\x00@example.org", "password": "x", "csrf_token": token},
    )
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "There is a problem" in body and "control characters (found NUL)" in body


def test_a_nul_in_a_reference_in_the_address_is_a_clear_400(manager):
    response = manager.get("/cases/CT-2025-001%00")
    assert response.status_code == 400
    assert "the web address must not contain control characters" in response.get_data(as_text=True)


def test_a_nul_in_any_json_string_is_400_naming_the_field(client, auth, sessions):
    body = application()
    body["victim"]["name"] = "Alex\x00Morgan"
    response = client.post("/api/v1/cases", json=body, headers=auth)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["fields"] == {
        "the JSON field 'victim.name'": "must not contain control characters (found NUL)"
    }
    with read_session(sessions) as session:
        assert session.scalar(select(func.count()).select_from(CaseReview)) == 0


@pytest.mark.parametrize(
    "query",
    ["page=²", "page=٣", "agency=²", "agency=99999999999999999999", "page=99999999999999999999"],
)
def test_numbers_in_the_dashboard_address_never_make_a_server_error(manager, query):
    response = manager.get(f"/?{query}")
    assert response.status_code == 200


@pytest.mark.parametrize("version", ["²", "٣", "99999999999999999999", "-1"])
def test_a_version_field_that_is_not_a_whole_number_is_refused(manager, world, version):
    reference = world["case"]
    token = csrf(manager, f"/cases/{reference}")
    response = manager.post(
        f"/cases/{reference}/events/withdraw",
        data={"withdraw-version": version, "withdraw-reason": "Done", "csrf_token": token},
    )
    assert response.status_code == 422
    assert "Version must be" in response.get_data(as_text=True)


@pytest.mark.parametrize(("name", "value"), [("limit", "²"), ("offset", "9" * 30), ("limit", " 5")])
def test_api_numbers_are_ascii_digits_in_range(client, auth, name, value):
    response = client.get(f"/api/v1/cases?{name}={quote(value)}", headers=auth)
    assert response.status_code == 422
    assert name in response.get_json()["error"]["fields"]


def test_the_staff_form_refuses_a_line_break_in_a_name(app, world):
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    token = csrf(client, "/cases/new")
    response = client.post(
        "/cases/new",
        data={
            "csrf_token": token,
            "received_on": ["20", "11", "2025"],
            "channel": "phone",
            "victim_type": "individual",
            "victim_name": "Alex\r\nMorgan",
            "contact_preference": "letter",
            "on_behalf": "no",
            "incidents-0-occurred_on": ["1", "11", "2025"],
            "incidents-0-what_happened": "Shouting outside the house.",
        },
    )
    assert response.status_code in (400, 422)
    assert "must be on one line" in response.get_data(as_text=True)


# --- the class test: every route, hostile values everywhere ------------------------------

FORM_FIELDS = [
    "version", "on", "on-day", "on-month", "on-year", "email", "password", "agency", "page",
    "state", "year", "decision", "rationale", "reason", "grounds", "findings", "location",
    "starts_at", "panel_on", "summary", "occurred_on", "victim_name", "victim_email",
    "applicant_name", "reference", "action", "status", "due_on", "who", "another", "outcome",
]  # fmt: skip
QUERY_ARGS = ["page", "agency", "state", "year", "limit", "offset", "status", "next"]
VALUE = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40))
SKIPPED = {"auth.sign_out", "static"}  # signing out would end the walk; static files are files


def _routes(app) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIPPED:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method))
    return routes


def _good_path_values(rule, world: dict) -> dict[str, str]:
    good = {
        "reference": world["case"],
        "event": "close",
        "extension": "json",
        "message_id": str(world["message"]),
        "recommendation_id": str(world["recommendation"]),
        "number": "1",
    }
    return {name: good.get(name, "1") for name in rule.arguments}


def test_no_route_makes_a_server_error_whatever_it_is_sent(
    app, world, manager, sessions, partnership
):
    token = make_token(sessions, partnership, "manager")
    form_token = csrf(manager)  # a valid CSRF token, so the forms' own checks are reached
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    started = time.monotonic()
    for endpoint, method in _routes(app):
        _walk(manager, rules[endpoint], method, world, token, form_token)
    assert time.monotonic() - started < 120  # bounded: a few examples a route


def _walk(client, rule, method: str, world: dict, token: str, form_token: str) -> None:
    """Each hostile value in every place at once (each path value in turn), then mixtures."""
    good = _good_path_values(rule, world)
    for value in EVERYWHERE:
        for name in [*rule.arguments, None]:
            path = {**good, name: _escape(value)} if name else good
            query = dict.fromkeys(QUERY_ARGS, value)
            form = dict.fromkeys(FORM_FIELDS, value)
            _check(client, rule, method, path, query, form, token, form_token)

    @settings(max_examples=4, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(
        path=st.fixed_dictionaries(
            {
                name: st.one_of(st.just(good[name]), VALUE.map(_escape)).filter(bool)
                for name in rule.arguments
            }
        ),
        query=st.dictionaries(st.sampled_from(QUERY_ARGS), VALUE, max_size=3),
        form=st.dictionaries(st.sampled_from(FORM_FIELDS), VALUE, max_size=6),
    )
    def attempt(path, query, form):  # type: ignore[no-untyped-def]
        _check(client, rule, method, path, query, form, token, form_token)

    attempt()


def _check(client, rule, method, path, query, form, token, form_token) -> None:  # type: ignore[no-untyped-def]
    url = rule.rule
    for name, value in path.items():
        url = _replace_converter(url.replace(f"<{name}>", value or "x"), name, value or "x")
    if query:
        url += "?" + "&".join(f"{k}={_escape(v)}" for k, v in query.items())
    headers = {"Authorization": f"Bearer {token}"}
    if rule.rule.startswith("/api/") and method == "POST":
        response = client.open(url, method=method, json=form, headers=headers)
    else:
        fields = [f"{k}={_escape(v)}" for k, v in form.items()]
        response = client.open(
            url,
            method=method,
            data="&".join([*fields, f"csrf_token={form_token}"]).encode(),
            content_type="application/x-www-form-urlencoded",
            headers=headers,
        )
    assert response.status_code < 500, (method, url, form, response.status_code)


def _replace_converter(url: str, name: str, value: str) -> str:
    start = url.find("<")
    while start != -1:
        end = url.find(">", start)
        if url[start + 1 : end].endswith(f":{name}"):
            return url[:start] + value + url[end + 1 :]
        start = url.find("<", end)
    return url
