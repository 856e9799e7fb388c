"""The shared publicity subprocess in bpmn/shared: windows per policy, objections interrupt it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from engine import instances, messages, tasks
from engine.bundle import collect_paths
from engine.deploy import deploy_bundle
from engine.timers import sweep

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
NOTICE = {"notice_title": "2026 年度拟支持项目公示", "notice_body": "……", "subsidy": "3,000,000"}


@pytest.fixture
def in_publicity(db_session: Session, people, sim, calendar_loaded):  # type: ignore[no-untyped-def]
    deploy_bundle(db_session, collect_paths([BPMN]))
    sim.set("2026-09-28T10:00:00+08:00")

    def start(length: int, unit: str) -> int:
        inst = instances.start_instance(
            db_session,
            "publicity_demo",
            business_key="P-1",
            data={"jurisdiction": "urumqi", "publicity_length": length, "publicity_unit": unit},
        )
        (task,) = tasks.list_tasks(db_session, instance_id=inst.id)
        tasks.complete(db_session, task.id, actor=people["bureau"], data=NOTICE)
        return inst.id

    return start


def test_five_working_days_over_national_day_then_passed(db_session: Session, in_publicity, sim) -> None:
    """001 八(五), 003 §12(6): 5 working days; holidays and make-up days respected."""
    iid = in_publicity(5, "working_days")
    info = instances.describe(db_session, iid)
    assert info["timers"][0]["due_at"] == "2026-10-09T16:00:00+00:00"
    sim.set("2026-10-10T00:00:00+08:00")
    assert sweep(db_session).fired == 1
    info = instances.describe(db_session, iid)
    assert info["status"] == "completed" and info["data"]["publicity_result"] == "passed"
    assert info["data"]["subsidy"] == 300000000


def test_unfounded_objection_restarts_a_full_window(db_session: Session, in_publicity, sim, people) -> None:
    """000 §12(5): 7 days; an objection interrupts, and continuing means a new full window."""
    iid = in_publicity(7, "days")
    sim.set("2026-10-02T09:00:00+08:00")
    messages.deliver(
        db_session, "objection", correlation={"business_key": "P-1"}, payload={"text": "单位存在关联"}
    )
    assert instances.describe(db_session, iid)["timers"] == []
    (task,) = tasks.list_tasks(db_session, instance_id=iid)
    assert task.task_spec == "handle_objection"
    tasks.complete(
        db_session,
        task.id,
        actor=people["bureau"],
        data={"objection_decision": "continue", "objection_reason": "经核实不存在关联关系"},
    )
    info = instances.describe(db_session, iid)
    assert info["timers"][0]["due_at"] == "2026-10-08T16:00:00+00:00"  # 7 days from 10-02, not from 09-28
    sim.set("2026-10-09T00:00:00+08:00")
    assert sweep(db_session).fired == 1
    assert instances.describe(db_session, iid)["data"]["publicity_result"] == "passed"


def test_upheld_objection_stops(db_session: Session, in_publicity, people) -> None:
    iid = in_publicity(7, "days")
    messages.deliver(db_session, "objection", correlation={"business_key": "P-1"}, payload={"text": "造假"})
    (task,) = tasks.list_tasks(db_session, instance_id=iid)
    tasks.complete(
        db_session,
        task.id,
        actor=people["bureau"],
        data={"objection_decision": "stop", "objection_reason": "属实"},
    )
    info = instances.describe(db_session, iid)
    assert info["status"] == "completed" and info["data"]["publicity_result"] == "stopped"
