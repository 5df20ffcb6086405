"""Sessions and passwords: NCSC password rules, an idle timeout, cookies, a sign-in limit."""

import dataclasses
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import pytest

from tests.factories import SAMPLE_NOW
from tests.web.conftest import PASSWORD
from tests.web.test_access import sign_in
from triggers.accounts import AccountError, create_user, password_problem
from triggers.db import write_transaction


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short", "at least 12 characters"),
        ("password1234", "one of the most common"),
        ("qwertyuiopas", "too easy to guess"),
        ("charnwood2026", "too easy to guess"),  # the partnership's name and a year
        ("manager@example.org1", "too easy to guess"),  # their own address
        ("x" * 1001, "at most 1000"),
    ],
)
def test_weak_passwords_are_refused_with_advice(password, why):
    problem = password_problem(password, ["manager@example.org", "Charnwood CSP", "CT"])
    assert problem is not None and why in problem


@pytest.mark.parametrize(
    "password", ["correct horse battery staple", "demo-password-only", "kettle-orbit-meadow"]
)
def test_long_unpredictable_passwords_are_accepted_without_symbol_rules(password):
    assert password_problem(password, ["manager@example.org", "Charnwood CSP"]) is None


def test_creating_a_user_applies_the_rules(sessions, partnership):
    with write_transaction(sessions) as session, pytest.raises(AccountError, match="common"):
        create_user(session, partnership, "new@example.org", "iloveyou1234", "viewer", SAMPLE_NOW)


def test_the_cli_refuses_a_common_password(run):
    result = run("user", "add", "someone@example.org", "--role", "viewer", input="password1234\n")
    assert result.exit_code == 1 and "one of the most common" in result.output


def session_cookie(app, email: str) -> str:  # type: ignore[no-untyped-def]
    """The Set-Cookie header of a successful sign-in."""
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    return response.headers["Set-Cookie"]


def test_the_session_cookie_is_httponly_samesite_and_expires(app, world):
    cookie = session_cookie(app, world["users"]["manager"])
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
    assert "Secure" not in cookie  # secure_cookies is off for the plain-HTTP demo


def test_secure_cookies_when_configured(config, engine, partnership, world):
    from web.app import create_app

    secured = dataclasses.replace(
        config, server=dataclasses.replace(config.server, secure_cookies=True)
    )
    app = create_app(secured, engine=engine)
    assert "Secure" in session_cookie(app, world["users"]["manager"])


def test_an_idle_session_ends(app, world):
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    assert client.get("/").status_code == 200
    app.permanent_session_lifetime = timedelta(seconds=-1)  # as if the time had passed
    response = client.get("/")
    assert response.status_code == 302 and "/sign-in" in response.location


def test_sign_in_attempts_are_limited_per_address(config, engine, partnership, world):
    from web.app import create_app

    limited = dataclasses.replace(
        config, server=dataclasses.replace(config.server, sign_in_limit="3 per minute")
    )
    client = create_app(limited, engine=engine).test_client()
    statuses = []
    for _ in range(4):
        page = client.get("/sign-in").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        response = client.post(
            "/sign-in",
            data={"email": "nobody@example.org", "password": "wrong", "csrf_token": token},
        )
        statuses.append(response.status_code)
    assert statuses == [400, 400, 400, 429]
    assert "Too many attempts to sign in from this address" in response.get_data(as_text=True)
    other = client.post("/sign-in", environ_base={"REMOTE_ADDR": "192.0.2.9"}, data={})
    assert other.status_code != 429


def test_a_password_hashed_with_other_parameters_is_rehashed_at_sign_in(
    app, world, sessions, monkeypatch
):
    """Argon2id at OWASP's 19 MiB keeps a worker's peak memory small; older hashes (argon2's
    defaults, 64 MiB) still sign in, and are replaced by the new parameters then."""
    from argon2 import PasswordHasher
    from sqlalchemy import select

    from tests.conftest import SERVICE_HASHER
    from triggers import accounts
    from triggers.db import read_session
    from triggers.models import User

    monkeypatch.setattr(accounts, "_hasher", SERVICE_HASHER)

    with write_transaction(sessions) as session:
        user = session.scalar(select(User).where(User.email == world["users"]["manager"]))
        user.password_hash = PasswordHasher().hash(PASSWORD)
    assert "m=65536" in PasswordHasher().hash(PASSWORD)
    sign_in(app.test_client(), world["users"]["manager"])
    with read_session(sessions) as session:
        stored = session.scalar(
            select(User.password_hash).where(User.email == "manager@example.org")
        )
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def sign_in_to(client, email: str, password: str = PASSWORD, next_url: str | None = None):
    page = client.get("/sign-in").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    path = "/sign-in" if next_url is None else "/sign-in?" + urlencode({"next": next_url})
    return client.post(path, data={"email": email, "password": password, "csrf_token": token})


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r\nSet-Cookie: x=1",
        "/\\evil.example",
        "\\\\evil.example",
        "/\\/evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "http:/evil.example",
        "/%09/evil.example",  # decoded once by Werkzeug: a tab again when encoded twice
        " //evil.example",
        "\x00//evil.example",
        "evil.example",
        "//%65vil.example",
    ],
)
def test_no_target_after_sign_in_leads_off_site_or_fails(app, world, target):
    response = sign_in_to(app.test_client(), world["users"]["manager"], next_url=target)
    if response.status_code == 400:  # refused whole by the input rules (web/input.py): NUL
        assert "\x00" in target and response.location is None
        return
    assert response.status_code == 302
    location = urlsplit(response.location)
    assert location.netloc in ("", "localhost"), response.location
    assert not response.location.startswith("//") and "\\" not in response.location
    assert "evil" not in location.path.lstrip("/").split("/")[0]


