"""The settings for several machines are checked like the rest of config.toml, and the
environment carries the secrets among them."""

import dataclasses
import re

import pytest

from triggers.config import ConfigError, apply_environment, config_from_dict
from web.app import create_app


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"server": {"log_format": "xml"}}, "'server.log_format' must be one of text, json"),
        ({"server": {"limits_storage": "memcached://h:11211"}}, "must be memory:// or a Redis"),
        ({"server": {"limits_storage": "redis//nohost"}}, "must be memory:// or a Redis"),
        ({"server": {"proxies": 9}}, "'server.proxies' must be from 0 to 5"),
        ({"metrics": {"enabled": "yes"}}, "'metrics.enabled' must be true or false"),
    ],
)
def test_the_operations_settings_are_checked(raw, message):
    with pytest.raises(ConfigError, match=message):
        config_from_dict(raw)


def test_a_refused_storage_url_does_not_echo_its_password():
    with pytest.raises(ConfigError) as refused:
        config_from_dict({"server": {"limits_storage": "memcache://user:s3cret@h:1"}})
    assert "s3cret" not in str(refused.value)


def test_the_environment_sets_the_limits_storage_and_the_metrics_token():
    config = apply_environment(
        config_from_dict({}),
        {
            "CASEREVIEW_LIMITS_STORAGE": "redis://:pw@redis.internal:6379/0",
            "CASEREVIEW_METRICS_TOKEN": "from-the-environment",
        },
    )
    assert config.server.limits_storage == "redis://:pw@redis.internal:6379/0"
    assert config.metrics.token == "from-the-environment"
    defaults = config_from_dict({})
    assert (defaults.server.limits_storage, defaults.server.log_format) == ("memory://", "text")
    assert (defaults.metrics.enabled, defaults.server.proxies) == (False, 0)


@pytest.mark.parametrize(("proxies", "limited_by"), [(0, "the proxy"), (1, "the client")])
def test_behind_a_proxy_the_limit_counts_the_forwarded_client(
    config, engine, partnership, proxies, limited_by
):
    """With `server.proxies = 1` the limit is per client, as nginx forwards it; without it,
    a forged header changes nothing (every request counts against the connection)."""
    server = dataclasses.replace(config.server, sign_in_limit="1 per minute", proxies=proxies)
    client = create_app(dataclasses.replace(config, server=server), engine=engine).test_client()

    def post(forwarded: str) -> int:
        through = {"headers": {"X-Forwarded-For": forwarded}}
        through["environ_base"] = {"REMOTE_ADDR": "192.0.2.1"}
        page = client.get("/sign-in", **through).get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        data = {"email": "nobody@example.org", "password": "wrong", "csrf_token": token}
        return client.post("/sign-in", data=data, **through).status_code

    assert post("198.51.100.7") == 400
    second = post("198.51.100.8")  # another client through the same proxy
    assert second == (429 if limited_by == "the proxy" else 400)
