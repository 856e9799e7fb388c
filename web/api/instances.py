"""Process instances: start, list (the monitor's filters), show, events, suspend / resume / terminate / retry."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from flask_smorest import Blueprint
from sqlalchemy import exists, select

from engine import instances as engine_instances
from engine import review_sheets
from engine.access import policy, readable_clause
from engine.access.fields import FieldViewer
from engine.models import task as task_model
from engine.models.event import InstanceEvent
from engine.models.instance import ProcessInstance
from engine.models.task import HumanTask
from engine.models.user import User
from engine.paging import count_rows
from web.access import api_rule
from web.api.common import BEARER, PageArgs, current_user, page_of, session
from web.api.schemas import (
    EventPageSchema,
    InstanceDetailSchema,
    InstancePageSchema,
    InstanceQuerySchema,
    InstanceSchema,
    RetrySchema,
    StartSchema,
    TerminateSchema,
)

blp = Blueprint(
    "api_v1_instances", __name__, url_prefix="/api/v1/instances", description="Process instances / 流程实例"
)
ID = "<int(max=2147483647):instance_id>"


def instance_json(i: ProcessInstance) -> dict[str, Any]:
    return {
        "id": i.id,
        "process": i.process_key,
        "version": i.version,
        "business_key": i.business_key,
        "title": i.title,
        "jurisdiction": i.jurisdiction,
        "status": i.status,
        "stage": i.stage,
        "lock_version": i.lock_version,
        "started_by": i.started_by,
        "started_at": i.started_at,
        "updated_at": i.updated_at,
        "ended_at": i.ended_at,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def jsonable(data: Any) -> Any:
    """Workflow data as plain JSON (datetimes as ISO 8601, anything else exotic as text)."""
    return json.loads(json.dumps(data, default=_plain))


def readable_instance(user: User, instance_id: int) -> tuple[ProcessInstance, FieldViewer]:
    """The instance and the user as its viewer (the policy's answer); 404 / 403 otherwise."""
    instance = policy.get_instance(session(), instance_id)
    return instance, policy.instance_viewer(session(), user, instance)


@blp.get("")
@blp.doc(security=BEARER)
@api_rule("token")
@blp.arguments(InstanceQuerySchema, location="query")
@blp.response(200, InstancePageSchema)
def list_instances(args: dict[str, Any]) -> dict[str, Any]:
    """Instances the token's user may read, newest first, filtered like the supervisor's monitor.
    An index-backed query over the instance table; no workflow is loaded. Deep lists are read with
    ``before`` (the last id of the previous page) instead of ever larger ``page`` numbers."""
    user = current_user()
    query = select(ProcessInstance).where(readable_clause(user))
    if "jurisdiction" in args:
        query = query.where(ProcessInstance.jurisdiction == args["jurisdiction"])
    if "process" in args:
        query = query.where(ProcessInstance.process_key == args["process"])
    if "version" in args:
        query = query.where(ProcessInstance.version == args["version"])
    if "status" in args:
        query = query.where(ProcessInstance.status == args["status"])
    if "business_key" in args:
        query = query.where(ProcessInstance.business_key == args["business_key"])
    if "stage" in args:
        stage = args["stage"]
        waiting = exists().where(
            HumanTask.instance_id == ProcessInstance.id,
            HumanTask.status.in_(task_model.OPEN),
            (HumanTask.name == stage) | (HumanTask.task_spec == stage),
        )
        query = query.where((ProcessInstance.stage == stage) | waiting)
    if "before" in args:  # keyset paging: the total stays the whole list's, the page starts after ``before``
        total = count_rows(session(), query)
        newest_first = query.where(ProcessInstance.id < args["before"]).order_by(ProcessInstance.id.desc())
        page = page_of(newest_first, args["page"], args["page_size"])
        page["total"] = total
    else:
        page = page_of(query.order_by(ProcessInstance.id.desc()), args["page"], args["page_size"])
    page["items"] = [instance_json(i) for i in page["items"]]
    return page


@blp.post("")
@blp.doc(security=BEARER)
@api_rule("token")
@blp.arguments(StartSchema)
@blp.response(201, InstanceSchema)
def start(args: dict[str, Any]) -> dict[str, Any]:
    """Start the newest (or a pinned) version of a process. The deployed diagram declares who may start it
    (the role of its start event's lane, or its ``startRoles`` property), in the jurisdiction ``data.jurisdiction``
    names."""
    user = current_user()
    data = args.get("data") or {}
    instance = engine_instances.start_instance(
        session(),
        args["process"],
        version=args.get("version"),
        business_key=args.get("business_key"),
        data=data,
        actor=user.username,
    )
    return instance_json(instance)


@blp.get(f"/{ID}")
@blp.doc(security=BEARER)
@api_rule("token")
@blp.response(200, InstanceDetailSchema)
def show(instance_id: int) -> dict[str, Any]:
    """One instance with its open tasks, timers and current data."""
    user = current_user()
    instance, viewer = readable_instance(user, instance_id)
    # the experts' sheets are records of their table (engine.review_sheets); the policy keeps an expert's own
    described = policy.describe_view(
        review_sheets.described_with_sheets(session(), engine_instances.describe(session(), instance.id)),
        viewer,
    )
    return {
        **instance_json(instance),
        "error": described["error"],
        "ready_tasks": described["ready_tasks"],
        "timers": described["timers"],
        "data": jsonable(described["data"]),
    }


@blp.get(f"/{ID}/events")
@blp.doc(security=BEARER)
@api_rule("token")
@blp.arguments(PageArgs, location="query")
@blp.response(200, EventPageSchema)
def events(args: dict[str, Any], instance_id: int) -> dict[str, Any]:
    """The instance's event log, oldest first (each event's data as the policy lets the user see it)."""
    user = current_user()
    _instance, viewer = readable_instance(user, instance_id)
    query = select(InstanceEvent).where(InstanceEvent.instance_id == instance_id).order_by(InstanceEvent.id)
    page = page_of(query, args["page"], args["page_size"])
    page["items"] = policy.events_view([engine_instances.event_json(e) for e in page["items"]], viewer)
    return page


def _control(name: str, instance_id: int, **kwargs: Any) -> dict[str, Any]:
    user = current_user()
    readable_instance(user, instance_id)
    instance = getattr(engine_instances, name)(session(), instance_id, actor=user.username, **kwargs)
    session().refresh(instance)
    return instance_json(instance)


@blp.post(f"/{ID}/suspend")
@blp.doc(security=BEARER)
@api_rule("token")
@blp.response(200, InstanceSchema)
def suspend(instance_id: int) -> dict[str, Any]:
    """Suspend a running instance (bureau or admin of its jurisdiction): no timer fires, no task is done."""
    return _control("suspend", instance_id)


@blp.post(f"/{ID}/resume")
@blp.doc(security=BEARER)
@api_rule("token")
@blp.response(200, InstanceSchema)
def resume(instance_id: int) -> dict[str, Any]:
    """Resume a suspended instance; timers that fell due meanwhile fire now."""
    return _control("resume", instance_id)


@blp.post(f"/{ID}/terminate")
@blp.doc(security=BEARER)
@api_rule("token")
@blp.arguments(TerminateSchema, required=False)
@blp.response(200, InstanceSchema)
def terminate(args: dict[str, Any], instance_id: int) -> dict[str, Any]:
    """End an instance for good: open tasks are cancelled."""
    return _control("terminate", instance_id, reason=args.get("reason"))


@blp.post(f"/{ID}/retry")
@blp.doc(security=BEARER)
@api_rule("token")
@blp.arguments(RetrySchema, required=False)
@blp.response(200, InstanceSchema)
def retry(args: dict[str, Any], instance_id: int) -> dict[str, Any]:
    """Retry the failed step of an instance in the error state, after merging corrected data."""
    return _control("retry", instance_id, data=args.get("data"))
