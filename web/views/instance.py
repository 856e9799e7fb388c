"""The staff view of one instance (summary, timeline, objections, attachments) and attachment downloads.

The supervisor's diagram view lives in the monitor (``/monitor``); this page is what a task's context links
to and what shows an objection that reached the instance."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template
from flask_login import current_user

from engine import audit
from engine.models.instance import ProcessInstance
from engine.models.task import HumanTask
from web import uploads
from web.context import instance_context
from web.extensions import db
from web.security import staff_required

bp = Blueprint("instance", __name__)


def _visible_instance(instance_id: int) -> ProcessInstance:
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        abort(404)
    if not any(
        g.jurisdiction is None or g.jurisdiction == instance.jurisdiction for g in current_user.grants
    ):
        abort(403)
    return instance


@bp.get("/instances/<int:instance_id>")
@staff_required
def show(instance_id: int) -> str:
    instance = _visible_instance(instance_id)
    open_tasks = db.session.query(HumanTask).filter(HumanTask.instance_id == instance.id).all()
    return render_template(
        "instance/show.html",
        instance=instance,
        context=instance_context(instance),
        open_tasks=[t for t in open_tasks if t.status in ("ready", "paused")],
    )


@bp.get("/instances/<int:instance_id>/files/<sha256>")
@staff_required
def attachment(instance_id: int, sha256: str) -> Any:
    instance = _visible_instance(instance_id)
    meta = next((m for m in instance_context(instance)["attachments"] if m["sha256"] == sha256), None)
    if meta is None:
        abort(404)
    audit.record(
        db.session(),
        "file_download",
        actor=current_user.username,
        subject=f"instance:{instance.id}/file:{sha256}",
        detail={"name": meta["name"], "business_key": instance.business_key},
    )
    db.session.commit()
    return uploads.send_upload(meta)
