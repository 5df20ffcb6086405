"""The service under faults: a full disk, and the database going away and coming back."""

import os
import shutil
import subprocess
import time
import uuid

import pytest
from sqlalchemy import event, func, select, text

from tests.conftest import make_token
from tests.factories import application
from triggers.db import make_engine, make_session_factory, write_transaction
from triggers.models import AuditEvent, CaseReview
from triggers.partnerships import sync_partnership
from triggers.schema import upgrade


def test_a_full_disk_is_a_clear_error_and_the_database_stays_consistent(config, tmp_path, now):
    from web.app import create_app

    engine = make_engine(f"sqlite:///{tmp_path / 'small.db'}")
    upgrade(engine)
    sessions = make_session_factory(engine)
    with write_transaction(sessions) as session:
        partnership = sync_partnership(session, config, now)
    token = make_token(sessions, partnership, "manager")
    with engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar()

    @event.listens_for(engine, "connect")
    def small_disk(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 12}")

    engine.dispose()
    app = create_app(config, engine=engine)
    client = app.test_client()
    answers = []
    for _ in range(60):
        response = client.post(
            "/api/v1/cases", json=application(), headers={"Authorization": f"Bearer {token}"}
        )
        answers.append(response.status_code)
        if response.status_code != 201:
            break
    assert answers[-1] == 503 and answers.count(201) == len(answers) - 1
    assert "the disk is full" in response.get_json()["error"]["message"]
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        cases = connection.scalar(select(func.count()).select_from(CaseReview))
        opened = connection.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.event == "open")
        )
    assert cases == opened == answers.count(201)  # nothing half-written
    engine.dispose()


@pytest.fixture
def own_postgresql():
    """A PostgreSQL cluster of the test's own, so that stopping it disturbs nobody else."""
    if shutil.which("pg_createcluster") is None:
        pytest.fail("pg_createcluster (Debian's postgresql-common) is needed for this test")
    version = sorted(os.listdir("/usr/lib/postgresql"))[-1]
    name = f"cr{uuid.uuid4().hex[:6]}"
    port = "5499"
    subprocess.run(
        [
            "pg_createcluster",
            version,
            name,
            "--port",
            port,
            "--start",
            "--",
            "--auth-local=trust",
            "--auth-host=trust",
        ],
        check=True,
        capture_output=True,
    )

    def control(action: str) -> None:
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action],
            check=True,
            capture_output=True,
        )

    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", control
    finally:
        subprocess.run(["pg_dropcluster", "--stop", version, name], capture_output=True)


def test_the_database_going_away_and_coming_back(config, own_postgresql, now):
    from web.app import create_app

    url, control = own_postgresql
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    with write_transaction(sessions) as session:
        partnership = sync_partnership(session, config, now)
    headers = {"Authorization": f"Bearer {make_token(sessions, partnership, 'manager')}"}
    client = create_app(config, engine=engine).test_client()
    assert client.post("/api/v1/cases", json=application(), headers=headers).status_code == 201

    control("stop")
    down = client.post("/api/v1/cases", json=application(), headers=headers)
    assert down.status_code == 503
    assert "The database is not available just now. Nothing was changed" in down.get_data(
        as_text=True
    )
    assert "Traceback" not in down.get_data(as_text=True)
    page = client.get("/sign-in").get_data(as_text=True)  # served without the database
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    signing_in = client.post(
        "/sign-in", data={"email": "x@example.org", "password": "y", "csrf_token": token}
    )
    assert signing_in.status_code == 503 and signing_in.mimetype == "text/html"
    assert "The database is not available just now" in signing_in.get_data(as_text=True)

    control("start")
    for _ in range(30):  # it accepts connections a moment after it starts
        back = client.post("/api/v1/cases", json=application(), headers=headers)
        if back.status_code != 503:
            break
        time.sleep(0.5)
    assert back.status_code == 201  # recovered by itself: no restart of the service
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM case_reviews")) == 2
    engine.dispose()
