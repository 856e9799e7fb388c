"""What staff see about an instance: summary, earlier decisions, messages (objections), attachments — as the
access policy lets the viewer see them (``engine.access.policy``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from engine import instances, review_sheets
from engine.access import policy
from engine.access.fields import FieldViewer
from engine.models.instance import ProcessInstance
from engine.models.web import Objection
from web.case_view import case_view
from web.extensions import db

_DECISION_KINDS = (
    "task_completed",
    "message_received",
    "retried",
    "terminated",
    "error",
    "task_reassigned",
    "stage_report",
)


def instance_context(
    instance: ProcessInstance, viewer: FieldViewer, data: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """What the viewer may see of the instance; ``case`` is its readable summary (``web.case_view``) of ``data``
    (the task's data on a task page; the instance's data otherwise)."""
    events = policy.events_view(instances.events(db.session(), instance.id), viewer)
    if data is None:
        data = instances.describe(db.session(), instance.id).get("data") or {}
    # the experts' sheets are records of their table (engine.review_sheets): the policy keeps an expert's own
    shown = policy.data_view(review_sheets.with_sheets(db.session(), data, instance.business_key), viewer)
    rows = db.session.scalars(
        select(Objection).where(Objection.instance_id == instance.id).order_by(Objection.id)
    )
    objections = [
        policy.objection_view(viewer, o.receipt, o.text, o.submitted_at, name=o.name, contact=o.contact)
        for o in rows
    ]
    return {
        "events": events,
        "attachments": policy.attachments_view(events),
        "objections": objections,
        "case": case_view(instance, shown, [e for e in events if e["kind"] in _DECISION_KINDS]),
    }
