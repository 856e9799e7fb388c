"""Endless loops in diagram code, measured (the tests assert only what happens and in which order; the times
are here):

1. a sweep whose first claims are an endless script and an endless DMN cell, with 5 ordinary timers behind
   them: wall-clock and CPU time of the whole sweep — each loop stops when its budget is spent (by default
   2 s of CPU, ``JIEBANG_SCRIPT_SECONDS``, or 1,000,000 steps, ``JIEBANG_SCRIPT_STEPS``, whichever comes
   first), so the sweep takes at most about that per loop;
2. sign-in over the Flask test client, idle and while an endless script (stopped by its CPU budget alone)
   holds its transaction: on SQLite it waits for the bounded step (one writer at a time), on PostgreSQL it
   does not (it shares the CPU and the interpreter with the loop).

The machine is shared and noisy: read the ratios.

Usage: .venv/bin/python -m bench.bounded [--database URL]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

import engine.models  # noqa: F401
from bench.database import fresh_database
from engine import instances
from engine.clock import get_clock
from engine.db import session_factory
from engine.limits import Budget, ScriptLimits
from engine.timers import sweep
from engine.users import add_user

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
WAIT = {"wait_for": "PT1H", "jurisdiction": "urumqi"}
PASSWORD = "bench-password"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _due(session: Session, *keys: str) -> None:
    """Start one instance of each of ``keys`` and move the clock past their timers."""
    for key in keys:
        instances.start_instance(session, key, data=WAIT)
    get_clock(session).advance("PT1H1M")
    session.commit()


def bench_sweep(session: Session) -> tuple[float, float]:
    _due(session, "spin_after_timer", "dmn_spin_after_timer", *["timer_wait"] * 5)
    started, cpu = time.perf_counter(), time.thread_time()
    sweep(session, batch=2)
    return time.perf_counter() - started, time.thread_time() - cpu


def _signed_out(client) -> str:  # type: ignore[no-untyped-def]
    """Sign out; the sign-in form's token."""
    client.post("/logout", data={"csrf_token": _token(client, "/tasks")})
    return _token(client, "/login")


def _sign_in_seconds(client, token: str) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    answer = client.post("/login", data={"csrf_token": token, "username": "bench", "password": PASSWORD})
    elapsed = time.perf_counter() - started
    assert answer.status_code == 302, answer.status_code
    return elapsed


def _token(client, path: str) -> str:  # type: ignore[no-untyped-def]
    found = TOKEN.search(client.get(path).get_data(as_text=True))
    return found.group(1) if found else ""


def bench_sign_in(session: Session, url: str, tmp: str) -> tuple[float, float]:
    from web.app import create_app

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "UPLOAD_FOLDER": f"{tmp}/uploads"}
    )
    client = app.test_client()
    idle = statistics.median(_sign_in_seconds(client, _signed_out(client)) for _ in range(5))
    _due(session, "spin_after_timer")
    steps = os.environ.get("JIEBANG_SCRIPT_STEPS")
    os.environ["JIEBANG_SCRIPT_STEPS"] = str(10**12)  # the loop runs its whole CPU budget
    try:
        looping = threading.Event()
        tick = Budget.tick

        def watched_tick(budget: Budget) -> None:  # tells when the endless script has begun
            if budget.steps > 10_000:
                looping.set()
            tick(budget)

        Budget.tick = watched_tick  # type: ignore[method-assign]
        sweeper = threading.Thread(target=lambda: sweep(session_factory(url)()))
        token = _signed_out(client)  # before the loop: signing out writes too
        sweeper.start()
        looping.wait(60)
        during = _sign_in_seconds(client, token)
        sweeper.join()
    finally:
        Budget.tick = tick  # type: ignore[method-assign]
        if steps is None:
            del os.environ["JIEBANG_SCRIPT_STEPS"]
        else:
            os.environ["JIEBANG_SCRIPT_STEPS"] = steps
    return idle, during


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    url = args.database or f"sqlite:///{tmp.name}/bench.sqlite3"
    eng, session = fresh_database(url, "2026-05-01T09:00:00+08:00", [FIXTURES / "timer", FIXTURES / "bounds"])
    add_user(session, "bench", roles=["bureau"], password_hash=generate_password_hash(PASSWORD))
    session.commit()
    limits = ScriptLimits.from_env()
    budget = limits.seconds
    print(
        f"database: {eng.dialect.name}; script budget {budget:g} s of CPU or {limits.steps:,} steps; seconds\n"
    )
    wall, cpu = bench_sweep(session)
    print("| measurement | wall | CPU | CPU budget × loops (at most) |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| sweep: 2 endless loops + 5 timers | {wall:.2f} | {cpu:.2f} | {2 * budget:.2f} |")
    idle, during = bench_sign_in(session, url, tmp.name)
    print("\n| sign-in, idle (median of 5) | sign-in while a loop holds its transaction | ratio |")
    print("| ---: | ---: | ---: |")
    print(f"| {idle:.3f} | {during:.3f} | {during / idle:.1f}× |")
    session.close()
    eng.dispose()
    tmp.cleanup()


if __name__ == "__main__":
    main()
