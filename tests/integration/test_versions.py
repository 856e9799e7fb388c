"""Moving running instances to a newer version: preview, safe migration through the door, refusals."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from engine import instances, tasks, versions
from engine.bundle import collect_paths
from engine.deploy import deploy_bundle
from engine.errors import Conflict, Forbidden
from tests.conftest import FIXTURES

START = {"jurisdiction": "urumqi", "title": "迁移测试", "publicity_days": 7, "publicity_unit": "days"}


def _deploy_variant(session: Session, tmp_path: Path, edit) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "basic"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(FIXTURES / "basic", folder)
    diagram = folder / "publicity.bpmn"
    diagram.write_text(edit(diagram.read_text(encoding="utf-8")), encoding="utf-8")
    deploy_bundle(session, collect_paths([folder]), deployed_by="owner")


def _without_submit(xml: str) -> str:
    xml = re.sub(r'\s*<bpmn:userTask id="submit".*?</bpmn:userTask>', "", xml, flags=re.S)
    xml = xml.replace("<bpmn:flowNodeRef>submit</bpmn:flowNodeRef>", "")
    xml = re.sub(r'\s*<bpmn:sequenceFlow id="f2"[^>]*/>', "", xml)
    return xml.replace('targetRef="submit"', 'targetRef="review"').replace(
        "<bpmn:incoming>f2</bpmn:incoming>", "<bpmn:incoming>f1</bpmn:incoming>"
    )


@pytest.fixture
def running(db_session: Session, deploy, people, sim, calendar_loaded):  # type: ignore[no-untyped-def]
    sim.set("2026-09-28T10:00:00+08:00")
    deploy("basic")
    return instances.start_instance(
        db_session, "publicity_demo", business_key="M-1", data=dict(START), actor=people["bureau"]
    )


def test_preview_and_migrate_renamed_ready_task(db_session: Session, running, people, tmp_path: Path) -> None:
    (before,) = tasks.list_tasks(db_session, instance_id=running.id)
    _deploy_variant(
        db_session,
        tmp_path,
        lambda x: x.replace("提交需求 Submit need", "提交技术需求 Submit technology need"),
    )
    plan = versions.preview_migration(db_session, running.id)
    assert plan.safe and (plan.from_version, plan.to_version) == (1, 2)
    assert [c["element"] for c in plan.changed] == ["submit"]
    assert plan.changed[0]["state"] == "READY" and "bpmn_name" in plan.changed[0]["attributes"]
    db_session.expire_all()
    assert db_session.get(instances.ProcessInstance, running.id).version == 1  # preview saved nothing

    lock = db_session.get(instances.ProcessInstance, running.id).lock_version
    versions.migrate_instance(db_session, running.id, actor=people["bureau"], expected_lock_version=lock)
    db_session.expire_all()
    info = instances.describe(db_session, running.id)
    assert info["version"] == 2 and info["status"] == "running"
    (after,) = tasks.list_tasks(db_session, instance_id=running.id)
    assert after.id == before.id and after.name == "提交技术需求 Submit technology need"
    migrated = [e for e in instances.events(db_session, running.id) if e["kind"] == "migrated"]
    assert migrated and migrated[0]["data"]["to_version"] == 2 and migrated[0]["actor"] == people["bureau"]
    # the instance goes on with the new version
    tasks.complete(
        db_session,
        after.id,
        actor=people["issuer"],
        data={"title": "高温合金", "budget": "1,234.50", "pledge_unit": True},
    )
    (review,) = tasks.list_tasks(db_session, instance_id=running.id)
    assert review.task_spec == "review"


def test_migration_keeps_waiting_timer_due_time(
    db_session: Session, running, people, sim, tmp_path: Path
) -> None:
    (submit,) = tasks.list_tasks(db_session, instance_id=running.id)
    tasks.complete(
        db_session,
        submit.id,
        actor=people["issuer"],
        data={"title": "t", "budget": "1.00", "pledge_unit": True},
    )
    (review,) = tasks.list_tasks(db_session, instance_id=running.id)
    tasks.complete(
        db_session, review.id, actor=people["bureau"], data={"decision": "approve", "reason": "ok"}
    )
    due_before = instances.describe(db_session, running.id)["timers"]
    assert due_before
    sim.advance("P1D")
    _deploy_variant(db_session, tmp_path, lambda x: x.replace("审核 Review", "审核 Review (v2)"))
    plan = versions.migrate_instance(db_session, running.id, actor=people["admin"])
    assert [c["element"] for c in plan.changed] == ["review"]
    db_session.expire_all()
    assert instances.describe(db_session, running.id)["timers"] == due_before


def test_unsafe_migration_is_refused_and_changes_nothing(
    db_session: Session, running, people, tmp_path: Path
) -> None:
    (submit,) = tasks.list_tasks(db_session, instance_id=running.id)
    tasks.complete(
        db_session,
        submit.id,
        actor=people["issuer"],
        data={"title": "t", "budget": "1.00", "pledge_unit": True},
    )
    # v2 drops the completed user task "submit": the instance's history would point at nothing
    _deploy_variant(db_session, tmp_path, _without_submit)
    db_session.expire_all()
    lock = db_session.get(instances.ProcessInstance, running.id).lock_version
    plan = versions.preview_migration(db_session, running.id)
    assert not plan.safe
    assert [(p["element"]) for p in plan.problems] == ["submit"]
    assert [r["element"] for r in plan.removed] == ["submit"]
    with pytest.raises(versions.MigrationRefused) as refused:
        versions.migrate_instance(db_session, running.id, actor=people["admin"])
    assert refused.value.details["problems"]
    db_session.expire_all()
    inst = db_session.get(instances.ProcessInstance, running.id)
    assert (inst.version, inst.lock_version) == (1, lock)
    assert "migrated" not in [e["kind"] for e in instances.events(db_session, running.id)]


def test_migration_needs_a_newer_version_role_and_current_lock(
    db_session: Session, running, people, tmp_path: Path
) -> None:
    plan = versions.preview_migration(db_session, running.id)
    assert not plan.safe  # v1 is already the newest
    with pytest.raises(versions.MigrationRefused):
        versions.migrate_instance(db_session, running.id, actor=people["admin"])
    _deploy_variant(db_session, tmp_path, lambda x: x.replace("审核 Review", "审核 Review (v2)"))
    with pytest.raises(Forbidden):
        versions.migrate_instance(db_session, running.id, actor=people["other_bureau"])
    with pytest.raises(Conflict):
        versions.migrate_instance(db_session, running.id, actor=people["admin"], expected_lock_version=999)
    assert [i.id for i in versions.outdated_instances(db_session, "publicity_demo")] == [running.id]
    versions.migrate_instance(db_session, running.id, actor=people["admin"])
    assert versions.outdated_instances(db_session, "publicity_demo") == []
