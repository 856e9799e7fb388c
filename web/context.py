"""What staff see about an instance: summary, earlier decisions, messages (objections), attachments."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from engine import instances
from engine.models.instance import ProcessInstance
from engine.models.web import Objection
from web.extensions import db

_FILE_KEYS = {"name", "size", "content_type", "sha256", "storage_key"}


@dataclass
class Decision:
    at: datetime
    actor: str | None
    task_name: str | None
    kind: str
    data: dict[str, Any] = field(default_factory=dict)


def _files(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if set(value) == _FILE_KEYS:
            yield value
        else:
            for v in value.values():
                yield from _files(v)
    elif isinstance(value, list):
        for v in value:
            yield from _files(v)


def instance_context(instance: ProcessInstance) -> dict[str, Any]:
    events = instances.events(db.session(), instance.id)
    decisions: list[Decision] = []
    attachments: dict[str, dict[str, Any]] = {}
    for e in events:
        if e["kind"] in ("task_completed", "message_received", "retried", "terminated", "error"):
            data = e["data"] if isinstance(e["data"], dict) else {}
            decisions.append(
                Decision(
                    at=datetime.fromisoformat(e["at"]),
                    actor=e["actor"],
                    task_name=e["task_name"] or e["task"],
                    kind=e["kind"],
                    data=data,
                )
            )
        for meta in _files(e["data"]):
            attachments.setdefault(meta["sha256"], meta)
    objections = list(
        db.session.scalars(
            select(Objection).where(Objection.instance_id == instance.id).order_by(Objection.id)
        )
    )
    return {
        "events": events,
        "decisions": decisions,
        "attachments": list(attachments.values()),
        "objections": objections,
    }


def is_file(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == _FILE_KEYS


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
