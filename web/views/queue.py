"""The work queue: my tasks and my roles' tasks, with filters, search, pagination, claim and unclaim."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from engine import reminder_cases, reminders, tasks
from engine.access import policy, task_visibility_clause
from engine.assignment import names_of
from engine.clock import get_clock
from engine.errors import JiebangError
from engine.labels import jurisdiction_name
from engine.models.instance import ProcessInstance
from engine.models.task import HumanTask
from engine.workqueue import paginate, ready_lanes, stage_choices, stage_counts
from web import exports
from web.access import me, rule
from web.app import process_name
from web.extensions import db
from web.i18n import current_lang, diagram_name
from web.security import actor_row
from web.views.auth import _safe_next

bp = Blueprint("queue", __name__)

SCOPES = ("roles", "mine")


def _arg(name: str) -> str | None:
    value = request.args.get(name, "").strip()
    return value[:128] or None


def _queue(lanes: list[str], *, filtered: bool = True) -> tuple[Any, str, dict[str, Any]]:
    """The signed-in user's queue as one SQL statement (the page and its export), with the scope (their roles'
    tasks, or those assigned to or claimed by them) and the filters (none when not ``filtered``: what the
    filters offer); ``lanes``: the lane names of ready tasks (``ready_lanes``, read once per request)."""
    scope = request.args.get("scope", "roles")
    scope = scope if scope in SCOPES else "roles"
    filters: dict[str, Any] = {
        "jurisdiction": _arg("jurisdiction") if filtered else None,
        "process_key": _arg("process") if filtered else None,
        "task_spec": _arg("stage") if filtered else None,
        "search": _arg("q") if filtered else None,
    }
    if scope == "mine":
        query = tasks.queue_query(assignee=current_user.username, **filters)
    else:
        query = tasks.queue_query(
            roles=current_user.role_pairs(), assigned_to=current_user.username, lanes=lanes, **filters
        )
    query = query.where(task_visibility_clause(me(), lanes))  # the policy's rule, in SQL
    return query, scope, filters


@bp.get("/tasks/export.xlsx")
@rule("account")
def export() -> Response:
    """The queue as the page filters it, every page at once, as an Excel workbook."""
    session = db.session()
    query, _scope, _filters = _queue(ready_lanes(session))
    rows = list(session.scalars(query.limit(exports.MAX_ROWS + 1)))
    names = names_of(session, rows)
    lang = current_lang()

    def holder(t: Any) -> str:
        if t.assignee:
            return names.get("user:" + t.assignee, t.assignee)
        return names.get("org:" + t.candidate_org, t.candidate_org) if t.candidate_org else ""

    return exports.xlsx_response(
        _("待办任务") + ".xlsx",
        _("待办任务"),
        [_("任务"), _("业务编号"), _("流程"), _("辖区"), _("期限"), _("办理人")],
        (
            [
                diagram_name(t.name) or t.task_spec,
                t.business_key or "",
                process_name(t.process_key),
                jurisdiction_name(t.jurisdiction, lang) if t.jurisdiction else "",
                t.due_at,
                holder(t),
            ]
            for t in rows
        ),
        _("仅导出前 %(n)s 行，请缩小筛选范围。", n=exports.MAX_ROWS),
    )


@bp.get("/tasks")
@rule("account")
def index() -> str:
    session = db.session()
    lanes = ready_lanes(session)
    query, scope, filters = _queue(lanes)
    try:
        page_number = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page_number = 1
    offered, _scope, _none = _queue(lanes, filtered=False)
    total = None
    if any(filters.values()):
        stages = stage_choices(session, offered)
    else:  # the page's queue is the one the filters offer: its total and its stages in one pass
        stages, total = stage_counts(session, offered)
    page = paginate(session, query, page_number, current_app.config["QUEUE_PAGE_SIZE"], total=total)
    processes = sorted({s.process_key for s in stages})
    jurisdictions = current_user.jurisdictions()
    if any(g.jurisdiction is None for g in current_user.grants):
        jurisdictions = sorted({*jurisdictions, *(t.jurisdiction for t in page.items if t.jurisdiction)})
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    row = actor_row()
    upcoming = reminders.for_user(session, row, now=get_clock(session).now())
    return render_template(
        "queue/index.html",
        page=page,
        links=row_links(page.items),
        names=names_of(session, page.items),
        reminders=upcoming,
        reminder_cases=reminder_cases.cases_of(session, row, upcoming),
        scope=scope,
        filters={
            "jurisdiction": filters["jurisdiction"] or "",
            "process": filters["process_key"] or "",
            "stage": filters["task_spec"] or "",
            "q": filters["search"] or "",
        },
        processes=processes,
        stages=stages,
        jurisdictions=jurisdictions,
        args=args,
    )


@dataclass(frozen=True)
class RowLinks:
    """The links of one row of the queue."""

    task: str
    instance: str
    claim: str
    unclaim: str


#: stands for a task's id or an instance's number in a URL built once per list (never a real id: not a UUID)
_SLOT = "0slot0"


def row_links(rows: Iterable[HumanTask]) -> dict[str, RowLinks]:
    """Each row's links by task id, every endpoint's URL built once for the list and the row's id put in its
    place: building a URL costs ~30 µs, and four per row were a tenth of a full page's time (issue 15)."""
    task, instance, claim, unclaim = (
        url_for("task.show", task_id=_SLOT),
        url_for("instance.show", instance_id=0).removesuffix("/0") + "/" + _SLOT,
        url_for("queue.claim", task_id=_SLOT),
        url_for("queue.unclaim", task_id=_SLOT),
    )
    found = {}
    for row in rows:
        key, number = quote(row.id, safe=""), str(row.instance_id)
        found[row.id] = RowLinks(
            task.replace(_SLOT, key),
            instance.replace(_SLOT, number),
            claim.replace(_SLOT, key),
            unclaim.replace(_SLOT, key),
        )
    return found


def _require_task(task_id: str) -> None:
    """The access policy's rule for the task (beyond the engine's lane rule); a missing task is the engine's
    404."""
    row = db.session.get(HumanTask, task_id)
    instance = db.session.get(ProcessInstance, row.instance_id) if row is not None else None
    if row is not None and instance is not None:
        policy.task_viewer(db.session(), me(), row, instance)


def _back() -> Response:
    return redirect(_safe_next(request.form.get("next")) or url_for("queue.index"))


@bp.post("/tasks/<task_id>/claim")
@rule("task")
def claim(task_id: str) -> Response:
    try:
        _require_task(task_id)
        row = tasks.claim(db.session(), task_id, actor=current_user.username)
        flash(_("已认领任务“%(name)s”。", name=diagram_name(row.name) or row.task_spec), "info")
    except JiebangError as exc:
        db.session.rollback()
        if exc.http_status == 404:
            raise
        flash(exc.message(current_lang()), "error")
    return _back()


@bp.post("/tasks/<task_id>/unclaim")
@rule("account")
def unclaim(task_id: str) -> Response:
    try:
        row = tasks.unclaim(db.session(), task_id, actor=current_user.username)
        flash(_("已退回任务“%(name)s”。", name=diagram_name(row.name) or row.task_spec), "info")
    except JiebangError as exc:
        db.session.rollback()
        if exc.http_status == 404:
            raise
        flash(exc.message(current_lang()), "error")
    return _back()
