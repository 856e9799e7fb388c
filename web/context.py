"""What staff see about an instance: summary, earlier decisions, messages (objections), attachments — as the
access policy lets the viewer see them (``engine.access.policy``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from engine import instances
from engine.access import policy
from engine.access.fields import FieldViewer
from engine.models.instance import ProcessInstance
from engine.models.web import Objection
from web.extensions import db

_DECISION_KINDS = ("task_completed", "message_received", "retried", "terminated", "error")


@dataclass
class Decision:
    at: datetime
    actor: str | None
    task_name: str | None
    kind: str
    data: dict[str, Any] = field(default_factory=dict)


def instance_context(
    instance: ProcessInstance, viewer: FieldViewer, data: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """What the viewer may see of the instance; ``case`` is its readable summary (``web.case_view``) of ``data``
    (the task's data on a task page; the instance's data otherwise)."""
    from web.case_view import case_view

    events = policy.events_view(instances.events(db.session(), instance.id), viewer)
    if data is None:
        data = instances.describe(db.session(), instance.id).get("data") or {}
    shown = policy.data_view(data, viewer)
    decisions = [
        Decision(
            at=datetime.fromisoformat(e["at"]),
            actor=e["actor"],
            task_name=e["task_name"] or e["task"],
            kind=e["kind"],
            data=e["data"] if isinstance(e["data"], dict) else {},
        )
        for e in events
        if e["kind"] in _DECISION_KINDS
    ]
    rows = db.session.scalars(
        select(Objection).where(Objection.instance_id == instance.id).order_by(Objection.id)
    )
    objections = [
        policy.objection_view(viewer, o.receipt, o.text, o.submitted_at, name=o.name, contact=o.contact)
        for o in rows
    ]
    return {
        "events": events,
        "decisions": decisions,
        "attachments": policy.attachments_view(events),
        "objections": objections,
        "case": case_view(instance, shown, [e for e in events if e["kind"] in _DECISION_KINDS]),
    }


def is_file(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == policy.FILE_KEYS


def plain(value: Any) -> str:
    """A short text for a decision's value in the timeline."""
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if is_file(value):
        return str(value["name"])
    if isinstance(value, list):
        return ", ".join(plain(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {plain(v)}" for k, v in value.items())
    return "" if value is None else str(value)
