"""The supervisor's monitor: instance list (index-backed SQL), instance page with the highlighted diagram,
timeline, timers and data, instance control, and moving instances to a newer version.

Roles: ``supervisor`` (read-only), ``bureau`` (its jurisdictions) and ``admin``. Suspend, resume, terminate,
retry and migrate go through ``engine.instances`` / ``engine.versions``, which check the role again.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from engine import dashboard, instances, versions
from engine.access import Audience, oversight_scope, policy
from engine.clock import get_clock
from engine.compact_state import element_states as compact_element_states
from engine.diagram_names import shown_diagram
from engine.errors import JiebangError
from engine.indexes import due_timers
from engine.labels import jurisdiction_name
from engine.models import task as task_model
from engine.models.deployment import DeploymentFile, ProcessVersion
from engine.models.instance import STATUSES, ProcessInstance
from engine.models.task import HumanTask
from engine.paging import count_rows
from engine.runtime import load_workflow, version_specs
from engine.users import INSTANCE_CONTROL_ROLES
from engine.xmlsafe import parse_xml
from web import exports
from web.access import me, rule
from web.app import process_name, stage_name
from web.extensions import db
from web.i18n import current_lang

bp = Blueprint("monitor", __name__, url_prefix="/monitor")

PAGE_SIZE = 25
STATUS_LABELS = {
    "running": lazy_gettext("运行中"),
    "suspended": lazy_gettext("已挂起"),
    "completed": lazy_gettext("已完成"),
    "terminated": lazy_gettext("已终止"),
    "error": lazy_gettext("出错"),
}


# --- who may see what -------------------------------------------------------------------------------------


def visible_jurisdictions() -> list[str] | None:
    """None: every jurisdiction; else the jurisdictions the signed-in user oversees (the policy's answer)."""
    return oversight_scope(me())


def can_control(instance: ProcessInstance) -> bool:
    return bool(current_user.has_role(*INSTANCE_CONTROL_ROLES, jurisdiction=instance.jurisdiction))


def _instance_or_404(instance_id: int) -> ProcessInstance:
    """The instance, for a viewer who oversees its jurisdiction (the policy's answer); 404 / 403 otherwise.
    The monitor shows whole case files, so it is for oversight only."""
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        abort(404)
    if policy.instance_viewer(db.session(), me(), instance).audience != Audience.OVERSIGHT:
        abort(403)
    return instance


# --- the list ------------------------------------------------------------------------------------------


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def instance_query(session: Session, args: dict[str, str], now: Any) -> Any:
    """The filtered list as one SQL statement over process_instance and human_task (no workflow is loaded)."""
    query = select(ProcessInstance)
    scope = visible_jurisdictions()
    if scope is not None:
        query = query.where(ProcessInstance.jurisdiction.in_(scope))
    if args.get("jurisdiction"):
        query = query.where(ProcessInstance.jurisdiction == args["jurisdiction"])
    if args.get("process"):
        query = query.where(ProcessInstance.process_key == args["process"])
    version = _int(args.get("version"))
    if version is not None:
        query = query.where(ProcessInstance.version == version)
    if args.get("status") in STATUSES:
        query = query.where(ProcessInstance.status == args["status"])
    if args.get("stage"):
        query = query.where(ProcessInstance.stage.contains(args["stage"].strip(), autoescape=True))
    if args.get("stage_is"):  # exactly this stage (the dashboard's bars); "-": no stage named
        exact = args["stage_is"]
        query = query.where(
            ProcessInstance.stage.is_(None) if exact == "-" else ProcessInstance.stage == exact
        )
    if args.get("q"):
        text = args["q"].strip()
        query = query.where(
            ProcessInstance.business_key.contains(text, autoescape=True)
            | ProcessInstance.title.contains(text, autoescape=True)
        )
    if args.get("overdue"):
        query = query.where(overdue_clause(now))
    if args.get("at"):  # waits at this element (the diagram's counts) or somewhere inside this stage
        pv = _version(session, args.get("process"), version)
        inside = version_stages(session, pv).get(args["at"], frozenset()) if pv else frozenset()
        query = query.where(dashboard.waiting_at(args["at"], inside))
    return query


def overdue_clause(now: Any) -> Any:
    return exists(
        select(HumanTask.id).where(
            and_(
                HumanTask.instance_id == ProcessInstance.id,
                HumanTask.status.in_(task_model.OPEN),
                HumanTask.due_at < now,
            )
        )
    )


#: The arguments that say where a page of the list is (the others are its filters).
CURSOR_ARGS = ("page", "after", "before")


@dataclass(frozen=True)
class ListPage:
    """One page of the list, found by its neighbour's edge (keyset paging: ``id < after`` going forward,
    ``id > before`` going back), so page 400 costs what page 1 costs; ``page`` is the number shown."""

    rows: list[ProcessInstance]
    page: int
    has_prev: bool
    has_next: bool


def list_page(session: Session, query: Any, args: dict[str, str]) -> ListPage:
    """The page of ``query`` (newest first) that ``args`` point at: after an id, before an id, or the first."""
    after, before = _int(args.get("after")), _int(args.get("before"))
    page = max(_int(args.get("page")) or 1, 1)
    if before is not None:  # going back: the PAGE_SIZE ids just above ``before``, read upwards
        found = list(
            session.scalars(
                query.where(ProcessInstance.id > before).order_by(ProcessInstance.id).limit(PAGE_SIZE + 1)
            )
        )
        if found:  # else nothing is newer any more: the first page
            more = len(found) > PAGE_SIZE
            rows = list(reversed(found[:PAGE_SIZE]))
            return ListPage(rows, max(page, 2) if more else 1, more, True)
        after = None
    if after is not None:
        query = query.where(ProcessInstance.id < after)
    found = list(session.scalars(query.order_by(ProcessInstance.id.desc()).limit(PAGE_SIZE + 1)))
    return ListPage(
        found[:PAGE_SIZE], page if after is not None else 1, after is not None, len(found) > PAGE_SIZE
    )


@bp.get("/")
@rule("monitor")
def index() -> str:
    session = db.session()
    now = get_clock(session).now()
    args = {k: v for k, v in request.args.items() if v}
    query = instance_query(session, args, now)
    total = count_rows(session, query)
    shown = list_page(session, query, args)
    rows = shown.rows
    ids = [r.id for r in rows]
    overdue_ids = set(
        session.scalars(
            select(HumanTask.instance_id).where(
                HumanTask.instance_id.in_(ids), HumanTask.status.in_(task_model.OPEN), HumanTask.due_at < now
            )
        )
        if ids
        else []
    )
    scope = visible_jurisdictions()
    jurisdictions = (
        scope
        if scope is not None
        else sorted(j for j in session.scalars(select(ProcessInstance.jurisdiction).distinct()) if j)
    )
    processes = session.execute(
        select(ProcessVersion.process_key, func.max(ProcessVersion.version)).group_by(
            ProcessVersion.process_key
        )
    ).all()
    filters = {k: v for k, v in args.items() if k not in CURSOR_ARGS}
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return render_template(
        "monitor/index.html",
        rows=rows,
        total=total,
        page=min(shown.page, pages),
        pages=pages,
        args=filters,
        prev_args={**filters, "before": rows[0].id, "page": shown.page - 1}
        if rows and shown.has_prev
        else None,
        next_args={**filters, "after": rows[-1].id, "page": shown.page + 1}
        if rows and shown.has_next
        else None,
        overdue_ids=overdue_ids,
        jurisdictions=jurisdictions,
        processes=processes,
        newest={key: newest for key, newest in processes},
        statuses=STATUS_LABELS,
        can_migrate=current_user.has_role(*INSTANCE_CONTROL_ROLES, anywhere=True),
    )


@bp.get("/export.xlsx")
@rule("monitor")
def export() -> Response:
    """The filtered list as an Excel workbook: the rows of the page, every page at once."""
    session = db.session()
    now = get_clock(session).now()
    args = {k: v for k, v in request.args.items() if v}
    query = instance_query(session, args, now).order_by(ProcessInstance.id.desc()).limit(exports.MAX_ROWS + 1)
    overdue = overdue_clause(now)
    rows = session.execute(query.add_columns(overdue.label("overdue")))
    lang = current_lang()
    headers = [
        "#",
        gettext("业务编号"),
        gettext("标题"),
        gettext("辖区"),
        gettext("流程"),
        gettext("版本"),
        gettext("状态"),
        gettext("已逾期"),
        gettext("当前环节"),
        gettext("启动时间"),
    ]
    return exports.xlsx_response(
        gettext("流程实例") + ".xlsx",
        gettext("流程实例"),
        headers,
        (
            [
                i.id,
                i.business_key or "",
                i.title or "",
                jurisdiction_name(i.jurisdiction, lang) if i.jurisdiction else "",
                process_name(i.process_key),
                i.version,
                str(STATUS_LABELS.get(i.status, i.status)),
                gettext("是") if late else "",
                stage_name(i),
                i.started_at,
            ]
            for i, late in rows
        ),
        gettext("仅导出前 %(n)s 行，请缩小筛选范围。", n=exports.MAX_ROWS),
    )


# --- one instance -------------------------------------------------------------------------------------------

_WHERE = re.compile(r"\(([^()]+)\)\s*$")


def element_states(wf: Any, instance: ProcessInstance) -> dict[str, dict[str, str]]:
    """{process id: {element id: completed | active | waiting | failed | cancelled}} from the task tree and
    what pruned subprocesses ran (engine.compact_state); the failing element of an instance in error."""
    result = compact_element_states(wf)
    if instance.status == "error" and instance.error_task:
        found = _WHERE.search(instance.error_task)
        if found:
            result.setdefault(instance.process_key, {})[found.group(1)] = "failed"
    return result


def process_names(instance: ProcessInstance) -> dict[str, str]:
    """{process id: display name} of the instance's process and every process it calls (stages, shared
    processes), so the drill-down names a stage instead of showing its id."""
    top, called = version_specs(instance.process_version)
    return {pid: process_name(pid) for pid in [top.name, *called]}


def instance_state(session: Session, instance: ProcessInstance) -> dict[str, Any]:
    wf = load_workflow(session, instance)
    return {
        "id": instance.id,
        "process": instance.process_key,
        "version": instance.version,
        "status": instance.status,
        "lock_version": instance.lock_version,
        "error": {"message": instance.error_message, "task": instance.error_task}
        if instance.error_message
        else None,
        "processes": element_states(wf, instance),
        "names": process_names(instance),
        "timers": [
            {
                "element": t.task_spec.bpmn_id or t.task_spec.name,
                "name": t.task_spec.bpmn_name,
                "process": t.workflow.spec.name,
                "due_at": due.isoformat(),
            }
            for t, due in sorted(due_timers(wf), key=lambda pair: pair[1])
        ],
        "data": instances.current_data(wf),
    }


@bp.get("/instances/<int:instance_id>")
@rule("monitor")
def instance(instance_id: int) -> str:
    session = db.session()
    inst = _instance_or_404(instance_id)
    state = instance_state(session, inst)
    open_tasks = list(
        session.scalars(
            select(HumanTask)
            .where(HumanTask.instance_id == inst.id, HumanTask.status.in_(task_model.OPEN))
            .order_by(HumanTask.created_at)
        )
    )
    newest = session.scalar(
        select(func.max(ProcessVersion.version)).where(ProcessVersion.process_key == inst.process_key)
    )
    return render_template(
        "monitor/instance.html",
        inst=inst,
        state=state,
        data_json=json.dumps(state["data"], ensure_ascii=False, indent=2, sort_keys=True, default=str),
        events=instances.events(session, inst.id),
        open_tasks=open_tasks,
        newest=newest,
        can_control=can_control(inst),
        statuses=STATUS_LABELS,
    )


@bp.get("/instances/<int:instance_id>/state.json")
@rule("monitor")
def instance_state_json(instance_id: int) -> Response:
    inst = _instance_or_404(instance_id)
    return jsonify(instance_state(db.session(), inst))


@lru_cache(maxsize=256)
def _process_ids(sha256: str, content: bytes) -> frozenset[str]:
    tree = parse_xml(content)
    return frozenset(
        el.get("id") for el in tree.getroot().iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}process")
    )


