"""Several hosts on one PostgreSQL and one Redis: two web nodes and two schedulers, each in
a network namespace of its own (tests/operations/network.py), as a council's two machines
behind a load balancer.

Needs root and iproute2, as CI has: where namespaces cannot be made the test fails (it never
skips), naming what is missing. The Redis is the test's own (stopped by the last test),
never the machine's; the machine's PostgreSQL and the SMTP sink are reached through a
forwarder on the bridge's address, since they listen on loopback only.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import requests
from sqlalchemy.engine import make_url

from tests.notifications.conftest import Mailbox, free_port
from tests.operations.conftest import (
    Processes,
    SharedDatabase,
    fresh_postgres_database,
    letters_due,
    outbox,
    smtp_sink,
    wait_for,
)
from tests.operations.network import CannotMakeHosts, Forwarder, Hosts
from triggers.accounts import create_user
from triggers.db import write_transaction
from triggers.heartbeats import SWEEP
from triggers.models import Heartbeat

PASSWORD = "correct horse battery staple"
#: A follower asks every minute; the sweep after it takes a few seconds more.
TAKEOVER_SECONDS = 75
SIGN_IN_LIMIT = 10  # config.toml's "10 per minute"


@dataclass
class Cluster:
    hosts: Hosts
    database: SharedDatabase
    mailbox: Mailbox
    redis: subprocess.Popen[bytes]
    redis_port: int
    processes: Processes
    schedulers: list[subprocess.Popen[bytes]]

    def url(self, node: int, path: str) -> str:
        return f"http://{self.hosts.address(node)}:8000{path}"


def browser() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # straight to the test's own addresses, never a proxy
    return session


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    hosts = Hosts()
    forwarders: list[Forwarder] = []
    processes = Processes(tmp_path_factory.mktemp("hosts"))
    redis_port = free_port()
    redis = subprocess.Popen(
        [shutil.which("redis-server") or "redis-server", "--port", str(redis_port),
         "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        try:
            hosts.create(2)
        except CannotMakeHosts as error:
            pytest.fail(f"cannot make the test's hosts (network namespaces): {error}")
        with fresh_postgres_database() as database, smtp_sink() as mailbox:
            gateway = hosts.gateway
            postgres = make_url(database.url)
            relay = {
                "postgres": Forwarder((gateway, 0), (postgres.host, postgres.port or 5432)),
                "redis": Forwarder((gateway, 0), ("127.0.0.1", redis_port)),
                "smtp": Forwarder((gateway, 0), ("127.0.0.1", mailbox.port)),
            }
            forwarders.extend(relay.values())
            env = {
                "DATABASE_URL": postgres.set(
                    host=gateway, port=relay["postgres"].port
                ).render_as_string(hide_password=False),
                "CASEREVIEW_LIMITS_STORAGE": f"redis://{gateway}:{relay['redis'].port}/0",
                "CASEREVIEW_MAIL_URL": f"smtp://{gateway}:{relay['smtp'].port}",
                "CASEREVIEW_SECRET_KEY": "the-same-secret-on-every-node-" + hosts.suffix,
            }
            schedulers = []
            for node in (0, 1):
                processes.start(
                    "serve", "--no-scheduler", "--host", hosts.address(node), "--port", "8000",
                    env=env, prefix=hosts.run_in(node),
                )  # fmt: skip
                schedulers.append(processes.start("scheduler", env=env, prefix=hosts.run_in(node)))
            made = Cluster(hosts, database, mailbox, redis, redis_port, processes, schedulers)
            for node in (0, 1):
                wait_for(lambda n=node: _answers(made.url(n, "/readyz")), 60, f"node {node}")
            yield made
    finally:
        processes.stop_all()
        for forwarder in forwarders:
            forwarder.close()
        hosts.remove()
        redis.terminate()
        redis.wait(10)


def _answers(url: str) -> bool:
    try:
        return browser().get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def sign_in_attempt(client: requests.Session, base: str, email: str, password: str) -> int:
    page = client.get(f"{base}/sign-in", timeout=10).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(
        f"{base}/sign-in",
        data={"email": email, "password": password, "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )
    return response.status_code


def test_each_node_is_ready_with_the_database_and_redis(cluster):
    for node in (0, 1):
        response = browser().get(cluster.url(node, "/readyz"), timeout=10)
        assert response.status_code == 200
        assert response.json() == {"status": "ready", "checks": {"database": "ok", "redis": "ok"}}


def test_signed_out_on_one_node_is_signed_out_on_the_other(cluster):
    with write_transaction(cluster.database.sessions) as session:
        partnership = session.merge(cluster.database.partnership)
        create_user(
            session, partnership, "manager@example.org", PASSWORD, "manager", datetime.now(UTC)
        )
    a, b = cluster.url(0, ""), cluster.url(1, "")
    person = browser()
    assert sign_in_attempt(person, a, "manager@example.org", PASSWORD) == 302
    stolen = browser()  # the same cookie, presented to the other node
    for cookie in person.cookies:
        stolen.cookies.set(cookie.name, cookie.value)
    assert stolen.get(f"{b}/", allow_redirects=False, timeout=10).status_code == 200
    page = person.get(f"{a}/", timeout=10).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    person.post(f"{a}/sign-out", data={"csrf_token": token}, timeout=10)
    after = stolen.get(f"{b}/", allow_redirects=False, timeout=10)
    assert after.status_code == 302 and "/sign-in" in after.headers["Location"]


def test_the_sign_in_limit_exhausted_through_one_node_holds_on_the_other(cluster):
    subprocess.run(
        ["redis-cli", "-p", str(cluster.redis_port), "FLUSHALL"], check=True, capture_output=True
    )
    a, b = cluster.url(0, ""), cluster.url(1, "")
    client = browser()
    attempts = [
        sign_in_attempt(client, a, "nobody@example.org", "wrong") for _ in range(SIGN_IN_LIMIT)
    ]
    assert attempts == [400] * SIGN_IN_LIMIT
    assert sign_in_attempt(browser(), b, "nobody@example.org", "wrong") == 429
    assert sign_in_attempt(client, a, "nobody@example.org", "wrong") == 429


def test_two_schedulers_send_each_letter_once_and_one_takes_over_from_a_dead_leader(cluster):
    database = cluster.database
    letters_due(database, 100)
    wait_for(lambda: outbox(database) == {"sent": 100}, 90, "100 letters sent")

    def leader() -> str:
        with database.sessions() as session:
            beat = session.get(Heartbeat, SWEEP)
            return beat.by.rsplit(":", 1)[-1] if beat is not None else ""

    pids = {str(process.pid): process for process in cluster.schedulers}
    first = wait_for(leader, 10, "a heartbeat")
    assert first in pids, "the scheduler on one of the hosts leads"
    pids[first].send_signal(signal.SIGKILL)
    killed_at = time.monotonic()
    letters_due(database, 100)
    wait_for(lambda: outbox(database) == {"sent": 200}, TAKEOVER_SECONDS, "the other to take over")
    assert time.monotonic() - killed_at < TAKEOVER_SECONDS
    assert leader() in pids and leader() != first
    ids = cluster.mailbox.ids()
    assert len(ids) == 200 and len(set(ids)) == 200, "nothing lost and nothing twice"


def test_with_redis_stopped_the_pages_still_answer(cluster):
    cluster.redis.terminate()
    cluster.redis.wait(10)
    for node in (0, 1):
        base = cluster.url(node, "")
        assert browser().get(f"{base}/sign-in", timeout=10).status_code == 200
        assert browser().get(f"{base}/apply", timeout=10).status_code == 200
        # The limited page too: counted afresh in the node's memory meanwhile, not an error.
        assert sign_in_attempt(browser(), base, "nobody@example.org", "wrong") == 400
        ready = browser().get(f"{base}/readyz", timeout=10)
        assert ready.status_code == 200 and ready.json()["status"] == "degraded"
