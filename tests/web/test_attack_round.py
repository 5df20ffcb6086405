"""Outside review: roles against the changed routes, kept forms across roles and agencies,
and losing access on the next request."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.web.test_access import sign_in
from triggers.db import write_transaction
from triggers.models import StaffSession, User

NON_MANAGERS = ("viewer", "chair", "agency-in", "agency-out", "panel-in", "panel-out")


@pytest.mark.parametrize("who", NON_MANAGERS)
def test_people_and_letters_are_the_managers_only(app, client, world, who):
    sign_in(client, world["users"][who])
    for path in ("/people", f"/people/{world['person']}", "/letters"):
        assert client.get(path).status_code in (403, 404), (who, path)
    page = client.get("/tasks").get_data(as_text=True)
    assert 'href="/people"' not in page and 'href="/letters"' not in page


@pytest.mark.parametrize("who", ["panel-out", "agency-out"])
def test_another_agency_sees_no_recommendation_task(app, client, world, who):
    sign_in(client, world["users"][who])
    page = client.get("/tasks").get_data(as_text=True)
    assert world["case"] not in page


def _open_forms(page):
    return sorted(set(re.findall(r'id="open-([a-z0-9_-]+)"', page)))


def test_kept_forms_follow_each_role(app, client, world):
    pages = {}
    for who in ("manager", "panel-in", "agency-in", "chair", "viewer", "manager", "panel-in"):
        c = app.test_client()
        sign_in(c, world["users"][who])
        r = c.get(f"/cases/{world['case']}")
        assert r.status_code == 200
        page = r.get_data(as_text=True)
        pages.setdefault(who, []).append(page)
        # the chronology form offers only the agencies the person may speak for
        if who in ("agency-in", "panel-in"):
            assert "Example Housing Association</option>" not in page, who
    assert _open_forms(pages["manager"][0]) == _open_forms(pages["manager"][1])
    for who in ("viewer", "chair", "agency-in", "panel-in"):
        assert "open-decide_appeal" not in _open_forms(pages[who][0]) or who == "chair"


def _user(sessions, email):
    with write_transaction(sessions) as session:
        return session.scalar(select(User.id).where(User.email == email))


def test_deactivated_changed_ended_and_idle_lose_access_on_the_next_request(
    app, client, world, sessions
):
    email = world["users"]["manager"]
    sign_in(client, email)
    assert client.get("/people").status_code == 200
    with write_transaction(sessions) as session:
        session.execute(update(User).where(User.email == email).values(role="viewer"))
    assert client.get("/people").status_code == 403
    with write_transaction(sessions) as session:
        session.execute(update(User).where(User.email == email).values(is_active=False))
    assert client.get("/tasks").status_code == 302
    with write_transaction(sessions) as session:
        session.execute(update(User).where(User.email == email).values(is_active=True))
    assert client.get("/tasks").status_code == 200
    with write_transaction(sessions) as session:
        for row in session.scalars(select(StaffSession)):
            row.last_seen_at = row.last_seen_at - timedelta(days=2)
    assert client.get("/tasks").status_code == 302
    sign_in(client, email)
    assert client.get("/tasks").status_code == 200
    with write_transaction(sessions) as session:
        for row in session.scalars(select(StaffSession)):
            row.ended_at = row.last_seen_at
    assert client.get("/tasks").status_code == 302
    sign_in(client, email)
    with write_transaction(sessions) as session:
        session.execute(StaffSession.__table__.delete())
        session.execute(update(User).where(User.email == email).values(email="gone@example.org"))
    assert client.get("/tasks").status_code == 302


def _token_of(sessions, email):
    from datetime import UTC, datetime

    from triggers.accounts import create_token

    with write_transaction(sessions) as session:
        user = session.scalar(select(User).where(User.email == email))
        return create_token(session, user, datetime.now(UTC))


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("manager", True),
        ("viewer", True),
        ("chair", True),
        ("agency-in", True),
        ("panel-in", True),
        ("agency-out", False),
        ("panel-out", False),
        ("other-manager", False),
    ],
)
def test_the_api_case_list_shows_each_role_its_own_cases(client, world, sessions, who, sees):
    token = _token_of(sessions, world["users"][who])
    headers = {"Authorization": f"Bearer {token}"}
    for query in ("", "?state=appeal", "?state=received"):
        response = client.get(f"/api/v1/cases{query}", headers=headers)
        assert response.status_code == 200
        listed = [c["reference"] for c in response.get_json()["cases"]]
        expected = sees and query != "?state=received"
        assert (world["case"] in listed) == expected, (who, query, listed)
    assert client.get("/api/v1/cases?state=nonsense", headers=headers).status_code == 422


def test_an_api_token_follows_its_person_on_the_next_request(client, world, sessions):
    email = world["users"]["manager"]
    token = _token_of(sessions, email)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/cases/{world['case']}/audit", headers=headers).status_code in (
        200,
        404,
    )
    with write_transaction(sessions) as session:
        session.execute(
            update(User).where(User.email == email).values(role="agency", agency_id=None)
        )
    listed = client.get("/api/v1/cases", headers=headers).get_json()["cases"]
    assert world["case"] not in [c["reference"] for c in listed]
    with write_transaction(sessions) as session:
        session.execute(update(User).where(User.email == email).values(is_active=False))
    assert client.get("/api/v1/cases", headers=headers).status_code == 401