@dataclass(frozen=True)
class _Diagrams:
    """A version's diagram files as the stage cache's key: equal (and hashed) by their hashes alone, so the
    contents are never hashed or compared (deployed files never change)."""

    hashes: tuple[str, ...]
    contents: tuple[bytes, ...] = field(compare=False)


@lru_cache(maxsize=32)
def _stage_members(diagrams: _Diagrams) -> dict[str, frozenset[str]]:
    return dashboard.stage_members(list(diagrams.contents))


def version_stages(session: Session, pv: ProcessVersion) -> dict[str, frozenset[str]]:
    """The stages (call activities, embedded subprocesses) of a version's diagrams and the elements inside
    each (``dashboard.stage_members``); computed once per set of diagram files (deployed files never change)."""
    files = session.scalars(
        select(DeploymentFile)
        .where(DeploymentFile.deployment_id == pv.deployment_id, DeploymentFile.kind == "bpmn")
        .order_by(DeploymentFile.name)
    ).all()
    return _stage_members(_Diagrams(tuple(f.sha256 for f in files), tuple(f.content for f in files)))


def _version(session: Session, process_key: str | None, version: int | None) -> ProcessVersion | None:
    if not process_key or version is None:
        return None
    return session.scalar(
        select(ProcessVersion).where(
            ProcessVersion.process_key == process_key, ProcessVersion.version == version
        )
    )


