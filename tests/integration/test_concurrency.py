"""Two sweepers, two clicks: each timer fires exactly once, one completion wins and the other is refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections import Counter

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine import instances, runtime, tasks
from engine.errors import Conflict
from engine.models.event import InstanceEvent
from engine.models.timer import TimerDue

NEED = {"title": "高温合金", "budget": "100", "pledge_unit": True}


def _cli_env(db_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"JIEBANG_DATABASE_URL": db_url, "JIEBANG_SIMULATED_CLOCK": "1"})
    return env


@pytest.mark.slow
def test_two_concurrent_sweepers_fire_200_timers_exactly_once(
    db_session: Session, db_url: str, deploy, sim, people
) -> None:
    deploy("timer")
    sim.set("2026-05-01T09:00:00+08:00")
    ids = [
        instances.start_instance(db_session, "timer_wait", data={"wait_for": "PT1H"}).id for _ in range(200)
    ]
    assert db_session.query(TimerDue).count() == 200
    sim.advance("PT2H")
    cmd = [sys.executable, "-c", "from engine.cli import main; main()", "timers", "run", "--json"]
    procs = [
        subprocess.Popen(cmd, env=_cli_env(db_url), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    fired = [json.loads(out)["fired"] for out, _err in outputs]
    assert sum(fired) == 200, fired
    db_session.rollback()  # end the old snapshot: other connections committed meanwhile
    per_instance = Counter(
        db_session.scalars(select(InstanceEvent.instance_id).where(InstanceEvent.kind == "timer_fired"))
    )
    assert set(per_instance) == set(ids) and set(per_instance.values()) == {1}
    assert db_session.query(TimerDue).count() == 0
    assert len(tasks.list_tasks(db_session, limit=1000)) == 200


def test_two_concurrent_completions_one_wins_one_conflicts(
    db_session: Session, db_engine, deploy, sim, people, calendar_loaded, monkeypatch
) -> None:
    deploy("basic")
    sim.set("2026-05-01T09:00:00+08:00")
    inst = instances.start_instance(
        db_session,
        "publicity_demo",
        data={"jurisdiction": "urumqi", "publicity_days": 7, "publicity_unit": "days"},
    )
    (task,) = tasks.list_tasks(db_session, instance_id=inst.id)
    barrier = threading.Barrier(2)
    original = runtime.load_workflow

    def meet_then_load(session, instance):  # type: ignore[no-untyped-def]
        # On PostgreSQL both threads hold the same loaded state here; on SQLite the second thread queues
        # behind the first one's write lock, so the barrier times out and the threads run one after another.
        try:
            barrier.wait(timeout=3)
        except threading.BrokenBarrierError:
            pass
        return original(session, instance)

    monkeypatch.setattr(runtime, "load_workflow", meet_then_load)
    outcomes: list[str] = []
    factory = sessionmaker(bind=db_engine, expire_on_commit=False)

    def click() -> None:
        with factory() as session:
            try:
                tasks.complete(session, task.id, actor=people["issuer"], data=NEED)
                outcomes.append("won")
            except Conflict as exc:
                outcomes.append("conflict:" + exc.en)

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(o.split(":")[0] for o in outcomes) == ["conflict", "won"], outcomes
    db_session.rollback()  # end the old snapshot: other connections committed meanwhile
    completed = [e for e in instances.events(db_session, inst.id) if e["kind"] == "task_completed"]
    assert len(completed) == 1
    assert [t.task_spec for t in tasks.list_tasks(db_session, instance_id=inst.id)] == ["review"]
