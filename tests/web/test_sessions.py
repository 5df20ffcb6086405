"""Sessions and passwords: NCSC password rules, an idle timeout, cookies, a sign-in limit."""

import dataclasses
from datetime import timedelta

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


def test_a_password_hashed_with_other_parameters_is_rehashed_at_sign_in(app, world, sessions):
    """Argon2id at OWASP's 19 MiB keeps a worker's peak memory small; older hashes (argon2's
    defaults, 64 MiB) still sign in, and are replaced by the new parameters then."""
    from argon2 import PasswordHasher
    from sqlalchemy import select

    from triggers.db import read_session
    from triggers.models import User

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
