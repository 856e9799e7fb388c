"""A whole Dazu lifecycle step by step: our path against raw SpiffWorkflow on the same state, and the stored
state's size after every step.

The lifecycle is tests/lifecycle/drivers.py ``dazu_lifecycle`` (need → need panel → review → municipal check →
list approval → list → applications → panel → five experts' scores → selection → approval → publicity → task
book → payments → two milestone checks → acceptance → fund audit → the issuer's final payment), the driver the
lifecycle tests use, so a change of the diagram breaks tests/lifecycle/test_bench_lifecycle.py, not the bench. For each step, "ours" is the whole door (authorization, form
validation, lock, load, run, engine steps, compaction, save, indexes, notifications, event log, commit);
"raw" is plain SpiffWorkflow in memory on the very state our step started from, with the same cached specs
and script engine: deserialize, set the cleaned form data, run the task, engine steps, serialize (a timer
step: deserialize, refresh timers, engine steps, serialize). The machine is shared and noisy: read the ratios.

Raw is the median of several runs, so its imports and caches are warm; ours runs each step once. So that both
are measured in the same steady state (a web worker that has served a few requests), a first lifecycle of
another case runs before the measured one; its totals are printed too, as the cost in a fresh process (modules
imported on first use, statements compiled, caches filled). ``--cold`` measures the first lifecycle instead.

Our changes run on the workflow the instance's previous change kept in memory when the stored state is exactly
what that change wrote (``engine.kept_workflows``); raw deserializes at every step. So a third case runs with
nothing kept, as after a restart or when another web process made the last change, and its totals are printed
as well.

Usage: .venv/bin/python -m bench.lifecycle [--database URL] [--repeat N] [--cold]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.raw import raw_step, stored_state

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Step:
    label: str
    ours_ms: float
    raw_ms: float | None
    state_bytes: int
    pack_ms: float  # restoring and serializing the stored state after the step (what every later step pays;
    # CPU time, the least of the runs)
    ours_cpu_ms: float = 0.0  # this process's CPU time (steady on a loaded machine; no I/O waits, and on
    raw_cpu_ms: float = 0.0  # PostgreSQL none of the server's work)
    tasks: int = 0  # tasks in the stored workflow after the step, its live subprocesses' included
    statements: int = (
        0  # SQL statements sent by the step's completion or sweep (the driver's look-ups left out)
    )
    lookup_cpu_ms: float = 0.0  # the driver finding the task's id (listing the instance's tasks): not in ours


class Sim:
    """The simulated clock the lifecycle drivers expect (tests/conftest.py ``sim``)."""

    def __init__(self, session: Session) -> None:
        from engine.clock import get_clock

        self.session, self.clock = session, get_clock(session)

    def set(self, iso: str) -> None:
        from engine.clock import parse_aware

        self.clock.set(parse_aware(iso))
        self.session.commit()

    def now(self):  # type: ignore[no-untyped-def]
        return self.clock.now()


def _size_and_pack(session: Session, iid: int, repeat: int) -> tuple[int, float, int]:
    """The stored state's size, its unpack+pack CPU ms, and the tasks in the workflow and its subprocesses."""
    from engine.models.instance import ProcessInstance
    from engine.runtime import version_specs
    from engine.specs import join_state, split_state

    state = stored_state(session, iid)
    instance = session.get(ProcessInstance, iid)
    assert instance is not None
    specs = version_specs(instance.process_version)
    wf = join_state(specs, *state)
    tasks = len(wf.tasks) + sum(len(sp.tasks) for sp in wf.subprocesses.values())
    pack = _least(lambda: split_state(join_state(specs, *state)), repeat)
    return len(state[0].encode()), pack, tasks


