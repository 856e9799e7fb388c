"""`jiebang scheduler`: APScheduler runs the timer sweep every second, the outbox delivery every 10 s, the task
due-date notices every 30 s and the upload clean-up hourly (each job one run at a time per process)."""

from __future__ import annotations

import logging
import os
from datetime import timedelta

from apscheduler.schedulers.blocking import BlockingScheduler

from engine.db import default_database_url, session_factory
from engine.notify.due import sweep_due
from engine.notify.outbox import deliver_due
from engine.timers import SweepResult, sweep, worker_name
from engine.upload_store import clean_abandoned, upload_folder

log = logging.getLogger("jiebang.scheduler")


def sweep_once(url: str, worker: str) -> SweepResult:
    """One timer sweep: one INFO line when timers fired, one ERROR line for each instance that stopped in the
    error state instead (a supervisor retries it), nothing when nothing was due."""
    with session_factory(url)() as session:
        result = sweep(session, worker=worker)
    if result.fired:
        log.info("fired %d timer(s)", result.fired)
    for failure in result.failed:
        log.error("timer fired but the instance stopped in the error state: %s", failure.describe())
    return result


def clean_uploads_once(url: str) -> int:
    """Remove abandoned uploads (unreferenced for ``JIEBANG_UPLOAD_GRACE_HOURS``, default 24)."""
    grace = timedelta(hours=float(os.environ.get("JIEBANG_UPLOAD_GRACE_HOURS", "24")))
    with session_factory(url)() as session:
        result = clean_abandoned(session, upload_folder(), grace)
    if result.removed:
        log.info("removed %d abandoned upload(s), %d bytes", len(result.removed), result.freed_bytes)
    return len(result.removed)


def deliver_outbox_once(url: str, worker: str) -> int:
    """Send the due e-mail and SMS of the outbox (``engine.notify.outbox``: claimed, retried, sent once)."""
    with session_factory(url)() as session:
        result = deliver_due(session, worker)
    if result.sent or result.retried or result.failed:
        log.info("outbox: %d sent, %d to retry, %d failed", result.sent, result.retried, result.failed)
    return result.sent


def task_due_once(url: str) -> int:
    """Reminders, overdue notices and escalations of human tasks whose times passed (``engine.notify.due``)."""
    with session_factory(url)() as session:
        done = sweep_due(session)
    if done:
        log.info("task due dates: %d notice(s)", done)
    return done


#: Libraries that log every tick (APScheduler: job started, job done) or every engine step (SpiffWorkflow):
#: an operator sees only their warnings and errors.
QUIET_LOGGERS = ("apscheduler", "spiff")


def configure_logging() -> None:
    """INFO for what an operator needs (the sweeper starting, timers fired, uploads removed) and every error;
    nothing per tick."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def run_scheduler(interval: float = 1.0) -> None:
    configure_logging()
    url = default_database_url()
    worker = worker_name()
    scheduler = BlockingScheduler(timezone="UTC")
    scheduler.add_job(
        sweep_once,
        "interval",
        seconds=interval,
        args=[url, worker],
        max_instances=1,
        coalesce=True,
        id="timer-sweep",
    )
    scheduler.add_job(
        clean_uploads_once,
        "interval",
        hours=1,
        args=[url],
        max_instances=1,
        coalesce=True,
        id="uploads-clean",
    )
    scheduler.add_job(
        deliver_outbox_once,
        "interval",
        seconds=10,
        args=[url, worker],
        max_instances=1,
        coalesce=True,
        id="outbox-deliver",
    )
    scheduler.add_job(
        task_due_once,
        "interval",
        seconds=30,
        args=[url],
        max_instances=1,
        coalesce=True,
        id="task-due",
    )
    log.info("timer sweep every %.1f s as %s", interval, worker)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
