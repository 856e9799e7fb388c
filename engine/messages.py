"""Inbound messages: find the one waiting instance whose correlation matches, and deliver through the door."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import Conflict, NotFound, ValidationFailed
from engine.indexes import _event_definitions
from engine.models import instance as status
from engine.models.instance import ProcessInstance
from engine.models.message import MessageSubscription
from engine.runtime import Context, change_instance


def _matches(stored: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return all(
        key in stored and (stored[key] == value or str(stored[key]) == str(value))
        for key, value in wanted.items()
    )


def find_waiting(session: Session, name: str, correlation: dict[str, Any]) -> list[MessageSubscription]:
    rows = session.scalars(
        select(MessageSubscription)
        .join(ProcessInstance, ProcessInstance.id == MessageSubscription.instance_id)
        .where(MessageSubscription.message_name == name, ProcessInstance.status == status.RUNNING)
    )
    return [row for row in rows if _matches(json.loads(row.correlation_json), correlation)]


def deliver(
    session: Session, name: str, *, correlation: Any, payload: Any = None, actor: str | None = None
) -> int:
    """Deliver message ``name`` to the single waiting instance matching ``correlation``; returns its id."""
    if not isinstance(correlation, dict) or not correlation:
        raise ValidationFailed(
            '必须提供关联条件（非空 JSON 对象，如 {"business_key": "..."}）。',
            'A correlation is required: a non-empty JSON object such as {"business_key": "..."}.',
        )
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        raise ValidationFailed("消息内容必须是 JSON 对象。", "The message payload must be a JSON object.")
    waiting = find_waiting(session, name, correlation)
    instances = sorted({row.instance_id for row in waiting})
    shown = json.dumps(correlation, ensure_ascii=False)
    if not instances:
        raise NotFound(
            f"没有流程实例在等待消息 {name}（关联条件 {shown}）。",
            f"No process instance is waiting for message {name} with correlation {shown}.",
        )
    if len(instances) > 1:
        raise Conflict(
            f"有 {len(instances)} 个流程实例在等待消息 {name}（关联条件 {shown}）：{instances}。请提供更具体的关联条件。",
            f"{len(instances)} process instances wait for message {name} with correlation {shown}: {instances}. "
            "Give a more specific correlation.",
            details={"instances": instances},
        )
    target = waiting[0]

    def action(ctx: Context) -> None:
        task = ctx.wf.get_task_from_id(UUID(target.task_id))
        definitions = (
            [ed for ed in _event_definitions(task) if getattr(ed, "name", None) == name] if task else []
        )
        if not definitions:
            raise Conflict("该流程实例已不再等待此消息。", "The instance no longer waits for this message.")
        ed = definitions[0]
        try:
            correlations = ed.calculate_correlations(ctx.wf.script_engine, ed.correlation_properties, payload)
        except Exception as exc:
            raise ValidationFailed(
                f"消息内容缺少关联所需的字段：{exc}",
                f"The payload lacks a value the correlation needs: {exc}",
            ) from None
        ctx.wf.send_event(BpmnEvent(type(ed)(name), payload=payload, correlations=correlations))
        ctx.log(
            "message_received",
            task=task,
            data={"message": name, "correlation": correlation, "payload": payload},
        )

    change_instance(
        session, target.instance_id, action, actor=actor, attempted={"message": name, "payload": payload}
    )
    return target.instance_id
