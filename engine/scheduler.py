"""`jiebang scheduler`: APScheduler runs the timer sweep every second (one sweep at a time per process)."""

from __future__ import annotations

import logging

from apscheduler.schedulers.blocking import BlockingScheduler

from engine.db import default_database_url, session_factory
from engine.timers import sweep, worker_name

log = logging.getLogger("jiebang.scheduler")


def sweep_once(url: str, worker: str) -> int:
    with session_factory(url)() as session:
        fired = sweep(session, worker=worker)
    if fired:
        log.info("fired %d timer(s)", fired)
    return fired


def run_scheduler(interval: float = 1.0) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
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
    log.info("timer sweep every %.1f s as %s", interval, worker)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
