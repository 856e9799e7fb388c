"""Starting and controlling process instances: start, suspend, resume, terminate, retry, describe."""

from __future__ import annotations

import json
from copy import deepcopy
from typing import Any

from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import application_records, review_sheets
from engine.access.starting import require_own_organisation, require_start
from engine.case_view import case_data
from engine.clock import frozen_now, get_clock
from engine.db import begin_write
from engine.errors import InvalidState, NotFound, ValidationFailed
from engine.helpers import script_engine_for
from engine.indexes import NO_ROWS, due_timers
from engine.limits import bounded
from engine.models import instance as status
from engine.models.deployment import ProcessVersion
from engine.models.event import InstanceEvent
from engine.models.instance import ProcessInstance
from engine.runtime import (
    Context,
    StepFailed,
    _commit,
    change_instance,
    describe_failure,
    keep_workflow,
    load_workflow,
    save,
    version_specs,
)
from engine.specs import workflow_from_spec
from engine.users import INSTANCE_CONTROL_ROLES, get_user, require_role


def find_version(session: Session, key: str, version: int | None = None) -> ProcessVersion:
    query = select(ProcessVersion).where(ProcessVersion.process_key == key)
    if version is not None:
        query = query.where(ProcessVersion.version == version)
    found = session.scalars(query.order_by(ProcessVersion.version.desc()).limit(1)).first()
    if found is None:
        which = f"{key} v{version}" if version is not None else key
        raise NotFound(
            f"流程 {which} 尚未部署。请先运行 jiebang deploy。",
            f"Process {which} is not deployed. Run jiebang deploy first.",
        )
    return found


def start_instance(
    session: Session,
    key: str,
    *,
    version: int | None = None,
    business_key: str | None = None,
    data: dict[str, Any] | None = None,
    actor: str | None = None,
) -> ProcessInstance:
    """Start the newest version of ``key`` (or the pinned ``version``) with initial data. Commits."""
    if data is not None and not isinstance(data, dict):
        raise ValidationFailed("初始数据必须是 JSON 对象。", "Initial data must be a JSON object.")
    data = data or {}
    begin_write(session)
    pv = find_version(session, key, version)
    if actor is not None:  # who may start is declared by the deployed diagram (engine.access.starting)
        starter = get_user(session, actor)
        require_start(starter, pv, _text(data.get("jurisdiction")))
        require_own_organisation(session, starter, pv, data)
    now = get_clock(session).now()
    instance = ProcessInstance(
        process_version_id=pv.id,
        process_key=pv.process_key,
        version=pv.version,
        business_key=business_key,
        title=_text(data.get("title")),
        jurisdiction=_text(data.get("jurisdiction")),
        status=status.RUNNING,
        started_by=actor,
        started_at=now,
        updated_at=now,
    )
    session.add(instance)
    session.flush()
    with frozen_now(now), bounded():
        wf = workflow_from_spec(version_specs(pv))
        wf.script_engine = script_engine_for(session)
        for task in wf.get_tasks(state=TaskState.READY):
            task.data.update(deepcopy(data))
        # a new instance has no index rows yet: none are looked up
        ctx = Context(session=session, instance=instance, wf=wf, now=now, actor=actor, present=NO_ROWS)
        ctx.log("started", data=data)
        try:
            wf.do_engine_steps(did_complete_task=ctx.on_engine_task)
            save(ctx)
        except SpiffWorkflowException as exc:
            message, where = describe_failure(exc)
            session.rollback()
            raise StepFailed(
                f"流程无法启动，未保存任何内容：{where or ''} {message}",
                f"The process could not start and nothing was saved: {where or ''} {message}",
                details={"task": where, "error": message},
            ) from None
        _commit(session)
    keep_workflow(ctx)
    return instance


def _text(value: Any) -> str | None:
    return str(value)[:255] if value not in (None, "") else None


def _control(session: Session, instance_id: int, actor: str | None) -> ProcessInstance:
    user = get_user(session, actor)
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound(f"流程实例 {instance_id} 不存在。", f"Process instance {instance_id} does not exist.")
    require_role(
        user, INSTANCE_CONTROL_ROLES, instance.jurisdiction, "管理流程实例", "control process instances"
    )
    return instance


def suspend(session: Session, instance_id: int, *, actor: str | None) -> ProcessInstance:
    """Stop timers and task completion until resumed. Nothing in the workflow changes."""
    instance = _control(session, instance_id, actor)

    def action(ctx: Context) -> None:
        ctx.instance.status = status.SUSPENDED
        ctx.log("suspended")

    change_instance(session, instance.id, action, actor=actor, allowed=(status.RUNNING,), run_engine=False)
    return instance


def resume(session: Session, instance_id: int, *, actor: str | None) -> ProcessInstance:
    """Continue a suspended instance; timers that fell due meanwhile fire now."""
    instance = _control(session, instance_id, actor)

    def action(ctx: Context) -> None:
        ctx.instance.status = status.RUNNING
        ctx.log("resumed")

    change_instance(session, instance.id, action, actor=actor, allowed=(status.SUSPENDED,))
    return instance


def terminate(
    session: Session, instance_id: int, *, actor: str | None, reason: str | None = None
) -> ProcessInstance:
    """End the instance for good: open tasks are cancelled, no timer fires again."""
    instance = _control(session, instance_id, actor)

    def action(ctx: Context) -> None:
        ctx.wf.cancel()
        ctx.instance.status = status.TERMINATED
        ctx.instance.ended_at = ctx.now
        ctx.log("terminated", message=reason)

    change_instance(
        session,
        instance.id,
        action,
        actor=actor,
        allowed=(status.RUNNING, status.SUSPENDED, status.ERROR),
        run_engine=False,
    )
    return instance


