"""The app served on 127.0.0.1 for a real browser: Debian's Chromium driven by Playwright."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from triggers.accounts import hash_password
from triggers.db import write_transaction
from triggers.models import User

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "correct horse battery staple"
HASH = hash_password(PASSWORD)


@pytest.fixture(scope="session")
def live_server(base_config, migrated_engine):
    from web.app import create_app

    app = create_app(base_config, engine=migrated_engine)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "bypass_csp": True}  # lets axe be injected


@pytest.fixture
def staff(sessions, partnership, now):
    """A manager and a viewer of the partnership."""
    with write_transaction(sessions) as session:
        merged = session.merge(partnership)
        for role in ("manager", "viewer"):
            session.add(
                User(
                    partnership=merged,
                    email=f"{role}@example.org",
                    password_hash=HASH,
                    role=role,
                    is_active=True,
                    created_at=now,
                )
            )
    return {"manager": "manager@example.org", "viewer": "viewer@example.org"}


def sign_in(page, email: str, *, to_dashboard: bool = True) -> None:
    """Sign in; each person lands on My tasks, and most tests then start from the dashboard."""
    page.goto("/sign-in")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/tasks")  # each person lands on their tasks (web/tasks.py)
    if to_dashboard:
        page.goto("/")
