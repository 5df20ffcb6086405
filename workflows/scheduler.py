"""Running the sweep every minute with APScheduler, in the one process that leads.

Due work lives in our own tables, so the job is only "sweep now": a restart or a second
scheduler loses and duplicates nothing. Every `casereview serve` and `casereview scheduler`
runs the minute job, but only the leader (workflows.leadership: a PostgreSQL advisory lock
across hosts, a lock file on one machine) sweeps; the others ask again each minute, so one
takes over within a minute of the leader's death. Each successful sweep records a heartbeat
(triggers.heartbeats) that the metrics endpoint shows. The leader also anchors the audit
trail every ``audit.checkpoint_minutes`` (triggers.audit_anchor) and runs retention at night.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy.orm import Session, sessionmaker

from notifications.senders import Sender
from triggers.config import Config
from triggers.policy import Policy
from workflows.leadership import Leadership
from workflows.sweep import sweep, worker_name

log = logging.getLogger(__name__)

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}


def sweep_job(
    sessions: sessionmaker[Session],
    policy: Policy,
    sender: Sender,
    clock: Callable[[], datetime],
    leadership: Leadership | None = None,
) -> None:
    """Sweep, if this process leads (``leadership`` None: always, as `casereview sweep`)."""
    from triggers.db import write_transaction
    from triggers.heartbeats import SWEEP, record_heartbeat

    try:
        if leadership is not None and not leadership.lead():
            return
        sweep(sessions, policy, sender, clock())
        with write_transaction(sessions) as session:
            record_heartbeat(session, SWEEP, clock(), worker_name())
    except Exception:  # the scheduler must keep running; the next minute tries again
        log.exception("sweep failed; trying again at the next run")


def retention_job(
    sessions: sessionmaker[Session],
    policy: Policy,
    clock: Callable[[], datetime],
    leadership: Leadership | None = None,
) -> None:
    from triggers.db import write_transaction
    from workflows.retention import run_retention

    try:
        if leadership is not None and not leadership.lead():
            return
        with write_transaction(sessions) as session:
            result = run_retention(session, policy, clock())
        if result.references:
            log.info("retention: anonymised %d case(s)", len(result.references))
    except Exception:  # tomorrow's run tries again; nothing half-done stays (one transaction)
        log.exception("retention failed; trying again tomorrow")


def checkpoint_job(
    sessions: sessionmaker[Session],
    config: Config,
    clock: Callable[[], datetime],
    leadership: Leadership | None = None,
) -> None:
    """Anchor the audit chain outside the database, if it moved since the last checkpoint."""
    from triggers.audit_anchor import AnchorError, write_checkpoint
    from triggers.db import write_transaction

    try:
        if leadership is not None and not leadership.lead():
            return
        with write_transaction(sessions) as session:
            written = write_checkpoint(session, config, clock(), only_if_moved=True)
        if written is not None:
            log.info("audit checkpoint: %d events", written.events)
    except AnchorError as error:  # a tampered trail, or the key or file gone: say so plainly
        log.error("audit checkpoint not written: %s", error)
    except Exception:  # the next interval tries again; verify names the gap meanwhile
        log.exception("audit checkpoint failed; trying again at the next interval")


def _add_checkpoints(
    scheduler: BackgroundScheduler | BlockingScheduler,
    sessions: sessionmaker[Session],
    config: Config,
    leadership: Leadership,
) -> None:
    """Checkpoints every ``audit.checkpoint_minutes``, when a file and a key are configured."""
    from triggers.audit_anchor import AnchorError, audit_key

    minutes = config.audit.checkpoint_minutes
    if not minutes or not config.audit.checkpoint_file:
        return
    try:
        key = audit_key(config)
    except AnchorError as error:
        log.error("audit checkpoints not written: %s", error)
        return
    if key is None:
        log.error(
            "audit checkpoints not written: no key; set CASEREVIEW_AUDIT_KEY or audit.key_file"
        )
        return
    scheduler.add_job(
        checkpoint_job,
        "interval",
        minutes=minutes,
        id="audit_checkpoint",
        replace_existing=True,
        args=[sessions, config, lambda: datetime.now(UTC), leadership],
        next_run_time=datetime.now(UTC),
    )


def _add_jobs(
    scheduler: BackgroundScheduler | BlockingScheduler,
    sessions: sessionmaker[Session],
    policy: Policy,
    sender: Sender,
    leadership: Leadership,
) -> None:
    scheduler.add_job(
        sweep_job,
        "interval",
        minutes=1,
        id="sweep",
        replace_existing=True,
        args=[sessions, policy, sender, lambda: datetime.now(UTC), leadership],
        next_run_time=datetime.now(UTC),
    )
    _add_checkpoints(scheduler, sessions, policy.config, leadership)
    if policy.config.retention.daily:
        # At night, when nobody is working on a case.
        scheduler.add_job(
            retention_job,
            "cron",
            hour=2,
            minute=30,
            timezone=policy.config.calendar.timezone,
            id="retention",
            replace_existing=True,
            args=[sessions, policy, lambda: datetime.now(UTC), leadership],
        )


def start_background(
    sessions: sessionmaker[Session], policy: Policy, sender: Sender, leadership: Leadership
) -> BackgroundScheduler:
    """The minute job in a background thread of `casereview serve`: it sweeps while this
    process leads, and asks for the lead each minute while it does not."""
    scheduler = BackgroundScheduler(job_defaults=JOB_DEFAULTS, timezone=UTC)
    _add_jobs(scheduler, sessions, policy, sender, leadership)
    scheduler.start()
    log.info("scheduler started: sweeping every minute while this process leads")
    return scheduler


def stop_background(scheduler: BackgroundScheduler, leadership: Leadership) -> None:
    """Stop the scheduler and give up the lead, so another process takes it."""
    scheduler.shutdown(wait=True)
    leadership.release()


def run_blocking(
    sessions: sessionmaker[Session], policy: Policy, sender: Sender, leadership: Leadership
) -> None:
    scheduler = BlockingScheduler(job_defaults=JOB_DEFAULTS, timezone=UTC)
    _add_jobs(scheduler, sessions, policy, sender, leadership)
    log.info("scheduler running: sweeping every minute while this process leads (Ctrl+C stops)")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=True)
    finally:
        leadership.release()
