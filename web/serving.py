"""Production serving: gunicorn with one worker process per core, each with a few threads.

Why gunicorn: a pre-forking server gives each core its own Python interpreter (a request's SpiffWorkflow step
is CPU-bound and holds the GIL; one process with many threads serialises them), restarts a worker that died,
and is the server every Flask deployment guide on Linux documents. Threads inside a worker (``gthread``)
cover waiting on the database. The app is created in each worker after the fork (no database connection is
shared between processes); its start-up objects are then moved out of the garbage collector's way
(``gc.freeze``) and the collector's first threshold is raised (``GC_THRESHOLDS``), so that full collections no
longer land inside requests and no collection keeps one waiting long.
"""

from __future__ import annotations

import gc
import os
from typing import Any

from gunicorn.app.base import BaseApplication

#: Objects allocated between collections of generation 0 (CPython's default is 700): fewer collections while
#: a request builds a workflow's thousands of small objects, yet each one short. The net allocations a
#: collection waits for are mostly the cycles earlier requests left behind (a loaded workflow's task tree), so
#: the threshold sets how much of that one collection frees inside one request: at 50,000 a task page waited
#: 60–150 ms for it every ~75 requests (its p99); at 5,000 the longest pause is 10–20 ms and the collector's
#: total time is no larger (measured on the task page at 10,000 instances, 300 requests).
GC_THRESHOLDS = (5_000, 20, 20)


def tune_gc() -> None:
    """Freeze what start-up made (modules, specs, the app) and raise the first threshold."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def default_workers() -> int:
    return max(os.cpu_count() or 1, 1)


class Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from web.app import create_app

        app = create_app()
        tune_gc()
        return app


def serve(host: str, port: int, *, workers: int, threads: int) -> None:
    Server(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": threads,
            "preload_app": False,  # each worker opens its own database connections
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "warning",
            "timeout": 120,
            "graceful_timeout": 30,
        }
    ).run()