def diagram_file(session: Session, pv: ProcessVersion, process_id: str | None) -> DeploymentFile | None:
    """The deployment file that draws ``process_id`` (default: the version's own diagram)."""
    files = session.scalars(
        select(DeploymentFile).where(
            DeploymentFile.deployment_id == pv.deployment_id, DeploymentFile.kind == "bpmn"
        )
    ).all()
    if not process_id or process_id == pv.process_key:
        return next((f for f in files if f.name == pv.bpmn_file), None)
    return next((f for f in files if process_id in _process_ids(f.sha256, f.content)), None)


def _version_or_404(process_key: str, version: int) -> ProcessVersion:
    pv = db.session.scalar(
        select(ProcessVersion).where(
            ProcessVersion.process_key == process_key, ProcessVersion.version == version
        )
    )
    if pv is None:
        abort(404)
    return pv


@bp.get("/processes/<process_key>/<int:version>/heat")
@rule("monitor")
def heat(process_key: str, version: int) -> str:
    """The version's diagram with the number of running instances waiting at each element; each number opens
    the list of those instances."""
    session = db.session()
    pv = _version_or_404(process_key, version)
    scope = visible_jurisdictions()
    counts = dashboard.element_counts(session, process_key, version, scope)
    stages = dashboard.stage_counts(session, process_key, version, scope, version_stages(session, pv))
    links = {
        element: url_for("monitor.index", process=process_key, version=version, status="running", at=element)
        for element in (*counts, *stages)
    }
    name = process_name(process_key)
    return render_template(
        "monitor/heat.html",
        pv=pv,
        process_title=name,
        heat={"process": process_key, "name": name, "counts": counts, "stages": stages, "links": links},
        total=dashboard.waiting_total(session, process_key, version, scope),
    )