def _least(fn: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` calls, in CPU milliseconds: a fixed piece of work in this process, so the
    least is the estimate a shared, noisy machine disturbs least."""
    return min(_clocked(fn)[1] for _ in range(max(repeat, 3)))


def _median(fn: Callable[[], object], repeat: int) -> float:
    return _medians(fn, repeat)[0]


def _medians(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds of ``repeat`` calls."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = _clocked(fn)
        walls.append(wall)
        cpus.append(cpu)
    return statistics.median(walls), statistics.median(cpus)


def _clocked(fn: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU milliseconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def run_lifecycle(session: Session, repeat: int, key: str = "BENCH") -> list[Step]:
    """The lifecycle of one case (business key ``<J>-<key>``), measured step by step."""
    from bench.database import Statements
    from engine import tasks
    from engine.models.event import InstanceEvent
    from engine.timers import sweep
    from tests.lifecycle import conftest as lc
    from tests.lifecycle import drivers

    sim = Sim(session)
    steps: list[Step] = []
    counter = Statements()
    complete = tasks.complete
    clocked: list[tuple[float, float]] = []  # wall and CPU ms of each completion the driver made

    def counted(session: Session, *args: Any, **kwargs: Any) -> Any:
        session.commit()  # the transaction of the driver's look-ups ends before ours starts (as in bench.run)
        with counter:
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return complete(session, *args, **kwargs)
            finally:
                clocked.append(((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000))

    class TimedFlow(lc.Flow):
        def do(self, spec: str, data: dict[str, Any] | None = None, role: str | None = None) -> None:
            before = stored_state(self.s, self.id)
            (row,) = [t for t in tasks.list_tasks(self.s, instance_id=self.id) if t.task_spec == spec][:1]
            sent = counter.sent
            tasks.complete = counted  # type: ignore[assignment]
            clocked.clear()
            try:
                _, driven_cpu = _clocked(lambda: super(TimedFlow, self).do(spec, data, role))
            finally:
                tasks.complete = complete  # type: ignore[assignment]
            sent = counter.sent - sent
            # ours is the completion, given the task's id as raw is given it (a person's form posts it); the
            # driver's look-up of that id (listing the instance's tasks) is counted apart
            ((ours, ours_cpu),) = clocked
            event = self.s.scalars(
                select(InstanceEvent)
                .where(InstanceEvent.instance_id == self.id, InstanceEvent.kind == "task_completed")
                .order_by(InstanceEvent.id.desc())
                .limit(1)
            ).one()
            cleaned = json.loads(event.data_json) if event.data_json else {}
            raw, raw_cpu = _medians(raw_step(self.s, self.id, before, row.id, cleaned), repeat)
            self.s.rollback()  # what the diagram's scripts wrote to the domain tables in the raw runs
            size, pack, count = _size_and_pack(self.s, self.id, repeat)
            steps.append(
                Step(spec, ours, raw, size, pack, ours_cpu, raw_cpu, count, sent, driven_cpu - ours_cpu)
            )

        def at(self, iso: str) -> int:
            before = stored_state(self.s, self.id)
            self.sim.set(iso)
            fired = 0

            def fire() -> None:
                nonlocal fired
                with counter:
                    fired = sweep(self.s).fired

            sent = counter.sent
            self.s.commit()  # the driver's transaction (the state read above) ends before ours starts
            ours, ours_cpu = _clocked(fire)
            sent = counter.sent - sent
            if fired:
                raw, raw_cpu = _medians(raw_step(self.s, self.id, before, None, None), repeat)
                self.s.rollback()
                size, pack, count = _size_and_pack(self.s, self.id, repeat)
                steps.append(
                    Step(f"timer ({iso[:10]})", ours, raw, size, pack, ours_cpu, raw_cpu, count, sent)
                )
            return fired

    def start(jurisdiction: str) -> lc.Flow:
        return lc.start_challenge(
            session, sim, jurisdiction, f"{jurisdiction.upper()}-{key}", flow_class=TimedFlow
        )

    sim.set("2026-05-06T09:00:00+08:00")
    drivers.dazu_lifecycle(start)  # asserts the instance completed
    return steps


def prepare(url: str) -> Session:
    """Schema, holidays, the users and organisations of the lifecycle tests, bpmn/ deployed."""
    import engine.models  # noqa: F401
    from engine.bundle import collect_paths
    from engine.calendar import seed_from_chinesecalendar
    from engine.db import Base, get_engine, session_factory
    from engine.deploy import deploy_bundle
    from engine.users import add_user
    from tests.lifecycle.conftest import PANEL_EXPERTS, ROLES
    from web.demo import load_organisations

    os.environ["JIEBANG_SIMULATED_CLOCK"] = "1"
    eng = get_engine(url)
    Base.metadata.drop_all(eng)
    Base.metadata.create_all(eng)
    session = session_factory(url)()
    seed_from_chinesecalendar(session)
    for role in ROLES:
        add_user(session, f"{role}_dazu", roles=[role], jurisdiction="dazu")
    for name in PANEL_EXPERTS:
        add_user(session, name, roles=["expert"])
    load_organisations(session)
    Sim(session).set("2026-05-06T09:00:00+08:00")
    deploy_bundle(session, collect_paths([ROOT / "bpmn"]))
    session.commit()
    return session


@dataclass(frozen=True)
class Totals:
    """A lifecycle's sums over its steps, in milliseconds."""

    ours: float
    raw: float
    ours_cpu: float
    raw_cpu: float

    @classmethod
    def of(cls, steps: list[Step]) -> Totals:
        return cls(
            sum(s.ours_ms for s in steps),
            sum(s.raw_ms or 0 for s in steps),
            sum(s.ours_cpu_ms for s in steps),
            sum(s.raw_cpu_ms for s in steps),
        )


def report(
    steps: list[Step],
    warmup: list[Step] | None = None,
    restored: list[Step] | None = None,
    kept: tuple[int, int] | None = None,
) -> None:
    print(
        "| # | step | ours ms | raw SpiffWorkflow ms | ratio | state after (KB) | unpack+pack (CPU ms) | tasks "
        "| statements |"
    )
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for i, s in enumerate(steps, 1):
        raw = f"{s.raw_ms:.1f}" if s.raw_ms is not None else "–"
        ratio = f"{s.ours_ms / s.raw_ms:.2f}×" if s.raw_ms else "–"
        print(
            f"| {i} | {s.label} | {s.ours_ms:.1f} | {raw} | {ratio} | {s.state_bytes / 1024:.1f} | "
            f"{s.pack_ms:.1f} | {s.tasks} | {s.statements} |"
        )
    total = Totals.of(steps)
    first, last = steps[:3], steps[-3:]
    start_cost = statistics.mean(s.ours_ms for s in first)
    end_cost = statistics.mean(s.ours_ms for s in last)
    print(
        f"\nwhole lifecycle: ours {total.ours:.0f} ms, raw {total.raw:.0f} ms → {total.ours / total.raw:.2f}× "
        "(target ≤ 1.3×)"
    )
    print(
        f"the same in this process's CPU time (steady under load; leaves out I/O waits such as a commit's "
        f"fsync, and on PostgreSQL the server's work): ours {total.ours_cpu:.0f} ms, raw {total.raw_cpu:.0f} ms → "
        f"{total.ours_cpu / total.raw_cpu:.2f}×"
    )
    if kept is not None:
        print(
            f"changes that ran on the workflow the previous change kept in memory (engine.kept_workflows): "
            f"{kept[0]} of {kept[0] + kept[1]}; raw deserializes the stored state at every step"
        )
    if restored:
        r = Totals.of(restored)
        print(
            f"the same lifecycle of a third case with nothing kept (JIEBANG_KEPT_WORKFLOWS=0: every change "
            f"restores the stored state, as after a restart or when another process made the last change): "
            f"ours {r.ours:.0f} ms, raw {r.raw:.0f} ms → {r.ours / r.raw:.2f}×; CPU {r.ours_cpu:.0f} / "
            f"{r.raw_cpu:.0f} ms → {r.ours_cpu / r.raw_cpu:.2f}×"
        )
    print(
        f"ours is the completion given the task's id, as raw is given it; the driver's look-ups of the ids "
        f"(listing the instance's tasks before each completion, and ending their transaction; not in ours): "
        f"{sum(s.lookup_cpu_ms for s in steps):.0f} ms CPU in all"
    )
    print(
        f"SQL statements per step (the completion or the sweep, the driver's look-ups left out): "
        f"{statistics.mean(s.statements for s in steps):.1f}"
    )
    if warmup:
        w = Totals.of(warmup)
        print(
            f"the first lifecycle in this fresh process (not in the table: modules imported on first use, "
            f"statements compiled, caches filled): ours {w.ours:.0f} ms, raw {w.raw:.0f} ms → "
            f"{w.ours / w.raw:.2f}×"
        )
    print(f"state at the end: {steps[-1].state_bytes / 1024:.1f} KB (target ≤ 64 KB)")
    most = max(steps, key=lambda s: s.tasks)
    print(
        f"tasks in the workflow (live subprocesses included): {steps[-1].tasks} at the end, "
        f"most {most.tasks} (after {most.label})"
    )
    print(
        f"per-step cost, last three steps vs first three: {end_cost:.1f} / {start_cost:.1f} ms → "
        f"{end_cost / start_cost:.2f}× (different steps: the late ones run more scripts)"
    )
    largest = max(range(len(steps)), key=lambda i: steps[i].state_bytes)
    print(
        f"largest state over the lifecycle: {steps[largest].state_bytes / 1024:.1f} KB after step "
        f"{largest + 1} ({steps[largest].label}; bound ≤ 64 KB at every step, "
        "tests/lifecycle/test_state_layout.py)"
    )
    pack_start, pack_end = steps[0].pack_ms, steps[-1].pack_ms
    print(
        f"state unpack+pack each step pays (CPU), at the end vs after the first step: {pack_end:.1f} / "
        f"{pack_start:.1f} ms → {pack_end / pack_start:.2f}× (target ≤ 1.5×)"
    )
    dearest = max(range(len(steps)), key=lambda i: steps[i].pack_ms)
    print(
        f"largest unpack+pack over the lifecycle vs after the first step: {steps[dearest].pack_ms:.1f} / "
        f"{pack_start:.1f} ms → {steps[dearest].pack_ms / pack_start:.2f}× after step {dearest + 1} "
        f"({steps[dearest].label})"
    )
    overhead = [s.ours_ms / s.raw_ms for s in steps if s.raw_ms]
    print(
        f"ours / raw per step, median of the last three vs the first three: "
        f"{statistics.median(overhead[-3:]):.2f}× vs {statistics.median(overhead[:3]):.2f}×"
    )


def main() -> None:
    from engine.kept_workflows import kept_workflows
    from web.serving import tune_gc

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each raw step (median)")
    parser.add_argument(
        "--cold", action="store_true", help="measure the first lifecycle of the process (no warm-up case)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{tmp}/lifecycle.sqlite3"
        session = prepare(url)
        tune_gc()  # as web/serving.py tunes each worker after start-up
        warmup = None if args.cold else run_lifecycle(session, args.repeat, key="WARMUP")
        kept_workflows.clear()
        steps = run_lifecycle(session, args.repeat)
        kept = (kept_workflows.counts.hits, kept_workflows.counts.misses)
        size, kept_workflows.size = kept_workflows.size, 0
        kept_workflows.clear()
        restored = run_lifecycle(session, args.repeat, key="RESTORED")
        kept_workflows.size = size
        name = session.get_bind().dialect.name
        session.close()
    which = (
        "the first case of the process"
        if args.cold
        else "a second case (after a first one warmed the process)"
    )
    print(
        f"Dazu lifecycle, {len(steps)} steps, database: {name}; raw = median of {args.repeat} runs; "
        f"ours: {which}\n"
    )
    report(steps, warmup, restored, kept)


if __name__ == "__main__":
    main()
