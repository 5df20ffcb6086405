"""Removing people: deactivation, roles, password resets and tokens, from the command line
and from the People page; a leaver's sessions and tokens stop at once."""

import re
from datetime import timedelta

from sqlalchemy import select

from tests.factories import SAMPLE_NOW
from tests.web.test_access import csrf, sign_in
from triggers.accounts import create_token, find_user
from triggers.db import read_session, write_transaction
from triggers.models import ApiToken, AuditEvent, OutboxMessage, User
from workflows.case_review import CASE_REVIEW

NEW_PASSWORD = "kettle orbit meadow lantern"


def token_for(sessions, email: str, days: int = 90) -> str:
    with write_transaction(sessions) as session:
        return create_token(session, find_user(session, email), SAMPLE_NOW, days)


def api(app, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    return app.test_client().get("/api/v1/cases", headers=headers).status_code


def audit_events(sessions, event: str) -> list[AuditEvent]:
    with read_session(sessions) as session:
        found = list(session.scalars(select(AuditEvent).where(AuditEvent.event == event)))
        session.expunge_all()
        return found


def test_deactivating_from_the_cli_ends_sessions_and_tokens_at_once(app, world, run, sessions):
    browser = app.test_client()
    sign_in(browser, world["users"]["viewer"])
    token = token_for(sessions, world["users"]["viewer"])
    assert browser.get("/").status_code == 200 and api(app, token) == 200
    result = run("user", "deactivate", "viewer@example.org")
    assert result.exit_code == 0, result.output
    assert browser.get("/").status_code == 302
    assert api(app, token) == 401
    (event,) = audit_events(sessions, "user_deactivated")
    assert event.case_id is None and event.data["user"] == "viewer@example.org"
    assert event.data["sessions"] == 1 and event.data["tokens"] == 1
    assert "deactivated" in run("user", "list").output


def test_the_last_active_manager_is_neither_deactivated_nor_demoted(app, world, run, sessions):
    for args in (["deactivate", "manager@example.org"], ["set-role", "manager@example.org"]):
        args += ["--role", "viewer"] if args[0] == "set-role" else []
        result = run("user", *args)
        assert result.exit_code == 1 and "last active manager" in result.output
    with read_session(sessions) as session:
        manager = find_user(session, "manager@example.org")
        assert manager.is_active and manager.role == "manager"
    assert run("user", "set-role", "viewer@example.org", "--role", "manager").exit_code == 0
    assert run("user", "deactivate", "manager@example.org").exit_code == 0


def test_set_role_needs_an_agency_for_agency_people(world, run, sessions):
    result = run("user", "set-role", "viewer@example.org", "--role", "agency")
    assert result.exit_code == 1 and "need the agency" in result.output
    result = run(
        "user", "set-role", "viewer@example.org", "--role", "agency", "--agency", "Nowhere"
    )
    assert result.exit_code == 1 and "not one of" in result.output
    result = run(
        "user",
        "set-role",
        "viewer@example.org",
        "--role",
        "agency",
        "--agency",
        "Leicestershire Police",
    )
    assert result.exit_code == 0, result.output
    (event,) = audit_events(sessions, "role_changed")
    assert event.data == {
        "user": "viewer@example.org",
        "from": "viewer",
        "to": "agency",
        "agency": "Leicestershire Police",
    }


def test_reset_password_from_standard_input_ends_sessions(app, world, run):
    browser = app.test_client()
    sign_in(browser, world["users"]["viewer"])
    weak = run("user", "reset-password", "viewer@example.org", input="password1234\n")
    assert weak.exit_code == 1 and "most common" in weak.output
    assert browser.get("/").status_code == 200  # a refused password changes nothing
    result = run("user", "reset-password", "viewer@example.org", input=NEW_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert browser.get("/").status_code == 302
    page = app.test_client()
    token = csrf(page, "/sign-in")
    signed = page.post(
        "/sign-in",
        data={"email": "viewer@example.org", "password": NEW_PASSWORD, "csrf_token": token},
    )
    assert signed.status_code == 302


def test_tokens_are_listed_revoked_and_expire(app, world, run, sessions):
    token = token_for(sessions, world["users"]["chair"])
    short = token_for(sessions, world["users"]["chair"], days=1)
    app.extensions["casereview"].clock = lambda: SAMPLE_NOW + timedelta(days=2)
    assert api(app, short) == 401 and api(app, token) == 200
    with read_session(sessions) as session:
        first = session.scalars(select(ApiToken.id).order_by(ApiToken.id)).first()
    listed = run("token", "list", "chair@example.org").output
    assert f"{first:>5}  chair@example.org" in listed and token not in listed
    assert run("token", "revoke", str(first)).exit_code == 0
    assert api(app, token) == 401
    again = run("token", "revoke", str(first))
    assert again.exit_code == 1 and "already revoked" in again.output
    assert run("token", "revoke", "99999").exit_code == 1
    assert audit_events(sessions, "token_revoked")[0].data["token"] == first


def test_token_create_uses_the_configured_days(world, run, sessions):
    result = run("token", "create", "chair@example.org")
    assert result.exit_code == 0
    with read_session(sessions) as session:
        row = session.scalars(select(ApiToken)).one()
        assert row.expires_at - row.created_at == timedelta(days=90)


def test_a_manager_deactivates_a_leaver_from_the_people_page(app, world, sessions):
    leaver = app.test_client()
    sign_in(leaver, world["users"]["viewer"])
    manager = app.test_client()
    sign_in(manager, world["users"]["manager"])
    page = manager.get("/people").get_data(as_text=True)
    assert "viewer@example.org" in page and 'href="/people"' in page
    response = manager.post(
        f"/people/{world['person']}/deactivate", data={"csrf_token": csrf(manager)}
    )
    assert response.status_code == 302
    assert "is deactivated" in manager.get(response.location).get_data(as_text=True)
    assert leaver.get("/").status_code == 302
    (event,) = audit_events(sessions, "user_deactivated")
    assert event.actor == "manager@example.org" and event.case_id is None


def test_the_people_link_is_for_managers_only(app, world):
    viewer = app.test_client()
    sign_in(viewer, world["users"]["viewer"])
    assert 'href="/people"' not in viewer.get("/").get_data(as_text=True)


def test_the_last_manager_cannot_deactivate_themselves_on_the_page(app, world, sessions):
    with read_session(sessions) as session:
        me = find_user(session, "manager@example.org").id
    manager = app.test_client()
    sign_in(manager, world["users"]["manager"])
    response = manager.post(f"/people/{me}/deactivate", data={"csrf_token": csrf(manager)})
    page = manager.get(response.location).get_data(as_text=True)
    assert "last active manager" in page and "govuk-error-summary" in page
    assert manager.get("/").status_code == 200


def test_adding_a_person_with_a_weak_password_is_refused_on_the_page(app, world, sessions):
    manager = app.test_client()
    sign_in(manager, world["users"]["manager"])
    data = {
        "csrf_token": csrf(manager, "/people"),
        "add-email": "new.person@example.org",
        "add-role": "viewer",
        "add-agency": "",
        "add-password": "password1234",
    }
    refused = manager.post("/people", data=data)
    assert refused.status_code == 400 and "most common" in refused.get_data(as_text=True)
    with read_session(sessions) as session:
        assert find_user(session, "new.person@example.org") is None
    added = manager.post("/people", data={**data, "add-password": NEW_PASSWORD})
    assert added.status_code == 302
    assert audit_events(sessions, "user_added")[0].data["user"] == "new.person@example.org"


def test_a_one_time_link_sets_a_new_password_once(app, world, sessions):
    manager = app.test_client()
    sign_in(manager, world["users"]["manager"])
    person = world["person"]
    manager.post(f"/people/{person}/reset-password", data={"csrf_token": csrf(manager)})
    with read_session(sessions) as session:
        message = session.scalar(
            select(OutboxMessage).where(OutboxMessage.kind == "password_reset")
        )
        link = message.payload["link"]
        assert message.recipient == f"user:{person}"
        assert link.startswith("http://127.0.0.1:8000/reset-password/")  # never the Host header
    path = "/reset-password/" + link.rsplit("/", 1)[1]
    visitor = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', visitor.get(path).text).group(1)
    weak = visitor.post(
        path, data={"csrf_token": token, "password": "password1234", "again": "password1234"}
    )
    assert weak.status_code == 400 and "most common" in weak.text
    done = visitor.post(
        path, data={"csrf_token": token, "password": NEW_PASSWORD, "again": NEW_PASSWORD}
    )
    assert done.status_code == 302 and "/sign-in" in done.location
    assert visitor.get(path).status_code == 404  # used once
    with read_session(sessions) as session:
        viewer = session.get(User, person)
        assert viewer.password_hash != find_user(session, "manager@example.org").password_hash
    assert [e.actor for e in audit_events(sessions, "password_changed")] == ["viewer@example.org"]


def test_a_reset_link_expires(app, world, sessions, run):
    assert run("user", "reset-password", "viewer@example.org", "--send-link").exit_code == 0
    with read_session(sessions) as session:
        query = select(OutboxMessage.payload).where(OutboxMessage.kind == "password_reset")
        link = session.scalar(query)["link"]
    path = "/reset-password/" + link.rsplit("/", 1)[1]
    app.extensions["casereview"].clock = lambda: SAMPLE_NOW + timedelta(days=365 * 10)
    assert app.test_client().get(path).status_code == 404


def test_a_password_reset_e_mail_is_composed_for_the_person(app, world, sessions, config):
    from notifications.compose import compose

    manager = app.test_client()
    sign_in(manager, world["users"]["manager"])
    manager.post(f"/people/{world['person']}/reset-password", data={"csrf_token": csrf(manager)})
    with read_session(sessions) as session:
        row = session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "password_reset"))
        message = compose(session, row, config, SAMPLE_NOW.date(), CASE_REVIEW)
        link = row.payload["link"]
    assert message.to == ("viewer@example.org",)
    assert link in message.body and "works once" in message.body
