"""Instances and human tasks through the one door: start, forms, roles, claims, control, events, versions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from engine import instances, tasks
from engine.bundle import collect_paths
from engine.deploy import deploy_bundle
from engine.errors import Conflict, Forbidden, InvalidState, NotFound, ValidationFailed
from tests.conftest import FIXTURES
from tests.integration.conftest import NEED, START


def _only_task(session: Session, instance_id: int) -> tasks.HumanTask:
    ready = tasks.list_tasks(session, instance_id=instance_id)
    assert len(ready) == 1, [t.task_spec for t in ready]
    return ready[0]


def test_start_creates_first_task_in_issuer_lane(db_session: Session, started) -> None:
    task = _only_task(db_session, started.id)
    assert (task.task_spec, task.lane, task.form_key) == ("submit", "发榜方 (issuer)", "demo_need")
    info = instances.describe(db_session, started.id)
    assert info["status"] == "running" and info["version"] == 1
    assert info["data"]["title"] == "高温合金需求"
    assert [e["kind"] for e in instances.events(db_session, started.id)] == ["started"]


def test_form_errors_refuse_completion_and_change_nothing(db_session: Session, started, people) -> None:
    task = _only_task(db_session, started.id)
    before = started.lock_version
    with pytest.raises(ValidationFailed) as caught:
        tasks.complete(db_session, task.id, actor=people["issuer"], data={"title": "", "budget": "1.234"})
    fields = caught.value.details["fields"]
    assert {"title", "budget", "pledge_unit"} <= set(fields)
    db_session.expire_all()
    assert _only_task(db_session, started.id).id == task.id
    assert instances.describe(db_session, started.id)["lock_version"] == before


def test_forged_field_is_refused(db_session: Session, started, people) -> None:
    task = _only_task(db_session, started.id)
    with pytest.raises(ValidationFailed):
        tasks.complete(db_session, task.id, actor=people["issuer"], data={**NEED, "approved": True})


def test_money_is_stored_in_fen_and_flow_moves_to_bureau(db_session: Session, started, people) -> None:
    task = _only_task(db_session, started.id)
    result = tasks.complete(db_session, task.id, actor=people["issuer"], data=NEED)
    assert [t["task"] for t in result.next_tasks] == ["review"]
    assert instances.describe(db_session, started.id)["data"]["budget"] == 123450
    events = instances.events(db_session, started.id)
    done = next(e for e in events if e["kind"] == "task_completed")
    assert done["actor"] == "issuer1" and done["data"]["budget"] == 123450


def test_only_holders_of_the_lane_role_in_the_jurisdiction_may_complete(
    db_session: Session, started, people
) -> None:
    task = _only_task(db_session, started.id)
    with pytest.raises(Forbidden):
        tasks.complete(db_session, task.id, actor=people["solver"], data=NEED)
    tasks.complete(db_session, task.id, actor=people["issuer"], data=NEED)
    review = _only_task(db_session, started.id)
    with pytest.raises(Forbidden) as caught:
        tasks.complete(
            db_session, review.id, actor=people["other_bureau"], data={"decision": "approve", "reason": "ok"}
        )
    # the refusal names the role and its jurisdiction by their names, never by codes
    assert "the Science bureau of Urumqi" in caught.value.en


def test_completed_task_cannot_be_completed_again(db_session: Session, started, people) -> None:
    task = _only_task(db_session, started.id)
    tasks.complete(db_session, task.id, actor=people["issuer"], data=NEED)
    with pytest.raises(Conflict) as caught:
        tasks.complete(db_session, task.id, actor=people["issuer"], data=NEED)
    assert "issuer1" in caught.value.en


def test_stale_lock_version_is_a_conflict(db_session: Session, started, people) -> None:
    task = _only_task(db_session, started.id)
    with pytest.raises(Conflict):
        tasks.complete(
            db_session,
            task.id,
            actor=people["issuer"],
            data=NEED,
            expected_lock_version=started.lock_version - 1,
        )


def test_claim_blocks_others_until_unclaimed(db_session: Session, started, people) -> None:
    from engine.users import add_user

    add_user(db_session, "issuer2", roles=["issuer"], jurisdiction="urumqi")
    task = _only_task(db_session, started.id)
    tasks.claim(db_session, task.id, actor="issuer2")
    with pytest.raises(Conflict):
        tasks.claim(db_session, task.id, actor=people["issuer"])
    with pytest.raises(Conflict):
        tasks.complete(db_session, task.id, actor=people["issuer"], data=NEED)
    with pytest.raises(Forbidden):
        tasks.unclaim(db_session, task.id, actor=people["issuer"])
    tasks.unclaim(db_session, task.id, actor="issuer2")
    tasks.complete(db_session, task.id, actor=people["issuer"], data=NEED)
    kinds = [e["kind"] for e in instances.events(db_session, started.id)]
    assert kinds == ["started", "task_claimed", "task_unclaimed", "task_completed"]


def test_rejection_completes_the_instance(db_session: Session, started, people) -> None:
    tasks.complete(db_session, _only_task(db_session, started.id).id, actor=people["issuer"], data=NEED)
    tasks.complete(
        db_session,
        _only_task(db_session, started.id).id,
        actor=people["bureau"],
        data={"decision": "reject", "reason": "指标不清"},
    )
    info = instances.describe(db_session, started.id)
    assert info["status"] == "completed" and info["ready_tasks"] == [] and info["timers"] == []
    assert instances.events(db_session, started.id)[-1]["kind"] == "completed"


def test_suspend_hides_tasks_and_resume_restores_them(db_session: Session, started, people) -> None:
    with pytest.raises(Forbidden):
        instances.suspend(db_session, started.id, actor=people["issuer"])
    instances.suspend(db_session, started.id, actor=people["bureau"])
    assert tasks.list_tasks(db_session, instance_id=started.id) == []
    with pytest.raises(InvalidState):
        instances.suspend(db_session, started.id, actor=people["bureau"])
    instances.resume(db_session, started.id, actor=people["bureau"])
    assert len(tasks.list_tasks(db_session, instance_id=started.id)) == 1


def test_completion_of_a_suspended_instance_is_refused(db_session: Session, started, people) -> None:
    task = _only_task(db_session, started.id)
    instances.suspend(db_session, started.id, actor=people["admin"])
    with pytest.raises(InvalidState):
        tasks.complete(db_session, task.id, actor=people["issuer"], data=NEED)


def test_terminate_cancels_open_tasks(db_session: Session, started, people) -> None:
    task = _only_task(db_session, started.id)
    instances.terminate(db_session, started.id, actor=people["bureau"], reason="需求撤回")
    assert instances.describe(db_session, started.id)["status"] == "terminated"
    assert db_session.get(tasks.HumanTask, task.id).status == "cancelled"
    with pytest.raises(Conflict):
        tasks.complete(db_session, task.id, actor=people["issuer"], data=NEED)
    assert instances.events(db_session, started.id)[-1]["message"] == "需求撤回"


def test_unknown_process_and_instance_are_clear_errors(db_session: Session, people) -> None:
    with pytest.raises(NotFound) as caught:
        instances.start_instance(db_session, "nope")
    assert "jiebang deploy" in caught.value.en
    with pytest.raises(NotFound):
        instances.describe(db_session, 999)


def test_running_instances_keep_their_version(
    db_session: Session, tmp_path: Path, people, sim, calendar_loaded
) -> None:
    folder = tmp_path / "basic"
    shutil.copytree(FIXTURES / "basic", folder)
    deploy_bundle(db_session, collect_paths([folder]))
    old = instances.start_instance(db_session, "publicity_demo", data=dict(START))
    bpmn = folder / "publicity.bpmn"
    bpmn.write_text(bpmn.read_text(encoding="utf-8").replace("审核 Review", "复核 Recheck"), encoding="utf-8")
    deploy_bundle(db_session, collect_paths([folder]))
    new = instances.start_instance(db_session, "publicity_demo", data=dict(START))
    pinned = instances.start_instance(db_session, "publicity_demo", version=1, data=dict(START))
    assert (old.version, new.version, pinned.version) == (1, 2, 1)
    for inst, expected in ((old, "审核 Review"), (new, "复核 Recheck")):
        tasks.complete(db_session, _only_task(db_session, inst.id).id, actor=people["issuer"], data=NEED)
        assert _only_task(db_session, inst.id).name == expected
