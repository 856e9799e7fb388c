"""A change runs on the workflow the instance's last change kept in memory only when the stored state is exactly
what that change wrote; anything else (another process's change, a repair, a failure) restores from the
database, and the outcome is the same either way."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy.orm import Session

from engine import instances, tasks
from engine.kept_workflows import DEFAULT_SIZE, KeptWorkflows, _size_from_environment, kept_workflows
from engine.models.instance import InstanceState
from engine.runtime import version_specs
from engine.specs import join_state
from tests.integration.conftest import NEED, START

DECISION = {"decision": "approve", "reason": "符合条件"}


def _complete(session: Session, instance_id: int, spec: str, actor: str, data: dict[str, Any]) -> None:
    (task,) = [t for t in tasks.list_tasks(session, instance_id=instance_id) if t.task_spec == spec]
    tasks.complete(session, task.id, actor=actor, data=data)


def _stored(session: Session, instance_id: int) -> InstanceState:
    session.expire_all()
    stored = session.get(InstanceState, instance_id)
    assert stored is not None
    return stored


def test_the_next_change_runs_on_the_kept_workflow_and_stores_what_a_restored_one_would(
    db_session: Session, started, people
) -> None:
    assert started.id in kept_workflows  # the start kept its workflow
    hits = kept_workflows.counts.hits
    _complete(db_session, started.id, "submit", people["issuer"], NEED)
    assert kept_workflows.counts.hits == hits + 1
    _complete(db_session, started.id, "review", people["bureau"], DECISION)
    assert kept_workflows.counts.hits == hits + 2
    kept = json.loads(_stored(db_session, started.id).state_json)

    # the same two steps with nothing kept: restored from the database each time
    kept_workflows.size = 0
    try:
        kept_workflows.clear()
        other = instances.start_instance(
            db_session, "publicity_demo", business_key="C-1", data=dict(START), actor=people["bureau"]
        )
        _complete(db_session, other.id, "submit", people["issuer"], NEED)
        _complete(db_session, other.id, "review", people["bureau"], DECISION)
        assert kept_workflows.counts.hits == 0 and len(kept_workflows) == 0
    finally:
        kept_workflows.size = DEFAULT_SIZE
    restored = json.loads(_stored(db_session, other.id).state_json)
    info = instances.describe(db_session, started.id)
    assert info["data"]["decision"] == "approve" and info["data"]["title"] == "高温合金"
    assert instances.describe(db_session, other.id)["data"] == info["data"]
    other_info = instances.describe(db_session, other.id)
    assert info["timers"] and [t["task"] for t in info["ready_tasks"]] == [
        t["task"] for t in other_info["ready_tasks"]
    ]
    assert [t["task"] for t in info["timers"]] == [t["task"] for t in other_info["timers"]]
    assert kept["data"] == restored["data"] and len(kept["tasks"]) == len(restored["tasks"])


def test_a_state_stored_by_another_process_is_read_from_the_database(
    db_session: Session, started, people
) -> None:
    stored = _stored(db_session, started.id)
    text, version = stored.state_json, stored.serializer_version
    specs = version_specs(started.process_version)
    # another web process took the same instance from here and completed "submit"; this process still holds
    # the workflow of the state before it
    stale = join_state(specs, text, version)
    _complete(db_session, started.id, "submit", people["issuer"], NEED)
    kept_workflows.keep(started.id, stale, text, version)

    misses = kept_workflows.counts.misses
    _complete(
        db_session, started.id, "review", people["bureau"], DECISION
    )  # not a task of the stale workflow
    assert kept_workflows.counts.misses == misses + 1
    info = instances.describe(db_session, started.id)
    assert info["data"]["decision"] == "approve" and info["data"]["title"] == "高温合金"
    assert [e["kind"] for e in instances.events(db_session, started.id)] == [
        "started",
        "task_completed",
        "task_completed",
    ]


def test_a_failed_change_keeps_nothing(db_session: Session, deploy, people, sim) -> None:
    sim.set("2026-05-01T09:00:00+08:00")
    deploy("failing")
    inst = instances.start_instance(
        db_session, "divide", data={"amount": 10, "divisor": 0, "jurisdiction": "urumqi"}
    )
    assert inst.id in kept_workflows
    (task,) = tasks.list_tasks(db_session, instance_id=inst.id)
    assert tasks.complete(db_session, task.id, actor=people["bureau"]).instance_status == "error"
    assert inst.id not in kept_workflows  # the half-run workflow is thrown away with the failed change
    instances.retry(db_session, inst.id, actor=people["bureau"], data={"divisor": 2})
    info = instances.describe(db_session, inst.id)
    assert info["status"] == "completed" and info["data"]["ratio"] == 5
    assert inst.id not in kept_workflows  # a finished instance is not kept either


def _workflow(spec: object) -> Any:
    return SimpleNamespace(spec=spec, script_engine=object())


def test_the_store_is_bounded_and_gives_back_only_the_exact_state() -> None:
    store = KeptWorkflows(2)
    spec, other_spec = object(), object()
    for instance_id in (1, 2, 3):
        store.keep(instance_id, _workflow(spec), f"state {instance_id}", "1.4")
    assert len(store) == 2 and 1 not in store  # the least recently kept left first
    assert store.take(2, spec, "state 2 changed elsewhere", "1.4") is None
    assert 2 not in store  # taken, even when not given back
    store.keep(3, _workflow(spec), "state 3", "1.4")
    assert store.take(3, other_spec, "state 3", "1.4") is None  # another process version's spec
    store.keep(3, _workflow(spec), "state 3", "1.4")
    assert store.take(3, spec, "state 3", "1.3") is None  # written by another serializer version
    wf = _workflow(spec)
    store.keep(3, wf, "state 3", "1.4")
    assert wf.script_engine is None  # not bound to the session of the change that kept it
    assert store.take(3, spec, "state 3", "1.4") is wf and 3 not in store
    assert (store.counts.hits, store.counts.misses) == (1, 3)
    off = KeptWorkflows(0)
    off.keep(1, _workflow(spec), "state 1", "1.4")
    assert len(off) == 0


def test_the_size_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JIEBANG_KEPT_WORKFLOWS", raising=False)
    assert _size_from_environment() == 64
    monkeypatch.setenv("JIEBANG_KEPT_WORKFLOWS", "0")
    assert _size_from_environment() == 0
    monkeypatch.setenv("JIEBANG_KEPT_WORKFLOWS", "many")
    with pytest.raises(ValueError, match="JIEBANG_KEPT_WORKFLOWS"):
        _size_from_environment()
