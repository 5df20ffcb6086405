"""Request ids and JSON log lines: one line per request, each with its request id."""

import dataclasses
import io
import json
import logging

import pytest

from web.app import create_app
from web.request_log import json_handler


@pytest.fixture
def json_logged(config, engine, partnership):
    server = dataclasses.replace(config.server, log_format="json")
    app = create_app(dataclasses.replace(config, server=server), engine=engine)
    stream = io.StringIO()
    handler = json_handler(stream)
    logging.getLogger().addHandler(handler)
    yield app.test_client(), stream
    root = logging.getLogger()
    for installed in [h for h in root.handlers if getattr(h, "casereview_json", False)]:
        root.removeHandler(installed)  # the one the app installed, writing to stderr


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_sane_request_id_from_the_proxy_is_kept_and_sent_back(client):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.2026:1"})
    assert response.headers["X-Request-ID"] == "lb-7f3a.2026:1"


@pytest.mark.parametrize(
    "offered",
    ["", "x" * 101, 'bad"quote', "{json}", "-leading-dash", "spaces in it"],
)
def test_an_insane_request_id_is_replaced_by_a_new_one(client, offered):
    response = client.get("/healthz", headers={"X-Request-ID": offered})
    given = response.headers["X-Request-ID"]
    assert given != offered and len(given) == 32 and given.isalnum()


def test_each_request_gets_its_own_id(client):
    ids = {client.get("/healthz").headers["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3


def test_json_logs_write_one_line_per_request_with_its_id(json_logged):
    client, stream = json_logged
    response = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    client.get("/no-such-page")
    records = [line for line in lines(stream) if line["logger"] == "casereview.requests"]
    assert [(r["request_id"], r["path"], r["status"]) for r in records] == [
        ("abc-123", "/healthz", 200),
        (records[1]["request_id"], "/no-such-page", 404),
    ]
    assert records[1]["request_id"] != "abc-123" and response.status_code == 200
    first = records[0]
    assert first["route"] == "/healthz" and first["method"] == "GET"
    assert first["level"] == "INFO" and first["message"] == "request"
    assert isinstance(first["duration_ms"], float) and "time" in first


def test_an_error_logged_while_serving_carries_the_request_id(json_logged, app):
    client, stream = json_logged
    flask_app = client.application

    @flask_app.get("/boom-for-test")
    def boom():
        raise RuntimeError("a bug")

    response = client.get("/boom-for-test", headers={"X-Request-ID": "trace-me"})
    assert response.status_code == 500 and "Traceback" not in response.get_data(as_text=True)
    errors = [line for line in lines(stream) if line["level"] == "ERROR"]
    assert errors and all(line["request_id"] == "trace-me" for line in errors)
