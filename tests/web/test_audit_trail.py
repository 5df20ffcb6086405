"""Every view and every change is accounted for: who, when, what, from which address."""

import csv
import io
import json

from sqlalchemy import select, update

from tests.conftest import make_token
from tests.web.test_access import sign_in
from triggers.db import read_session
from triggers.models import AuditEvent


def views(sessions) -> list[tuple[str, str, dict]]:
    with read_session(sessions) as session:
        rows = session.execute(
            select(AuditEvent.actor, AuditEvent.client_address, AuditEvent.data)
            .where(AuditEvent.event == "viewed")
            .order_by(AuditEvent.id)
        )
        return [tuple(row) for row in rows]


def test_a_case_page_view_is_recorded_with_who_and_where(app, world, sessions):
    client = app.test_client()
    sign_in(client, world["users"]["viewer"])
    assert client.get(f"/cases/{world['case']}").status_code == 200
    assert views(sessions) == [("viewer@example.org", "127.0.0.1", {"what": "case page"})]


def test_a_case_read_through_the_api_is_recorded(client, world, sessions, partnership):
    token = make_token(sessions, partnership, "manager", "api@example.org")
    response = client.get(
        f"/api/v1/cases/{world['case']}",
        headers={"Authorization": f"Bearer {token}"},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert response.status_code == 200
    assert views(sessions) == [("api@example.org", "10.1.2.3", {"what": "API"})]
    history = [event["event"] for event in response.get_json()["history"]]
    assert "viewed" not in history  # the timeline shows the process, the trail everything


def test_a_change_records_the_address_it_came_from(app, world, sessions):
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    page = client.get(f"/cases/{world['case']}").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        f"/cases/{world['case']}/events/withdraw",
        data={"csrf_token": token, "withdraw-reason": "The applicant asked to withdraw."},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert response.status_code == 302
    with read_session(sessions) as session:
        withdrawn = session.scalar(select(AuditEvent).where(AuditEvent.event == "withdraw"))
        assert (withdrawn.actor, withdrawn.client_address) == ("manager@example.org", "192.0.2.7")


def test_a_manager_downloads_the_trail_with_views_and_changes(app, world, sessions):
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    client.get(f"/cases/{world['case']}")
    response = client.get(f"/cases/{world['case']}/audit.csv")
    assert response.status_code == 200
    assert f'filename="audit-{world["case"]}.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    events = [row["event"] for row in rows]
    assert events[0] == "open" and "appeal" in events
    assert events[-2:] == ["viewed", "viewed"]  # the page, then this download
    assert all(len(row["hash"]) == 64 for row in rows)


def test_audit_verify_and_export_from_the_command_line(run, world, engine):
    unanchored = run(
        "audit", "verify"
    )  # no checkpoints configured: tests/triggers/test_audit_anchor.py
    assert unanchored.exit_code == 2 and "Every link of the audit trail holds" in unanchored.output
    exported = run("audit", "export", world["case"], "--format", "json")
    assert exported.exit_code == 0 and '"event": "open"' in exported.output
    with engine.begin() as connection:
        first = connection.scalar(select(AuditEvent.id).order_by(AuditEvent.id))
        connection.execute(
            update(AuditEvent).where(AuditEvent.id == first).values(actor="intruder")
        )
    broken = run("audit", "verify")
    assert broken.exit_code == 1
    assert f"the audit trail is broken at event {first}" in broken.output
    missing = run("audit", "export", "CT-1999-999")
    assert missing.exit_code == 1 and "there is no case CT-1999-999" in missing.output


def test_the_manager_downloads_it_from_the_case_page(app, world, sessions):
    client = app.test_client()
    sign_in(client, world["users"]["manager"])
    response = client.get(f"/cases/{world['case']}/subject-access.json")
    assert response.status_code == 200
    record = json.loads(response.get_data(as_text=True))
    assert [case["reference"] for case in record["cases"]] == [world["case"]]
    pdf = client.get(f"/cases/{world['case']}/subject-access.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
