"""Engine benchmarks, measured side by side in one run (the machine is shared and noisy: read the ratios).

1. one task completion: raw SpiffWorkflow in memory (``bench.raw``: the stored state restored with the cached
   specs, the task run, the engine steps, the state serialized) against our full ``complete`` path
   (authorization, form validation, lock, load, run, save, indexes, event log, commit) on the same instance
   at 10, 50 and 200 completed tasks, each of ours paired with raw on the state it starts from — target ≤ 3×
   (issue 15); also in CPU time, steady on a loaded machine (it leaves out I/O waits such as a commit's
   fsync). Ours is ``tasks.complete`` given the task's id, as raw is given the task (the driver's look-up and
   raw's run are in a transaction of their own, ended before ours starts). Ours twice: on the workflow the
   previous completion kept in memory (``engine.kept_workflows``, the usual case) and on a workflow restored
   from the stored state (nothing kept: after a restart, or another process changed it);
2. a timer sweep over 100 and 10,000 waiting instances with nothing due (target: same cost ±50%), and with
   100 due among 10,000;
3. the work-queue page for 100 and 10,000 instances — target ≤ 2×.

Usage: .venv/bin/python -m bench.run [--database URL] [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

import engine.models  # noqa: F401
from bench.database import Statements, fresh_database
from bench.raw import raw_step, stored_state
from engine import instances, tasks
from engine.clock import get_clock
from engine.db import begin_write
from engine.models.instance import InstanceState, ProcessInstance
from engine.models.task import HumanTask
from engine.models.timer import TimerDue
from engine.timers import sweep
from engine.users import add_user

HERE = Path(__file__).parent
STEP = {"score": 80, "comment": "符合要求"}


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``repeat`` calls, in milliseconds."""
    return timed_cpu(fn, repeat)[0]


def timed_cpu(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall and CPU time (this process: steady on a loaded machine, no I/O waits) of ``repeat`` calls,
    in milliseconds."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus)


@dataclass(frozen=True)
class Completion:
    tasks: int
    raw: float
    raw_cpu: float
    kept: float  # ours, on the workflow the previous completion kept
    kept_cpu: float
    restored: float  # ours, on a workflow restored from the stored state
    restored_cpu: float
    statements: float  # ours' SQL statements per completion


def bench_complete(
    session: Session, repeat: int, targets: tuple[int, ...] = (10, 50, 200)
) -> list[Completion]:
    """One completion at 10, 50 and 200 completed tasks: raw, ours on a kept workflow, ours restored. Each of
    ours is paired with a raw round trip on the very state it starts from (a completion adds tasks, so the
    state grows a little from one measurement to the next)."""
    from engine.kept_workflows import kept_workflows

    counter = Statements()
    inst = instances.start_instance(session, "many_steps", data={"jurisdiction": "bench"})
    rows = []
    done = 0
    for target in targets:
        while done < target:
            (task,) = tasks.list_tasks(session, instance_id=inst.id)
            tasks.complete(session, task.id, actor="bench", data=STEP)
            done += 1
        raws: tuple[list[float], list[float]] = ([], [])
        measured: dict[bool, tuple[list[float], list[float]]] = {True: ([], []), False: ([], [])}
        for _ in range(repeat):
            for keep in (True, False):
                if not keep:
                    kept_workflows.forget(inst.id)
                # the driver's look-ups (the task's id, the state for raw) and raw's run are not ours: their
                # transaction ends before ours starts, as a person's form posts the task's id
                (task,) = tasks.list_tasks(session, instance_id=inst.id)
                task_id = task.id  # read now: the rollback below expires the row
                raw_run = raw_step(session, inst.id, stored_state(session, inst.id), task_id, STEP)
                wall, cpu = time.perf_counter(), time.process_time()
                raw_run()
                raws[0].append((time.perf_counter() - wall) * 1000)
                raws[1].append((time.process_time() - cpu) * 1000)
                session.rollback()  # what raw's run read or wrote
                wall, cpu = time.perf_counter(), time.process_time()
                with counter:
                    tasks.complete(session, task_id, actor="bench", data=STEP)
                measured[keep][0].append((time.perf_counter() - wall) * 1000)
                measured[keep][1].append((time.process_time() - cpu) * 1000)
                done += 1
        (kept, kept_cpu), (restored, restored_cpu) = measured[True], measured[False]
        rows.append(
            Completion(
                target,
                statistics.median(raws[0]),
                statistics.median(raws[1]),
                statistics.median(kept),
                statistics.median(kept_cpu),
                statistics.median(restored),
                statistics.median(restored_cpu),
                counter.per_call(),
            )
        )
        counter = Statements()
    return rows


def _clone_waiting(
    session: Session, count: int, due_offset: timedelta, template: ProcessInstance, due_count: int = 0
) -> None:
    """Bulk-copy a waiting instance (state, timer row, human-task row) ``count`` times; the sweep and the
    queue read only the indexes, so copies are as good as instances started one by one."""
    begin_write(session)  # it reads the template, then writes: one writer's transaction
    now = get_clock(session).now()
    stored = session.get(InstanceState, template.id)
    assert stored is not None
    base = session.scalar(select(ProcessInstance.id).order_by(ProcessInstance.id.desc()).limit(1)) or 0
    inst_rows, state_rows, timer_rows, task_rows = [], [], [], []
    for i in range(count):
        iid = base + 1 + i
        inst_rows.append(
            {
                "id": iid,
                "process_version_id": template.process_version_id,
                "process_key": template.process_key,
                "version": template.version,
                "business_key": f"B-{iid}",
                "jurisdiction": "bench",
                "status": "running",
                "lock_version": 1,
                "started_at": now,
                "updated_at": now,
            }
        )
        state_rows.append(
            {
                "instance_id": iid,
                "state_json": stored.state_json,
                "serializer_version": stored.serializer_version,
            }
        )
        due = now - timedelta(minutes=1) if i < due_count else now + due_offset
        timer_rows.append(
            {
                "instance_id": iid,
                "task_id": f"00000000-0000-0000-0000-{iid:012d}",
                "task_spec": "wait",
                "due_at": due,
            }
        )
        task_rows.append(
            {
                "id": f"10000000-0000-0000-0000-{iid:012d}",
                "instance_id": iid,
                "process_key": template.process_key,
                "business_key": f"B-{iid}",
                "jurisdiction": "bench",
                "task_spec": "confirm",
                "name": "确认",
                "lane": "bureau",
                "status": "ready",
                "created_at": now,
            }
        )
    for chunk in range(0, count, 1000):
        session.execute(insert(ProcessInstance), inst_rows[chunk : chunk + 1000])
        session.execute(insert(InstanceState), state_rows[chunk : chunk + 1000])
        session.execute(insert(TimerDue), timer_rows[chunk : chunk + 1000])
        session.execute(insert(HumanTask), task_rows[chunk : chunk + 1000])
    if session.get_bind().dialect.name == "postgresql":  # explicit ids bypassed the sequence
        session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('process_instance', 'id'), (SELECT max(id) FROM process_instance))"
            )
        )
    session.commit()


