"""A solver's own pages: its unit's applications (status, documents, decisions), its projects (milestones,
money received, reports due) and the requests it makes while a project runs (extension, termination, change).
What a solver may see is ``engine.access.solvers``; lists are ``engine.solver_work``; requests are checked and
sent by ``engine.project_requests``."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engine import application_records, instances, project_requests, solver_work, stage_reports
from engine import applications as applications_engine
from engine.access import policy, solvers
from engine.db import begin_write
from engine.errors import JiebangError, NotFound, ValidationFailed
from engine.pickers import PickerScope
from engine.taskforms import form_for
from forms.definition import FieldDef, LocalText
from web import uploads
from web.access import me, rule
from web.app import clock_now, yuan
from web.extensions import db
from web.i18n import current_lang

bp = Blueprint("solver", __name__, url_prefix="/my")

#: What each request's page shows of the case data after a decision (the diagrams' outputs).
#: what the project page shows of the requests' decisions; a termination refused by the bureau (000 §14) or the
#: party that consents after it (001 八(八) the district government, 003 §17 the issuer): ``termination_result``
#: and ``termination_refusal`` (who, and the reason)
OUTCOME_KEYS = (
    "extension_result",
    "extension_refusal",
    "extension_count",
    "period_end",
    "changes_recorded",
    "termination_result",
    "termination_refusal",
)


def _own(kind: str, challenge: str) -> Any:
    try:
        if kind == "project":
            return solvers.own_project(db.session(), me(), challenge)
        return solvers.own_application(db.session(), me(), challenge)
    except NotFound:
        abort(404)


@bp.get("/applications")
@rule("solver")
def applications() -> str:
    return render_template("solver/applications.html", rows=solver_work.applications(db.session(), me()))


@bp.get("/applications/<path:challenge>")
@rule("solver")
def application(challenge: str) -> str:
    project, instance = _own("application", challenge)
    viewer = solvers.solver_viewer(db.session(), me())
    events = policy.events_view(instances.events(db.session(), instance.id), viewer)
    mine = [
        e
        for e in events
        if e["kind"] == "message_received"
        and (e.get("data") or {}).get("message") == "application"
        and (e["data"].get("payload") or {}).get("solver") == project.solver
    ]
    defn = form_for(db.session(), instance.process_version, applications_engine.FORM, instance.jurisdiction)
    picks = PickerScope(db.session(), instance.jurisdiction, instance.business_key)
    # the application as recorded (engine.application_records: the solver's last submission, or the bureau's
    # record of an offline application); a case from before the table shows what its messages carried
    record = application_records.records(db.session(), challenge, [project.solver or ""]).get(
        project.solver or ""
    )
    submissions = (
        [_submission(defn, application_records.content_of(record), record.received_at, picks)]
        if record is not None
        else [
            _submission(defn, e["data"].get("payload") or {}, datetime.fromisoformat(e["at"]), picks)
            for e in mine
        ]
    )
    return render_template(
        "solver/application.html",
        project=project,
        instance=instance,
        submissions=submissions,
        files=policy.attachments_view(mine),
        status=_status_of(challenge),
        refusals=json.loads(project.refusal_json) if project.refusal_json else [],
    )


def _submission(defn: Any, payload: dict[str, Any], at: datetime, picks: PickerScope) -> dict[str, Any]:
    """One submitted application as the form labels it: (label, value) of each filled field, files apart;
    people and organisations by name."""
    lang = current_lang()
    shown: list[tuple[str, str]] = []
    for spec in defn.fields:
        value = payload.get(spec.name)
        if spec.type in ("file", "group") or value in (None, ""):
            continue
        if spec.type == "money":
            text = _("%(yuan)s 元", yuan=yuan(int(value)))
        elif spec.type == "picker":
            names = dict(picks.choices(picks.directory_kind(spec.of or "")))
            text = "、".join(names.get(c, c) for c in str(value).split(",") if c)
        elif spec.type == "checkbox":
            text = _("是") if value else _("否")
        else:
            text = str(value)
        shown.append((spec.label.get(lang), text))
    return {"at": at, "fields": shown}


def _status_of(challenge: str) -> str:
    for row in solver_work.applications(db.session(), me()):
        if row.challenge == challenge:
            return row.status
    return "applying"


@bp.get("/applications/<path:challenge>/files/<sha256>")
@rule("solver")
def attachment(challenge: str, sha256: str) -> Any:
    _project, instance = _own("application", challenge)
    viewer = solvers.solver_viewer(db.session(), me())
    meta = policy.attachment_for(instances.events(db.session(), instance.id), viewer, sha256)
    return uploads.send_audited_download(db.session(), meta, actor=current_user.username, instance=instance)


@bp.get("/projects")
@rule("solver")
def projects() -> str:
    return render_template(
        "solver/projects.html", rows=solver_work.projects(db.session(), me(), now=clock_now())
    )


def _project_page(
    challenge: str,
    errors: dict[str, dict[str, list[str]]] | None = None,
    values: dict[str, dict[str, str]] | None = None,
    problem: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    session = db.session()
    project, instance = _own("project", challenge)
    viewer = solvers.solver_viewer(session, me())
    data = policy.data_view(instances.describe(session, instance.id)["data"], viewer)
    milestones = [m for m in data.get("milestones") or [] if isinstance(m, dict)]
    row = session.get(type(project), project.id)
    chosen = next(
        (p for p in solver_work.projects(session, me(), now=clock_now()) if p.code == challenge), None
    )
    return (
        render_template(
            "solver/project.html",
            project=chosen,
            application=row,
            instance=instance,
            milestones=milestones,
            ledger=solver_work.ledger_of(session, challenge, project.solver or ""),
            reminders=solver_work.reminders_of(session, challenge),
            outcome={k: data[k] for k in OUTCOME_KEYS if k in data},
            accepting={
                k: project.status == solvers.SELECTED and project_requests.accepting(session, challenge, k)
                for k in project_requests.KINDS
            },
            extension_rule=project_requests.extension_rule(
                session, instances.describe(session, instance.id)["data"]
            ),
            reporting=stage_reports.accepting(session, me(), challenge),
            stage_reports=stage_reports.reports(session, instance.id),
            errors=errors or {},
            values=values or {},
            problem=problem,
            causes=project_requests.TERMINATION_CAUSES,
            change_kinds=project_requests.CHANGE_KINDS,
        ),
        status,
    )


@bp.get("/projects/<path:challenge>")
@rule("solver")
def project(challenge: str) -> tuple[str, int]:
    return _project_page(challenge)


@bp.post("/projects/<path:challenge>/requests/<kind>")
@rule("solver")
def make_request(challenge: str, kind: str) -> Any:
    if kind not in project_requests.KINDS:
        abort(404)
    _own("project", challenge)
    lang = current_lang()
    values = {key: request.form.get(key, "")[:4000] for key in ("days", "reason", "cause", "kind", "detail")}
    session = db.session()
    try:
        begin_write(session)
        project_requests.submit(session, me(), challenge, kind, values)
    except ValidationFailed as exc:
        db.session.rollback()
        fields = exc.details.get("fields" if lang == "zh" else "fields_en") or {}
        errors = {k: [str(m) for m in v] for k, v in fields.items()} or {
            project_requests.KINDS[kind].main_field: [exc.message(lang)]
        }
        return _project_page(challenge, errors={kind: errors}, values={kind: values}, status=422)
    except JiebangError as exc:
        db.session.rollback()
        return _project_page(challenge, problem=exc.message(lang), status=exc.http_status)
    db.session.commit()
    flash(_("申请已提交，科技局审核后结果将显示在本页。"), "info")
    return redirect(url_for("solver.project", challenge=challenge))


#: the upload of a stage report: PDF or Word, at most 20 MB (checked by content when stored)
REPORT_FILE = FieldDef(
    name="report_file",
    type="file",
    label=LocalText("阶段报告", "Stage report"),
    accept=stage_reports.REPORT_TYPES,
    max_size=stage_reports.REPORT_MAX_SIZE,
)


@bp.post("/projects/<path:challenge>/stage-reports")
@rule("solver")
def stage_report(challenge: str) -> Any:
    """A stage report submitted outside any milestone task (engine.stage_reports): checked beside each field
    before anything is recorded."""
    _own("project", challenge)
    lang = current_lang()
    values = {key: request.form.get(key, "")[:6000] for key in ("period_start", "period_end", "progress")}
    session = db.session()
    upload = request.files.get("report_file")
    meta, problems = (None, []) if not upload or not upload.filename else uploads.store(upload, REPORT_FILE)
    try:
        if problems:
            raise project_requests.Refused({"report_file": (problems[0].zh, problems[0].en)})
        begin_write(session)
        stage_reports.submit(session, me(), challenge, values, meta)
    except ValidationFailed as exc:
        db.session.rollback()
        uploads.discard_new()
        fields = exc.details.get("fields" if lang == "zh" else "fields_en") or {}
        errors = {k: [str(m) for m in v] for k, v in fields.items()}
        return _project_page(challenge, errors={"report": errors}, values={"report": values}, status=422)
    except JiebangError as exc:
        db.session.rollback()
        uploads.discard_new()
        return _project_page(challenge, problem=exc.message(lang), status=exc.http_status)
    db.session.commit()
    flash(_("阶段报告已提交，科技局和发榜方可在项目记录中查看。"), "info")
    return redirect(url_for("solver.project", challenge=challenge))
