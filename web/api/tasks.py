"""The work queue through the API: list, show, claim, unclaim, complete with form data."""

from __future__ import annotations

import json
from typing import Any

from flask_smorest import Blueprint
from sqlalchemy import and_, select

from engine import application_records, review_sheets
from engine import tasks as engine_tasks
from engine.access import policy, task_visibility_clause
from engine.access.fields import FieldViewer
from engine.errors import NotFound
from engine.instances import describe
from engine.models import task as task_model
from engine.models.deployment import DeploymentFile
from engine.models.instance import ProcessInstance
from engine.models.task import HumanTask
from engine.models.user import User
from engine.taskforms import form_for
from engine.workqueue import ready_lanes
from web.access import api_rule
from web.api.common import BEARER, current_user, page_of, session, task_uuid
from web.api.instances import jsonable
from web.api.schemas import (
    CompleteSchema,
    CompletionSchema,
    TaskDetailSchema,
    TaskPageSchema,
    TaskQuerySchema,
    TaskSchema,
)

blp = Blueprint("api_v1_tasks", __name__, url_prefix="/api/v1/tasks", description="Human tasks / 待办任务")
ID = "<string:task_id>"


def task_json(row: HumanTask) -> dict[str, Any]:
    return {
        "id": row.id,
        "instance": row.instance_id,
        "process": row.process_key,
        "task": row.task_spec,
        "name": row.name,
        "lane": row.lane,
        "form": row.form_key,
        "status": row.status,
        "created_at": row.created_at,
        "due_at": row.due_at,
        "remind_at": row.remind_at,
        "assignee": row.assignee,
        "business_key": row.business_key,
        "jurisdiction": row.jurisdiction,
    }


@blp.get("")
@blp.doc(security=BEARER)
@api_rule("token")
@blp.arguments(TaskQuerySchema, location="query")
@blp.response(200, TaskPageSchema)
def list_tasks(args: dict[str, Any]) -> dict[str, Any]:
    """Ready tasks the token's user may do (their roles' lanes in their jurisdictions), oldest first.
    Plain SQL over the task index; no workflow is loaded."""
    user = current_user()
    s = session()
    lanes = ready_lanes(s)
    query = engine_tasks.queue_query(
        instance_id=args.get("instance"),
        roles=[(g.role, g.jurisdiction) for g in user.roles],
        assigned_to=user.username,
        lanes=lanes,
        assignee=user.username if args["mine"] else None,
        jurisdiction=args.get("jurisdiction"),
        process_key=args.get("process"),
    ).where(task_visibility_clause(user, lanes))
    page = page_of(query, args["page"], args["page_size"])
    page["items"] = [task_json(t) for t in page["items"]]
    return page


def _task(user: User, task_id: str) -> tuple[HumanTask, ProcessInstance, FieldViewer]:
    row = session().get(HumanTask, task_uuid(task_id))
    instance = session().get(ProcessInstance, row.instance_id) if row is not None else None
    if row is None or instance is None:
        raise NotFound(f"任务 {task_id} 不存在。", f"Task {task_id} does not exist.")
    return row, instance, policy.task_viewer(session(), user, row, instance)


@blp.get(f"/{ID}")
@blp.doc(security=BEARER)
@api_rule("token")
@blp.response(200, TaskDetailSchema)
def show_task(task_id: str) -> dict[str, Any]:
    """A task with its form definition and the instance's current data, as the policy lets the user see it."""
    user = current_user()
    row, instance, viewer = _task(user, task_id)
    data = describe(session(), instance.id)["data"] if row.status in task_model.OPEN else {}
    if data:  # the applications as submitted and the experts' sheets: records of their tables
        challenge = str(data.get("project_code") or instance.business_key or "")
        data = application_records.with_records(session(), challenge, data)
        data = review_sheets.with_sheets(session(), data, instance.business_key)
    return {
        **task_json(row),
        "instructions": row.instructions,
        "lock_version": instance.lock_version,
        "form_definition": _form_json(instance, row.form_key) if row.form_key else None,
        "data": jsonable(policy.data_view(data, viewer)),
    }


def _form_json(instance: ProcessInstance, form_key: str) -> dict[str, Any] | None:
    """The form file pinned in the instance's deployment, as written (forms/FORMAT.md)."""
    pv = instance.process_version
    form_for(session(), pv, form_key)  # 404 when the deployment lacks it
    suffix = f"{form_key}.form.json"
    rows = session().execute(
        select(DeploymentFile.name, DeploymentFile.content).where(
            DeploymentFile.deployment_id == pv.deployment_id, DeploymentFile.kind == "form"
        )
    )
    for name, content in rows:
        if name == suffix or name.endswith("/" + suffix):
            loaded = json.loads(bytes(content).decode("utf-8-sig"))
            return loaded if isinstance(loaded, dict) else None
    return None


@blp.post(f"/{ID}/claim")
@blp.doc(security=BEARER)
@api_rule("token")
@blp.response(200, TaskSchema)
def claim(task_id: str) -> dict[str, Any]:
    """Claim a ready task, so that nobody else completes it."""
    user = current_user()
    _task(user, task_id)
    return task_json(engine_tasks.claim(session(), task_id, actor=user.username))


@blp.post(f"/{ID}/unclaim")
@blp.doc(security=BEARER)
@api_rule("token")
@blp.response(200, TaskSchema)
def unclaim(task_id: str) -> dict[str, Any]:
    """Give a claimed task back to the queue (only who claimed it)."""
    user = current_user()
    _task(user, task_id)
    return task_json(engine_tasks.unclaim(session(), task_id, actor=user.username))


@blp.post(f"/{ID}/complete")
@blp.doc(security=BEARER)
@api_rule("token")
@blp.arguments(CompleteSchema)
@blp.response(200, CompletionSchema)
def complete(args: dict[str, Any], task_id: str) -> dict[str, Any]:
    """Complete a task with its form's data, validated by the same schema as the web form (422 with field
    errors otherwise). ``lock_version`` refuses (409) if the instance changed since it was read."""
    user = current_user()
    _task(user, task_id)
    done = engine_tasks.complete(
        session(),
        task_id,
        actor=user.username,
        data=args.get("data") or {},
        expected_lock_version=args.get("lock_version"),
    )
    rows = (
        session()
        .scalars(
            select(HumanTask).where(
                and_(
                    HumanTask.id.in_([t["id"] for t in done.next_tasks]), HumanTask.status == task_model.READY
                )
            )
        )
        .all()
        if done.next_tasks
        else []
    )
    return {
        "task": done.task_id,
        "instance": done.instance_id,
        "instance_status": done.instance_status,
        "next_tasks": [task_json(r) for r in sorted(rows, key=lambda r: (r.created_at, r.id))],
    }
