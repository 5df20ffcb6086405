"""The Prometheus endpoint: off by default, only for the token, and what it counts."""

import dataclasses
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.factories import SAMPLE_NOW, case_in_state
from triggers.config import ConfigError, MetricsConfig
from triggers.db import write_transaction
from triggers.heartbeats import SWEEP, record_heartbeat
from triggers.models import Deadline, OutboxMessage
from web.app import create_app

TOKEN = "scraper-token-for-tests"


@pytest.fixture
def metered(config, engine, partnership):
    with_metrics = dataclasses.replace(config, metrics=MetricsConfig(enabled=True, token=TOKEN))
    app = create_app(with_metrics, engine=engine)
    app.extensions["casereview"].clock = lambda: SAMPLE_NOW
    return app.test_client()


def scrape(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for sample in family.samples
    }


def test_metrics_are_off_by_default(client):
    assert client.get("/metrics").status_code == 404


def test_metrics_need_the_token(metered):
    assert metered.get("/metrics").status_code == 401
    wrong = metered.get("/metrics", headers={"Authorization": "Bearer guess"})
    assert wrong.status_code == 401
    assert "casereview_" not in wrong.get_data(as_text=True)


def test_metrics_enabled_without_a_token_is_refused_at_start(config, engine):
    enabled = dataclasses.replace(config, metrics=MetricsConfig(enabled=True))
    with pytest.raises(ConfigError, match="CASEREVIEW_METRICS_TOKEN"):
        create_app(enabled, engine=engine)


def test_requests_are_counted_by_route_not_by_path(metered):
    metered.get("/healthz")
    metered.get("/healthz")
    metered.get("/no-such-page")
    samples = scrape(metered)
    route = (("method", "GET"), ("route", "/healthz"), ("status", "200"))
    assert samples[("casereview_requests_total", route)] == 2
    assert samples[("casereview_request_duration_seconds_count", route[:2])] == 2
    unmatched = (("method", "GET"), ("route", "(no route)"), ("status", "404"))
    assert samples[("casereview_requests_total", unmatched)] == 1


def test_what_the_database_knows(metered, sessions, partnership, policy):
    with write_transaction(sessions) as session:
        case_in_state(session, partnership, policy, "threshold_met")
        rows = session.query(OutboxMessage).order_by(OutboxMessage.id).all()
        for row in rows:
            row.status, row.send_after = "pending", SAMPLE_NOW - timedelta(minutes=5)
        rows[0].send_after = SAMPLE_NOW - timedelta(hours=2)
        rows[-1].status = "failed"
        deadlines = session.query(Deadline).order_by(Deadline.id).all()
        for deadline in deadlines:
            deadline.status, deadline.due_on = "running", policy.today(SAMPLE_NOW)
        deadlines[0].due_on = policy.today(SAMPLE_NOW) - timedelta(days=1)
        record_heartbeat(session, SWEEP, SAMPLE_NOW - timedelta(seconds=30), "host-a:1")
    samples = scrape(metered)
    assert samples[("casereview_outbox_messages", (("status", "pending"),))] == len(rows) - 1
    assert samples[("casereview_outbox_messages", (("status", "failed"),))] == 1
    assert samples[("casereview_outbox_messages", (("status", "sending"),))] == 0
    assert samples[("casereview_outbox_oldest_pending_age_seconds", ())] == 7200
    assert (
        samples[("casereview_last_sweep_timestamp_seconds", ())]
        == (SAMPLE_NOW - timedelta(seconds=30)).timestamp()
    )
    assert samples[("casereview_audit_last_verified_timestamp_seconds", ())] == 0
    # A deadline is overdue after its last day, not on it.
    assert samples[("casereview_deadlines_overdue", ())] == 1