def retry(
    session: Session, instance_id: int, *, actor: str | None, data: dict[str, Any] | None = None
) -> ProcessInstance:
    """Retry a failed step after a supervisor fixed the data: ``data`` is merged into the failed task's
    data (or, when the failure left no parked task, into every ready task), then the engine runs again."""
    instance = _control(session, instance_id, actor)
    if data is not None and not isinstance(data, dict):
        raise ValidationFailed("修正数据必须是 JSON 对象。", "The corrected data must be a JSON object.")
    _retry_failed_step(session, instance.id, actor, data)
    return instance


def retry_from_console(session: Session, instance_id: int) -> None:
    """Retry a failed step as the operator at the server's console (``jiebang calendar import`` without
    ``--as``), who may change any instance: no role check, and the event names no user, as the system's own
    steps do."""
    _retry_failed_step(session, instance_id, None, None)


def _retry_failed_step(
    session: Session, instance_id: int, actor: str | None, data: dict[str, Any] | None
) -> None:
    def action(ctx: Context) -> None:
        failed = ctx.wf.get_tasks(state=TaskState.ERROR)
        targets = failed or ctx.wf.get_tasks(state=TaskState.READY)
        for task in targets:
            task.data.update(deepcopy(data or {}))
        ctx.instance.status = status.RUNNING
        ctx.instance.error_message = None
        ctx.instance.error_task = None
        ctx.log("retried", data=data)
        for task in failed:
            task.run()

    change_instance(session, instance_id, action, actor=actor, allowed=(status.ERROR,), attempted=data)


def describe(session: Session, instance_id: int) -> dict[str, Any]:
    """Everything `jiebang instance ID --json` shows."""
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound(f"流程实例 {instance_id} 不存在。", f"Process instance {instance_id} does not exist.")
    wf = load_workflow(session, instance)
    ready = [
        {
            "id": str(t.id),
            "task": t.task_spec.bpmn_id,
            "name": t.task_spec.bpmn_name,
            "lane": t.task_spec.lane,
        }
        for t in wf.get_tasks(state=TaskState.READY, manual=True)
    ]
    timers = sorted(due_timers(wf), key=lambda pair: pair[1])
    return {
        "id": instance.id,
        "status": instance.status,
        "process": instance.process_key,
        "version": instance.version,
        "business_key": instance.business_key,
        "title": instance.title,
        "jurisdiction": instance.jurisdiction,
        "stage": instance.stage,
        "lock_version": instance.lock_version,
        "started_at": instance.started_at.isoformat(),
        "ended_at": instance.ended_at.isoformat() if instance.ended_at else None,
        "error": {"message": instance.error_message, "task": instance.error_task}
        if instance.error_message
        else None,
        "ready_tasks": ready,
        "timers": [
            {
                "task": t.task_spec.bpmn_id or t.task_spec.name,
                "name": t.task_spec.bpmn_name,
                "due_at": due.isoformat(),
            }
            for t, due in timers
        ],
        "data": current_data(wf),
    }


def shown(session: Session, instance_id: int) -> dict[str, Any]:
    """``describe`` with the case's records completed from their tables (issue 15: the applications as
    submitted, the experts' score sheets): what the CLI's and the API's instance and task show, before the
    access policy keeps of it what the viewer may read."""
    described = describe(session, instance_id)
    data = described["data"]
    challenge = str(data.get("project_code") or described["business_key"] or "")
    data = application_records.with_records(session, challenge, data)
    return {**described, "data": review_sheets.with_sheets(session, data, described["business_key"])}


def current_data(wf: Any) -> dict[str, Any]:
    """The data a person would call 'the instance's data': the workflow data once finished, else the data of
    the most recently changed task of a diagram element (not an engine-internal join such as the one that
    waits for a boundary event's branch to end: it holds no data until it runs) — inside a called process with
    declared inputs, laid over its caller's (engine.case_view)."""
    if wf.is_completed():
        return dict(wf.data)
    tasks = [
        t
        for t in wf.get_tasks(
            state=TaskState.READY | TaskState.WAITING | TaskState.ERROR | TaskState.COMPLETED
        )
        if t.task_spec.bpmn_id
    ]
    latest = max(tasks, key=lambda t: t.last_state_change, default=None)
    if latest is None:
        return {}
    # a task whose data left the state (engine.compact_state): its children, all finished, each copied it
    while not latest.data and latest.children:
        latest = max(latest.children, key=lambda t: t.last_state_change)
    return case_data(latest)


def event_json(e: InstanceEvent) -> dict[str, Any]:
    """One event-log entry as shown by the CLI, the web and the API."""
    return {
        "id": e.id,
        "kind": e.kind,
        "at": e.at.isoformat(),
        "actor": e.actor,
        "task": e.task_spec,
        "task_name": e.task_name,
        "data": json.loads(e.data_json) if e.data_json else None,
        "message": e.message,
    }


def events(session: Session, instance_id: int) -> list[dict[str, Any]]:
    if session.get(ProcessInstance, instance_id) is None:
        raise NotFound(f"流程实例 {instance_id} 不存在。", f"Process instance {instance_id} does not exist.")
    rows = session.scalars(
        select(InstanceEvent).where(InstanceEvent.instance_id == instance_id).order_by(InstanceEvent.id)
    )
    return [event_json(e) for e in rows]


def ensure_running(instance: ProcessInstance) -> None:
    if instance.status != status.RUNNING:
        raise InvalidState(
            f"流程实例 {instance.id} 不在运行中（{instance.status}）。",
            f"Process instance {instance.id} is not running ({instance.status}).",
        )