def bench_indexes(session: Session, repeat: int) -> dict[str, float]:
    template = instances.start_instance(session, "timer_wait", data={"wait_for": "P30D"})
    results: dict[str, float] = {}
    _clone_waiting(session, 99, timedelta(days=30), template)
    results["sweep_idle_100"] = timed(lambda: sweep(session), repeat)
    results["queue_100"] = timed(lambda: tasks.list_tasks(session, limit=50), repeat)
    _clone_waiting(session, 9900, timedelta(days=30), template)
    results["sweep_idle_10000"] = timed(lambda: sweep(session), repeat)
    results["queue_10000"] = timed(lambda: tasks.list_tasks(session, limit=50), repeat)
    # 100 due among 10,000: real instances, so that firing does real work
    clock = get_clock(session)
    due_ids = [
        instances.start_instance(session, "timer_wait", data={"wait_for": "PT1M"}).id for _ in range(100)
    ]
    clock.set(clock.now() + timedelta(minutes=2))
    session.commit()
    start = time.perf_counter()
    fired = sweep(session).fired
    results["sweep_100_due_of_10000"] = (time.perf_counter() - start) * 1000
    assert fired == len(due_ids), fired
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    url = args.database or f"sqlite:///{tmp.name}/bench.sqlite3"
    eng, session = fresh_database(
        url, "2026-05-06T09:00:00+08:00", [HERE / "fixtures", HERE.parent / "tests" / "fixtures" / "timer"]
    )
    add_user(session, "bench", roles=["bureau"])
    from web.serving import tune_gc

    tune_gc()  # as web/serving.py tunes each worker after start-up
    print(f"database: {eng.dialect.name}; median of {args.repeat} runs; milliseconds\n")
    print(
        "| completed tasks | raw SpiffWorkflow round trip | ours, kept workflow | ratio (target ≤ 3×) "
        "| ours, restored workflow | ratio | CPU: raw | CPU: kept | CPU ratio | CPU: restored | CPU ratio "
        "| statements |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for c in bench_complete(session, args.repeat):
        print(
            f"| {c.tasks} | {c.raw:.2f} | {c.kept:.2f} | {c.kept / c.raw:.2f}× | {c.restored:.2f} | "
            f"{c.restored / c.raw:.2f}× | {c.raw_cpu:.2f} | {c.kept_cpu:.2f} | {c.kept_cpu / c.raw_cpu:.2f}× | "
            f"{c.restored_cpu:.2f} | {c.restored_cpu / c.raw_cpu:.2f}× | {c.statements:.1f} |"
        )
    r = bench_indexes(session, args.repeat)
    print("\n| measurement | 100 instances | 10,000 instances | ratio | target |")
    print("| --- | ---: | ---: | ---: | --- |")
    print(
        f"| timer sweep, nothing due | {r['sweep_idle_100']:.2f} | {r['sweep_idle_10000']:.2f} | "
        f"{r['sweep_idle_10000'] / r['sweep_idle_100']:.2f}× | 0.5–1.5× |"
    )
    print(
        f"| work-queue page (50 rows) | {r['queue_100']:.2f} | {r['queue_10000']:.2f} | "
        f"{r['queue_10000'] / r['queue_100']:.2f}× | ≤ 2× |"
    )
    print(
        f"\ntimer sweep with 100 due among 10,100 waiting: {r['sweep_100_due_of_10000']:.1f} ms in all "
        f"({r['sweep_100_due_of_10000'] / 100:.2f} ms per fired timer)"
    )
    session.close()
    tmp.cleanup()


if __name__ == "__main__":
    main()
