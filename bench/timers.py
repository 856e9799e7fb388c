"""Timers due → fired: 1 and 1,000 due at once, with one and with two sweepers (separate processes, as in
production), on the database given (PostgreSQL is what production runs; SQLite serialises its writers).

The waiting instances are copies of one started instance whose timer is already past (listing row, state,
timer row), so each firing does the real work: claim, load, fire, engine steps, save, commit. Each sweeper is
a process that has imported everything before the clock starts; the time is from "go" until the last
sweeper has fired all it claimed. The machine is shared and noisy: read the ratios.

Usage: .venv/bin/python -m bench.timers [--database URL] [--counts 1,1000]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select, text, update

from bench.database import drop_schema, schema_url

ROOT = Path(__file__).resolve().parents[1]
UUIDS = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TARGET_S = 5.0
#: the measured timers are due this long after the warm-up ones
DUE = timedelta(minutes=5)  # issue 15: 1,000 due at once all fired within 5 s with two sweepers on PostgreSQL


def prepare(url: str) -> None:
    import engine.models  # noqa: F401
    from engine.bundle import collect_paths
    from engine.clock import get_clock, parse_aware
    from engine.db import Base, get_engine, session_factory
    from engine.deploy import deploy_bundle

    eng = get_engine(url)
    Base.metadata.drop_all(eng)
    Base.metadata.create_all(eng)
    with session_factory(url)() as session:
        get_clock(session).set(parse_aware("2026-05-06T09:00:00+08:00"))
        session.commit()
        deploy_bundle(session, collect_paths([ROOT / "tests" / "fixtures" / "timer"]))


def make_due(url: str, count: int, warm: int) -> None:
    """``count`` running instances whose timer falls due at once (copies of one started instance, due at
    ``DUE``), and ``warm`` more due a little earlier, one for each sweeper to fire before the clock starts
    (a sweeper is a long-running process: its first firing compiles its SQL and caches the specs)."""
    from engine import instances
    from engine.clock import get_clock
    from engine.db import session_factory
    from engine.models.instance import InstanceState, ProcessInstance
    from engine.models.timer import TimerDue

    with session_factory(url)() as session:
        clock = get_clock(session)
        template = instances.start_instance(session, "timer_wait", data={"wait_for": "PT1M"})
        stored = session.get(InstanceState, template.id)
        timer = session.scalars(select(TimerDue).where(TimerDue.instance_id == template.id)).one()
        assert stored is not None
        base = session.scalar(select(ProcessInstance.id).order_by(ProcessInstance.id.desc()).limit(1)) or 0
        now = clock.now()
        rows: tuple[list[dict], list[dict], list[dict]] = ([], [], [])
        task_ids = sorted(set(UUIDS.findall(stored.state_json)))
        for i in range(count + warm - 1):
            iid = base + 1 + i
            # every copy gets task ids of its own (the human-task rows are keyed by them)
            fresh = {old: str(uuid.uuid4()) for old in task_ids}
            state = UUIDS.sub(lambda m, f=fresh: f.get(m.group(0), m.group(0)), stored.state_json)
            rows[0].append(
                {
                    "id": iid,
                    "process_version_id": template.process_version_id,
                    "process_key": template.process_key,
                    "version": template.version,
                    "business_key": f"T-{iid}",
                    "status": "running",
                    "lock_version": 1,
                    "started_at": now,
                    "updated_at": now,
                }
            )
            rows[1].append(
                {"instance_id": iid, "state_json": state, "serializer_version": stored.serializer_version}
            )
            rows[2].append(
                {
                    "instance_id": iid,
                    "task_id": fresh.get(timer.task_id, timer.task_id),
                    "task_spec": timer.task_spec,
                    "due_at": timer.due_at + (DUE if i >= warm - 1 else timedelta(0)),
                }
            )
        for start in range(0, len(rows[0]), 500):
            session.execute(insert(ProcessInstance), rows[0][start : start + 500])
            session.execute(insert(InstanceState), rows[1][start : start + 500])
            session.execute(insert(TimerDue), rows[2][start : start + 500])
        if session.get_bind().dialect.name == "postgresql":
            session.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('process_instance', 'id'), "
                    "(SELECT max(id) FROM process_instance))"
                )
            )
        if warm == 0:
            session.execute(update(TimerDue).values(due_at=TimerDue.due_at + DUE))
        clock.set(now + timedelta(minutes=2))  # the warm-up rows are due, the measured ones not yet
        session.commit()


def worker(url: str) -> None:
    """One sweeper process: import and connect, say ready, wait for "go", sweep, print how many fired and
    how many SQL statements and commits it sent (counted by SQLAlchemy events from "go" on)."""
    from sqlalchemy import event

    from engine.db import get_engine, session_factory
    from engine.timers import sweep

    session = session_factory(url)()
    warmed = sweep(session, batch=1, max_rounds=1).fired  # one warm-up timer each (make_due)
    counts = {"statements": 0, "commits": 0}

    def statement(*_args: object) -> None:
        counts["statements"] += 1

    def commit(*_args: object) -> None:
        counts["commits"] += 1

    event.listen(get_engine(url), "before_cursor_execute", statement)
    event.listen(get_engine(url), "commit", commit)
    print(f"ready {warmed}", flush=True)
    sys.stdin.readline()
    fired = sweep(session, batch=int(os.environ.get("JIEBANG_SWEEP_BATCH", "10"))).fired
    print(fired, counts["statements"], counts["commits"], flush=True)


def fire(url: str, sweepers: int) -> tuple[float, int, float, float]:
    """Seconds from "go" until every sweeper is done, timers fired, SQL statements and commits per timer."""
    env = dict(os.environ, JIEBANG_SIMULATED_CLOCK="1")
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.timers", "--worker", url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        for _ in range(sweepers)
    ]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().startswith("ready")
    from engine.clock import get_clock
    from engine.db import session_factory

    with session_factory(url)() as session:  # the measured timers fall due now
        clock = get_clock(session)
        clock.set(clock.now() + DUE)
        session.commit()
    start = time.perf_counter()
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    fired = statements = commits = 0
    for p in procs:
        assert p.stdout is not None
        done, sent, committed = (int(n) for n in p.stdout.readline().split())
        fired, statements, commits = fired + done, statements + sent, commits + committed
        p.wait()
    seconds = time.perf_counter() - start
    return seconds, fired, statements / max(fired, 1), commits / max(fired, 1)


def fired_once(url: str) -> bool:
    """Every instance completed its wait exactly once (one timer_fired event each)."""
    from sqlalchemy import func

    from engine.db import session_factory
    from engine.models.event import InstanceEvent

    with session_factory(url)() as session:
        counts = session.execute(
            select(func.count())
            .select_from(InstanceEvent)
            .where(InstanceEvent.kind == "timer_fired")
            .group_by(InstanceEvent.instance_id)
        ).scalars()
        return all(c == 1 for c in counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--counts", default="1,1000", help="timers due at once")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return
    os.environ["JIEBANG_SIMULATED_CLOCK"] = "1"
    counts = [int(c) for c in args.counts.split(",")]
    results: dict[tuple[int, int], tuple[float, int, bool, float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        base = args.database or f"sqlite:///{tmp}/timers.sqlite3"
        for count in counts:
            for sweepers in (1, 2):
                url, schema = schema_url(base, "bench_timers")
                try:
                    prepare(url)
                    make_due(url, count, sweepers)
                    seconds, fired, statements, commits = fire(url, sweepers)
                    results[(count, sweepers)] = (seconds, fired, fired_once(url), statements, commits)
                finally:
                    drop_schema(base, schema)
                print(f"  {count} due, {sweepers} sweeper(s): {seconds:.2f} s", flush=True)
    dialect = "postgresql" if base.startswith("postgresql") else "sqlite"
    print(f"\ntimers due → all fired, database: {dialect}; seconds\n")
    print(
        "| due at once | one sweeper | two sweepers | fired (two) | each exactly once "
        "| SQL statements / timer | commits / timer | target |"
    )
    print("| ---: | ---: | ---: | ---: | --- | ---: | ---: | --- |")
    for count in counts:
        one, two = results[(count, 1)], results[(count, 2)]
        target = f"≤ {TARGET_S:.0f} s with two ({two[0] / TARGET_S:.2f}× of it)" if count >= 1000 else "–"
        once = "yes" if one[2] and two[2] and one[1] == two[1] == count else "NO"
        print(
            f"| {count} | {one[0]:.2f} | {two[0]:.2f} | {two[1]} | {once} | {two[3]:.1f} | {two[4]:.2f} "
            f"| {target} |"
        )


if __name__ == "__main__":
    main()
