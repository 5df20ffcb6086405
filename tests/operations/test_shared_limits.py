"""The sign-in limit counted in Redis holds across web nodes; without Redis the pages answer.

Uses the machine's Redis at 127.0.0.1:6379 (CASEREVIEW_TEST_REDIS names another); each
installation's keys are prefixed by its database, and each test signs in from its own
address, so runs never count each other's attempts.
"""

import dataclasses
import os
import re
import uuid

import pytest

from web.app import create_app

REDIS = os.environ.get("CASEREVIEW_TEST_REDIS", "redis://127.0.0.1:6379/0")


def node(config, engine, storage: str):
    server = dataclasses.replace(
        config.server, sign_in_limit="3 per minute", limits_storage=storage
    )
    return create_app(dataclasses.replace(config, server=server), engine=engine).test_client()


def attempt(client, address: str) -> int:
    environ = {"REMOTE_ADDR": address}
    page = client.get("/sign-in", environ_base=environ).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    return client.post(
        "/sign-in",
        data={"email": "nobody@example.org", "password": "wrong", "csrf_token": token},
        environ_base=environ,
    ).status_code


@pytest.fixture
def address() -> str:
    """A documentation address (RFC 3849) of this test's own."""
    return documentation_address()


def documentation_address() -> str:
    part = uuid.uuid4().hex
    return f"2001:db8::{part[:4]}:{part[4:8]}:{part[8:12]}"


def test_two_nodes_share_one_sign_in_limit_in_redis(config, engine, partnership, address):
    first, second = node(config, engine, REDIS), node(config, engine, REDIS)
    assert [attempt(first, address), attempt(second, address), attempt(first, address)] == [
        400,
        400,
        400,
    ]
    # The fourth attempt is refused on either node: they count together.
    assert attempt(second, address) == 429
    assert attempt(first, address) == 429
    assert attempt(second, documentation_address()) == 400  # another address is not limited


def test_in_memory_each_node_counts_alone(config, engine, partnership, address):
    """The default, for one machine: documented as not holding across nodes."""
    first, second = node(config, engine, "memory://"), node(config, engine, "memory://")
    assert [attempt(first, address) for _ in range(3)] == [400, 400, 400]
    assert attempt(second, address) == 400


def test_with_redis_unreachable_the_pages_answer_and_each_node_still_limits(
    config, engine, partnership, address
):
    unreachable = node(config, engine, "redis://127.0.0.1:9/0")
    assert unreachable.get("/sign-in").status_code == 200
    assert unreachable.get("/apply").status_code == 200
    # Counted in this node's memory meanwhile: the limit still holds, per node.
    assert [attempt(unreachable, address) for _ in range(4)] == [400, 400, 400, 429]