@bp.get("/processes/<process_key>/<int:version>/diagram.bpmn")
@rule("monitor")
def version_diagram(process_key: str, version: int) -> Response:
    """The BPMN XML of a process version (``?process=ID``: the file of a called process)."""
    found = diagram_file(db.session(), _version_or_404(process_key, version), request.args.get("process"))
    if found is None:
        abort(404)
    return _diagram_response(found)


@bp.get("/instances/<int:instance_id>/diagram.bpmn")
@rule("monitor")
def instance_diagram(instance_id: int) -> Response:
    """The BPMN XML of the instance's pinned version (``?process=ID``: the file of a called process)."""
    inst = _instance_or_404(instance_id)
    found = diagram_file(db.session(), inst.process_version, request.args.get("process"))
    if found is None:
        abort(404)
    return _diagram_response(found)


def _diagram_response(found: DeploymentFile) -> Response:
    """A deployed diagram with its names as the user reads them (lanes without their role codes)."""
    shown = shown_diagram(found.content, current_lang())
    return Response(shown, mimetype="application/xml", headers={"X-Diagram-File": found.name})


@bp.get("/viewer")
@rule("viewer")
def viewer() -> str:
    """Open a local .bpmn file in the viewer (nothing is uploaded)."""
    return render_template("monitor/viewer.html")


