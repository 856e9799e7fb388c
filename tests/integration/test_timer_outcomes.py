"""What a sweep reports (issue 15): a timer whose next step fails puts its instance in the error state and is
reported as failed, never as fired; the scheduler logs one INFO line for the fired timers and one ERROR line
per failed instance; `jiebang timers run` prints both (SQLite and PostgreSQL)."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.orm import Session

from engine import instances, tasks
from engine.scheduler import sweep_once
from engine.timers import sweep

WAIT = {"wait_for": "PT1H", "jurisdiction": "urumqi", "amount": 10}


@pytest.fixture
def due(db_session: Session, deploy, sim) -> dict[str, list[int]]:  # type: ignore[no-untyped-def]
    """Two instances whose step after the timer divides by zero and three that go on, all due now."""
    deploy("timer", "timer_fails")
    sim.set("2026-05-01T09:00:00+08:00")
    failing = [
        instances.start_instance(db_session, "divide_after_timer", data={**WAIT, "divisor": 0}).id
        for _ in range(2)
    ]
    going = [instances.start_instance(db_session, "divide_after_timer", data={**WAIT, "divisor": 5}).id]
    going += [instances.start_instance(db_session, "timer_wait", data=WAIT).id for _ in range(2)]
    sim.advance("PT1H1M")
    return {"failing": failing, "going": going}


def test_a_timer_whose_next_step_fails_is_reported_as_failed_not_fired(
    db_session: Session, due: dict[str, list[int]]
) -> None:
    result = sweep(db_session, batch=2)

    assert result.fired == 3
    assert sorted(f.instance_id for f in result.failed) == due["failing"]
    for failure in result.failed:
        assert failure.where is not None and failure.where.endswith("(ratio)")
        assert "division" in failure.message
        assert f"instance {failure.instance_id} at " in failure.describe()
        info = instances.describe(db_session, failure.instance_id)
        assert info["status"] == "error" and info["error"]["message"] == failure.message
    for instance_id in due["going"]:
        assert [t.task_spec for t in tasks.list_tasks(db_session, instance_id=instance_id)] == ["confirm"]
    assert sweep(db_session).fired == 0 and sweep(db_session).failed == []  # reported once


def test_the_scheduler_logs_fired_timers_once_and_each_failure(
    db_session: Session, db_url: str, due: dict[str, list[int]], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="jiebang"):
        result = sweep_once(db_url, "scheduler-test")
    assert result.fired == 3
    lines = [(r.levelno, r.getMessage()) for r in caplog.records if r.name.startswith("jiebang")]
    assert lines[0] == (logging.INFO, "fired 3 timer(s)")
    errors = sorted(message for level, message in lines[1:] if level == logging.ERROR)
    assert len(lines) == 3 and len(errors) == 2
    for instance_id, message in zip(due["failing"], errors, strict=True):
        assert f"instance {instance_id} at " in message and "(ratio)" in message

    caplog.clear()
    with caplog.at_level(logging.INFO, logger="jiebang"):
        assert sweep_once(db_url, "scheduler-test").fired == 0
    assert [r for r in caplog.records if r.name.startswith("jiebang")] == []  # nothing due: nothing logged


def test_a_timer_a_firing_makes_due_at_once_fires_in_the_same_sweep(db_session: Session, deploy, sim) -> None:  # type: ignore[no-untyped-def]
    """A firing that reaches another timer due at the same instant (Karamay's acceptance after the last
    checkpoint) leaves a due timer row behind; the sweep fires it too, not a second later."""
    deploy("timer_chain")
    sim.set("2026-05-01T09:00:00+08:00")
    due_at = "2026-05-01T10:00:00+08:00"
    ids = [instances.start_instance(db_session, "timer_chain", data={"due_at": due_at}).id for _ in range(3)]
    sim.set(due_at)

    result = sweep(db_session, batch=2)

    assert result.failed == [] and result.fired == 6
    alone = instances.start_instance(
        db_session, "timer_chain", data={"due_at": "2026-05-01T11:00:00+08:00"}
    ).id
    sim.set("2026-05-01T11:00:00+08:00")
    assert sweep(db_session, batch=2).fired == 2  # the last firing of a sweep leaves a due timer too
    ids.append(alone)
    for instance_id in ids:
        assert [t.task_spec for t in tasks.list_tasks(db_session, instance_id=instance_id)] == ["confirm"]
