"""Prometheus metrics at ``/metrics`` for the operations team: off by default
(``[metrics] enabled``), and only for a scraper that sends the configured token.

Two kinds: what this node saw (requests by route, their latency, errors), counted in this
process; and what the database knows (the outbox, overdue deadlines, the last sweep and the
last audit verification), read at each scrape with a few small queries that the partial
indexes answer, so every node reports the same figures for the same database. README,
"Running it for real", says what each one means.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Iterator
from datetime import datetime

from flask import Flask, Response, abort, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from triggers.config import ConfigError
from triggers.db import read_session
from triggers.heartbeats import AUDIT_VERIFIED, SWEEP, heartbeats
from triggers.models import Deadline, OutboxMessage
from triggers.statuses import DeadlineStatus, OutboxStatus

#: The outbox's states counted at each scrape: each has a partial index. ``sent`` (nearly
#: every row, in the millions after some years) is not counted: it would read the table.
COUNTED_STATUSES = (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.FAILED)


class DatabaseCollector(Collector):
    """What the database knows, read when Prometheus scrapes."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        services = self.app.extensions["casereview"]
        now: datetime = services.now()
        today = services.policy.today(now)
        with read_session(services.sessions) as session:
            by_status = {
                status: session.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.status == status)
                )
                or 0
                for status in COUNTED_STATUSES
            }
            oldest_due = session.scalar(
                select(func.min(OutboxMessage.send_after)).where(
                    OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.send_after <= now
                )
            )
            overdue = session.scalar(
                select(func.count())
                .select_from(Deadline)
                .where(Deadline.status == DeadlineStatus.RUNNING, Deadline.due_on < today)
            )
            marks = heartbeats(session)
        outbox = GaugeMetricFamily(
            "casereview_outbox_messages",
            "Messages in the outbox by status (sent ones are not counted)",
            labels=["status"],
        )
        for status, count in by_status.items():
            outbox.add_metric([status], count)
        yield outbox
        yield GaugeMetricFamily(
            "casereview_outbox_oldest_pending_age_seconds",
            "How long the oldest message due has waited to be sent (0: none waiting)",
            value=max(0.0, (now - oldest_due).total_seconds()) if oldest_due else 0.0,
        )
        yield GaugeMetricFamily(
            "casereview_deadlines_overdue",
            "Deadlines still running after their last day",
            value=overdue or 0,
        )
        for name, metric, text in (
            (SWEEP, "casereview_last_sweep_timestamp_seconds", "When a sweep last succeeded"),
            (
                AUDIT_VERIFIED,
                "casereview_audit_last_verified_timestamp_seconds",
                "When `casereview audit verify` last found the audit chain whole",
            ),
        ):
            at = marks.get(name)
            yield GaugeMetricFamily(
                metric, f"{text} (Unix time; 0: never)", value=at.timestamp() if at else 0.0
            )


def init_app(app: Flask) -> None:
    config = app.extensions["casereview"].config.metrics
    if not config.enabled:
        return
    if not config.token:
        raise ConfigError(
            "[metrics] is enabled but has no token: set CASEREVIEW_METRICS_TOKEN (or "
            "'metrics.token') to what the Prometheus scraper sends"
        )
    registry = CollectorRegistry()
    latency = Histogram(
        "casereview_request_duration_seconds",
        "Time to answer a request, by route",
        ["route", "method"],
        registry=registry,
    )
    requests = Counter(
        "casereview_requests",
        "Requests answered, by route and status",
        ["route", "method", "status"],
        registry=registry,
    )
    errors = Counter(
        "casereview_request_errors",
        "Requests answered with a server error (5xx), by route",
        ["route"],
        registry=registry,
    )
    registry.register(DatabaseCollector(app))
    expected = f"Bearer {config.token}".encode()

    @app.before_request
    def start_timer() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def count(response: Response) -> Response:
        # The route's pattern, not the path: one series per page, not per case.
        route = request.url_rule.rule if request.url_rule else "(no route)"
        if route == "/metrics":
            return response
        started = g.get("metrics_started", time.perf_counter())
        latency.labels(route, request.method).observe(time.perf_counter() - started)
        requests.labels(route, request.method, str(response.status_code)).inc()
        if response.status_code >= 500:
            errors.labels(route).inc()
        return response

    @app.get("/metrics")
    def metrics() -> Response:
        offered = request.headers.get("Authorization", "").encode()
        if not hmac.compare_digest(offered, expected):
            abort(401)
        response = Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
        response.headers["Cache-Control"] = "no-store"
        return response