# --- control ------------------------------------------------------------------------------------------------


def _run(what: str, action: Any) -> None:
    try:
        action()
    except JiebangError as exc:
        db.session.rollback()
        flash(exc.message(current_lang()), "error")
    else:
        flash(what, "info")


@bp.post("/instances/<int:instance_id>/control")
@rule("control")
def control(instance_id: int) -> Response:
    inst = _instance_or_404(instance_id)
    if not can_control(inst):
        abort(403)
    session, actor, op = db.session(), current_user.username, request.form.get("op", "")
    if op == "suspend":
        _run(gettext("已挂起"), lambda: instances.suspend(session, inst.id, actor=actor))
    elif op == "resume":
        _run(gettext("已恢复"), lambda: instances.resume(session, inst.id, actor=actor))
    elif op == "terminate":
        reason = request.form.get("reason", "").strip() or None
        _run(gettext("已终止"), lambda: instances.terminate(session, inst.id, actor=actor, reason=reason))
    elif op == "retry":
        raw = request.form.get("data", "").strip()
        try:
            data = json.loads(raw) if raw else None
        except ValueError as exc:
            flash(gettext("修正数据不是有效的 JSON：%(problem)s", problem=str(exc)), "error")
            return redirect(url_for(".instance", instance_id=inst.id))
        _run(gettext("已重试"), lambda: instances.retry(session, inst.id, actor=actor, data=data))
    else:
        abort(400)
    return redirect(url_for(".instance", instance_id=inst.id))


@bp.get("/instances/<int:instance_id>/migrate")
@rule("monitor")
def migrate_preview(instance_id: int) -> str:
    inst = _instance_or_404(instance_id)
    version = _int(request.args.get("version"))
    try:
        plan = versions.preview_migration(db.session(), inst.id, version)
    except JiebangError as exc:
        abort(Response(exc.message(current_lang()), status=exc.http_status))
    db.session.rollback()
    if request.args.get("format") == "json":
        return jsonify(plan.as_json())  # type: ignore[return-value]
    return render_template(
        "monitor/migrate.html", inst=inst, plan=plan, can_control=can_control(inst), statuses=STATUS_LABELS
    )


@bp.post("/instances/<int:instance_id>/migrate")
@rule("control")
def migrate(instance_id: int) -> Response:
    inst = _instance_or_404(instance_id)
    version, lock = _int(request.form.get("version")), _int(request.form.get("lock_version"))
    _run(
        f"已迁移到 v{version} | Moved to v{version}",
        lambda: versions.migrate_instance(
            db.session(), inst.id, actor=current_user.username, version=version, expected_lock_version=lock
        ),
    )
    return redirect(url_for(".instance", instance_id=inst.id))


@bp.route("/migrate", methods=["GET", "POST"])
@rule("control")
def bulk_migrate() -> str:
    """Move many instances of one process to its newest version: preview each, then move the chosen ones
    one at a time (each in its own transaction; a refusal does not stop the others)."""
    session = db.session()
    process = (request.values.get("process") or "").strip()
    results: list[dict[str, Any]] = []
    if request.method == "POST":
        for raw in request.form.getlist("instance"):
            instance_id = _int(raw)
            if instance_id is None:
                continue
            try:
                plan = versions.migrate_instance(session, instance_id, actor=current_user.username)
                results.append(
                    {"id": instance_id, "ok": True, "message": f"v{plan.from_version} → v{plan.to_version}"}
                )
            except JiebangError as exc:
                session.rollback()
                results.append({"id": instance_id, "ok": False, "message": exc.message(current_lang())})
    candidates = (
        versions.outdated_instances(session, process, limit=100, jurisdictions=visible_jurisdictions())
        if process
        else []
    )
    previews = []
    for inst in candidates:
        plan = versions.preview_migration(session, inst.id)
        session.rollback()
        previews.append((inst, plan))
    processes = session.scalars(
        select(ProcessVersion.process_key).distinct().order_by(ProcessVersion.process_key)
    )
    return render_template(
        "monitor/bulk_migrate.html",
        process=process,
        processes=list(processes),
        previews=previews,
        results=results,
        statuses=STATUS_LABELS,
    )
