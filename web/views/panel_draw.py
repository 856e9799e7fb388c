"""The panel task as a draw from the expert pool (``/tasks/<id>/panel``): the bureau sees the policy's panel
size, chooses the size and optionally a field, presses 随机抽取, sees who was drawn and who was left out and
why (回避), replaces a declined expert with a reason, names the chair and confirms. The task page of a panel
task leads here. Who may do it is the task's access (``policy.task_viewer`` and the engine's lane check)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from engine import expert_pool
from engine.access import policy
from engine.errors import JiebangError
from engine.models import task as task_model
from engine.models.instance import ProcessInstance
from engine.models.task import HumanTask
from web.access import me, rule
from web.context import instance_context
from web.extensions import db
from web.form_errors import field_errors
from web.i18n import current_lang

bp = Blueprint("panel", __name__)


def _open(task_id: str) -> tuple[HumanTask, ProcessInstance, Any]:
    row = db.session.get(HumanTask, task_id)
    if row is None or row.form_key not in expert_pool.PANEL_FORMS:
        abort(404)
    instance = db.session.get(ProcessInstance, row.instance_id)
    assert instance is not None
    return row, instance, policy.task_viewer(db.session(), me(), row, instance)


def _page(task_id: str, status: int = 200, errors: dict[str, list[str]] | None = None, **form: Any) -> Any:
    row, instance, viewer = _open(task_id)
    session = db.session()
    if row.status != task_model.READY:
        return redirect(url_for("task.show", task_id=task_id))
    pt = expert_pool.panel_task(session, task_id)
    draw = expert_pool.current_draw(session, task_id)
    return (
        render_template(
            "task/panel.html",
            row=row,
            instance=instance,
            context=instance_context(instance, viewer),
            pt=pt,
            fields=expert_pool.field_choices(session, pt.jurisdiction),
            shown=expert_pool.describe(session, draw) if draw is not None else None,
            errors=errors or {},
            form={"size": pt.panel_min, "field": "", **form},
        ),
        status,
    )


@bp.get("/tasks/<task_id>/panel")
@rule("task")
def show(task_id: str) -> Any:
    return _page(task_id)


def _refused(task_id: str, exc: JiebangError, beside: str, **form: Any) -> Any:
    db.session.rollback()
    if exc.http_status in (403, 404):
        raise exc
    errors = field_errors(exc, beside)
    errors.setdefault("_form", [exc.message(current_lang())])
    return _page(task_id, 422, errors, **form)


@bp.post("/tasks/<task_id>/panel/draw")
@rule("task")
def draw(task_id: str) -> Response | Any:
    _open(task_id)
    raw, field = request.form.get("size", "").strip(), request.form.get("field", "").strip()
    size = int(raw) if raw.isdigit() and len(raw) <= 3 else None
    try:
        expert_pool.make_draw(
            db.session(), task_id, size=size, field_filter=field, actor=current_user.username
        )
    except JiebangError as exc:
        return _refused(task_id, exc, "size", size=raw, field=field)
    flash(_("已随机抽取专家组，抽取记录已保存。"), "info")
    return redirect(url_for("panel.show", task_id=task_id))


@bp.post("/tasks/<task_id>/panel/replace")
@rule("task")
def replace(task_id: str) -> Response | Any:
    _open(task_id)
    removed = request.form.get("removed", "").strip()
    reason = request.form.get("reason", "").strip()
    how = request.form.get("how", "draw")
    chosen = request.form.get("chosen", "").strip() if how == "chosen" else ""
    if how == "chosen" and not chosen:
        errors = {"chosen": [_("请从名单中选择替补专家，或改为“从剩余专家中随机抽取”。")]}
        return _page(task_id, 422, errors, removed=removed, reason=reason, how=how)
    try:
        done = expert_pool.replace(
            db.session(), task_id, removed=removed, reason=reason, chosen=chosen, actor=current_user.username
        )
    except JiebangError as exc:
        return _refused(task_id, exc, "removed", removed=removed, reason=reason, how=how, chosen=chosen)
    names = expert_pool.describe(db.session(), expert_pool.current_draw(db.session(), task_id))  # type: ignore[arg-type]
    added = next((m["name"] for m in names["members"] if m["code"] == done.added), "")
    flash(_("已替换专家，替补：%(name)s。", name=added), "info")
    return redirect(url_for("panel.show", task_id=task_id))


@bp.post("/tasks/<task_id>/panel/chair")
@rule("task")
def chair(task_id: str) -> Response | Any:
    _open(task_id)
    try:
        expert_pool.set_chair(
            db.session(), task_id, chair=request.form.get("chair", "").strip(), actor=current_user.username
        )
    except JiebangError as exc:
        return _refused(task_id, exc, "chair")
    flash(_("已保存组长。"), "info")
    return redirect(url_for("panel.show", task_id=task_id))


@bp.post("/tasks/<task_id>/panel/confirm")
@rule("task")
def confirm(task_id: str) -> Response | Any:
    row, _instance, _viewer = _open(task_id)
    try:
        expert_pool.confirm(db.session(), task_id, actor=current_user.username)
    except JiebangError as exc:
        return _refused(task_id, exc, "chair")
    flash(_("任务“%(name)s”已提交。", name=row.name or row.task_spec), "info")
    return redirect(url_for("queue.index"))
