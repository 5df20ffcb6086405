"""Running the sweep every minute with APScheduler.

Due work lives in our own tables, so the job is only "sweep now": a restart or a second
scheduler loses and duplicates nothing. `casereview serve` runs a BackgroundScheduler, but
only in the one process that holds a lock file (a reloader or several workers would
otherwise each run one); `casereview scheduler` runs the scheduler alone. The same
scheduler anchors the audit trail every ``audit.checkpoint_minutes`` (triggers.audit_anchor)
and runs retention at night.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy.orm import Session, sessionmaker

from notifications.senders import Sender
from triggers.config import Config
from triggers.policy import Policy
from workflows.sweep import sweep

log = logging.getLogger(__name__)

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
_lock: IO[str] | None = None


def sweep_job(
    sessions: sessionmaker[Session], policy: Policy, sender: Sender, clock: Callable[[], datetime]
) -> None:
    try:
        sweep(sessions, policy, sender, clock())
    except Exception:  # the scheduler must keep running; the next minute tries again
        log.exception("sweep failed; trying again at the next run")


def retention_job(
    sessions: sessionmaker[Session], policy: Policy, clock: Callable[[], datetime]
) -> None:
    from triggers.db import write_transaction
    from workflows.retention import run_retention

    try:
        with write_transaction(sessions) as session:
            result = run_retention(session, policy, clock())
        if result.references:
            log.info("retention: anonymised %d case(s)", len(result.references))
    except Exception:  # tomorrow's run tries again; nothing half-done stays (one transaction)
        log.exception("retention failed; trying again tomorrow")


def checkpoint_job(
    sessions: sessionmaker[Session], config: Config, clock: Callable[[], datetime]
) -> None:
    """Anchor the audit chain outside the database, if it moved since the last checkpoint."""
    from triggers.audit_anchor import AnchorError, write_checkpoint
    from triggers.db import write_transaction

    try:
        with write_transaction(sessions) as session:
            written = write_checkpoint(session, config, clock(), only_if_moved=True)
        if written is not None:
            log.info("audit checkpoint: %d events", written.events)
    except AnchorError as error:  # a tampered trail, or the key or file gone: say so plainly
        log.error("audit checkpoint not written: %s", error)
    except Exception:  # the next interval tries again; verify names the gap meanwhile
        log.exception("audit checkpoint failed; trying again at the next interval")


def hold_lock(path: Path) -> bool:
    """Take the one-scheduler lock for the life of this process; False if another has it."""
    global _lock
    try:
        handle = path.open("a")
    except OSError:  # a read-only config folder: lock in the temporary folder instead
        import tempfile

        path = Path(tempfile.gettempdir()) / path.name
        handle = path.open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return False
    _lock = handle
    return True


def _add_sweep(
    scheduler: BackgroundScheduler | BlockingScheduler,
    sessions: sessionmaker[Session],
    policy: Policy,
    sender: Sender,
) -> None:
    scheduler.add_job(
        sweep_job,
        "interval",
        minutes=1,
        id="sweep",
        replace_existing=True,
        args=[sessions, policy, sender, lambda: datetime.now(UTC)],
        next_run_time=datetime.now(UTC),
    )
    _add_checkpoints(scheduler, sessions, policy.config)
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
            args=[sessions, policy, lambda: datetime.now(UTC)],
        )


def _add_checkpoints(
    scheduler: BackgroundScheduler | BlockingScheduler,
    sessions: sessionmaker[Session],
    config: Config,
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
        args=[sessions, config, lambda: datetime.now(UTC)],
        next_run_time=datetime.now(UTC),
    )


def start_background(
    sessions: sessionmaker[Session], policy: Policy, sender: Sender, lock_path: Path
) -> BackgroundScheduler | None:
    if not hold_lock(lock_path):
        log.info("another process runs the scheduler (%s is locked); not starting one", lock_path)
        return None
    scheduler = BackgroundScheduler(job_defaults=JOB_DEFAULTS, timezone=UTC)
    _add_sweep(scheduler, sessions, policy, sender)
    scheduler.start()
    log.info("scheduler started: sweeping every minute")
    return scheduler


def stop_background(scheduler: BackgroundScheduler) -> None:
    """Stop the scheduler and let another process take the lock."""
    global _lock
    scheduler.shutdown(wait=True)
    if _lock is not None:
        _lock.close()
        _lock = None


def run_blocking(sessions: sessionmaker[Session], policy: Policy, sender: Sender) -> None:
    scheduler = BlockingScheduler(job_defaults=JOB_DEFAULTS, timezone=UTC)
    _add_sweep(scheduler, sessions, policy, sender)
    log.info("scheduler running: sweeping every minute (Ctrl+C to stop)")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=True)
