"""/readyz turns 503 on every node while PostgreSQL is stopped, and 200 again after it
starts: on a PostgreSQL cluster of the test's own (Debian's pg_createcluster, on a free
port), never the machine's. Needs root and Debian's postgresql-common, as CI has."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.notifications.conftest import free_port
from tests.operations.conftest import wait_for
from triggers.db import make_engine
from triggers.schema import upgrade
from web.app import create_app


def _cluster(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True, timeout=120)


@pytest.fixture
def own_cluster() -> Iterator[tuple[str, str, str]]:
    versions = sorted(Path("/etc/postgresql").iterdir()) if Path("/etc/postgresql").exists() else []
    if not versions:
        pytest.fail("needs Debian's PostgreSQL (pg_createcluster), as CI has")
    version, name, port = versions[-1].name, f"cr{uuid.uuid4().hex[:8]}", free_port()
    _cluster(
        "pg_createcluster", version, name, "--port", str(port),
        "--", "--auth-local=trust", "--auth-host=trust",
    )  # fmt: skip
    try:
        _cluster("pg_ctlcluster", "--skip-systemctl-redirect", version, name, "start")
        yield version, name, f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            ["pg_dropcluster", "--stop", version, name], capture_output=True, timeout=120
        )


def test_readiness_follows_the_database_on_every_node(config, own_cluster):
    version, name, url = own_cluster
    engines = [make_engine(url) for _ in range(2)]  # each node its own pool
    upgrade(engines[0])
    nodes = [create_app(config, engine=engine).test_client() for engine in engines]
    try:
        check(nodes, version, name)
    finally:
        for engine in engines:
            engine.dispose()


def check(nodes: list, version: str, name: str) -> None:

    def statuses() -> list[int]:
        return [node.get("/readyz").status_code for node in nodes]

    assert statuses() == [200, 200]
    _cluster("pg_ctlcluster", "--skip-systemctl-redirect", version, name, "stop", "-m", "fast")
    assert statuses() == [503, 503]
    assert all(
        node.get("/readyz").get_json()["checks"]["database"] == "the database does not answer"
        for node in nodes
    )
    assert [node.get("/healthz").status_code for node in nodes] == [200, 200]
    _cluster("pg_ctlcluster", "--skip-systemctl-redirect", version, name, "start")
    wait_for(lambda: statuses() == [200, 200], 30, "both nodes ready again")
