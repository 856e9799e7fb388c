"""A failing diagram step never half-saves: the instance is flagged, a supervisor fixes data and retries."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import instances, tasks
from engine.errors import Forbidden, InvalidState
from engine.models.instance import ProcessInstance
from engine.runtime import StepFailed


@pytest.fixture
def deployed(db_session: Session, deploy, people, sim):  # type: ignore[no-untyped-def]
    sim.set("2026-05-01T09:00:00+08:00")
    deploy("failing")
    return people


def test_failed_script_keeps_the_completed_task_and_flags_the_instance(db_session: Session, deployed) -> None:
    inst = instances.start_instance(
        db_session, "divide", data={"amount": 10, "divisor": 0, "jurisdiction": "urumqi"}
    )
    (task,) = tasks.list_tasks(db_session, instance_id=inst.id)
    result = tasks.complete(db_session, task.id, actor=deployed["bureau"])
    assert result.instance_status == "error"
    info = instances.describe(db_session, inst.id)
    assert info["error"]["task"].endswith("(calc)")
    assert "ZeroDivisionError" in info["error"]["message"]
    assert tasks.list_tasks(db_session, instance_id=inst.id) == []
    with pytest.raises(InvalidState):
        instances.suspend(db_session, inst.id, actor=deployed["bureau"])
    with pytest.raises(Forbidden):
        instances.retry(db_session, inst.id, actor=deployed["issuer"], data={"divisor": 2})
    instances.retry(db_session, inst.id, actor=deployed["bureau"], data={"divisor": 2})
    info = instances.describe(db_session, inst.id)
    assert info["status"] == "completed" and info["data"]["ratio"] == 5 and info["error"] is None
    kinds = [e["kind"] for e in instances.events(db_session, inst.id)]
    assert kinds == ["started", "task_completed", "error", "retried", "completed"]


def test_script_escape_at_run_time_is_contained_and_nothing_is_saved(db_session: Session, deployed) -> None:
    before = db_session.scalar(select(func.count()).select_from(ProcessInstance))
    with pytest.raises(StepFailed) as caught:
        instances.start_instance(db_session, "sneaky_runtime", data={"amount": 1})
    assert "peek" in caught.value.en.lower()
    assert db_session.scalar(select(func.count()).select_from(ProcessInstance)) == before