def test_a_local_target_is_followed_after_sign_in(app, world):
    response = sign_in_to(app.test_client(), world["users"]["manager"], next_url="/statistics")
    assert response.status_code == 302 and response.location == "/statistics"


@pytest.mark.parametrize("back", ["//evil.example", "/\t/evil.example", "/\\evil.example"])
def test_the_back_field_never_leads_off_site(app, world, back):
    from tests.web.test_access import csrf

    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    response = client.post(
        f"/outbox/{world['message']}/retry", data={"csrf_token": csrf(client), "back": back}
    )
    assert response.status_code == 302 and response.location == "/"


def test_a_cookie_saved_before_signing_out_no_longer_opens_cases(app, world):
    from tests.web.test_access import csrf

    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    saved = client.get_cookie("session").value
    assert client.get(f"/cases/{world['case']}").status_code == 200
    client.post("/sign-out", data={"csrf_token": csrf(client)})
    thief = app.test_client()
    thief.set_cookie("session", saved)
    response = thief.get(f"/cases/{world['case']}")
    assert response.status_code == 302 and "/sign-in" in response.location


def test_the_session_and_csrf_token_are_new_at_each_sign_in(app, world):
    from tests.web.test_access import csrf

    client = app.test_client()
    before = csrf(client, "/sign-in")
    sign_in(client, world["users"]["manager"])
    first = client.get_cookie("session").value
    after = csrf(client)
    assert after != before
    client.post("/sign-out", data={"csrf_token": after})
    sign_in(client, world["users"]["manager"])
    assert client.get_cookie("session").value != first
    thief = app.test_client()
    thief.set_cookie("session", first)
    assert thief.get("/").status_code == 302


@pytest.fixture
def argon2_verifies(monkeypatch):
    """Counts the Argon2 verifications sign-in does (the work an attacker could time)."""
    from argon2 import PasswordHasher

    from triggers import accounts

    calls = []

    class Counting(PasswordHasher):
        def verify(self, hashed, password):
            calls.append(hashed)
            return super().verify(hashed, password)

    monkeypatch.setattr(
        accounts, "_hasher", Counting(time_cost=2, memory_cost=19 * 1024, parallelism=1)
    )
    return calls


def test_a_known_and_an_unknown_address_cost_the_same_argon2_work(app, world, argon2_verifies):
    sign_in_to(app.test_client(), world["users"]["manager"], "wrong password")
    known = len(argon2_verifies)
    argon2_verifies.clear()
    sign_in_to(app.test_client(), "nobody@example.org", "wrong password")
    assert known == len(argon2_verifies) == 1


def test_an_unknown_address_locks_with_the_same_words(app, world):
    answers = {}
    for email in (world["users"]["manager"], "nobody@example.org"):
        client = app.test_client()
        for _ in range(5):
            sign_in_to(client, email, "wrong password")
        response = sign_in_to(client, email, PASSWORD)
        answers[email] = (response.status_code, "locked" in response.get_data(as_text=True))
    assert set(answers.values()) == {(400, True)}


def test_the_server_ends_an_idle_session_and_use_keeps_it_alive(app, world):
    """The idle timeout holds on the server too: a cookie kept past it opens nothing."""
    from tests.factories import SAMPLE_NOW

    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    services = app.extensions["casereview"]
    for minutes, expected in ((20, 200), (40, 200), (71, 302)):
        services.clock = lambda minutes=minutes: SAMPLE_NOW + timedelta(minutes=minutes)
        assert client.get("/").status_code == expected, minutes


def test_a_role_change_or_a_deactivation_takes_effect_on_the_next_request(app, world, sessions):
    """The session's user is read again with every request (one statement with the session's
    row, web.auth.load_user): a row changed behind the session, without ending it, counts at
    once; a demoted manager cannot reach the People page, a deactivated one is signed out."""
    from sqlalchemy import update

    from triggers.models import User

    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    assert client.get("/people").status_code == 200
    email = world["users"]["manager"]
    with write_transaction(sessions) as session:
        session.execute(update(User).where(User.email == email).values(role="viewer"))
    assert client.get("/people").status_code == 403
    assert client.get("/").status_code == 200
    with write_transaction(sessions) as session:
        session.execute(update(User).where(User.email == email).values(is_active=False))
    assert client.get("/").status_code == 302
