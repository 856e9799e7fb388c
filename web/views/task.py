"""One task: its context (instance, earlier decisions, attachments) and its form; save draft, submit."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import delete

from engine import application_records, reassign, stage_reports, tasks
from engine.access import may_act_on_task, policy
from engine.access.fields import FieldViewer
from engine.access.rows import LOOKING_ROLES
from engine.assignment import organisation_name, user_name
from engine.db import begin_write, utcnow
from engine.domain.problems import from_bilingual
from engine.errors import Conflict, Forbidden, InvalidState, JiebangError, ValidationFailed
from engine.expert_pool import PANEL_FORMS
from engine.models import task as task_model
from engine.models.instance import ProcessInstance
from engine.models.task import HumanTask
from engine.models.web import TaskDraft
from engine.pickers import PickerScope
from engine.runtime import load_workflow
from engine.taskforms import form_for
from forms.definition import FieldDef, FormDefinition
from forms.render import render_form
from forms.webinput import from_multidict
from web import uploads
from web.access import me, rule
from web.app import account_name
from web.context import instance_context
from web.extensions import db
from web.i18n import current_lang, diagram_name

bp = Blueprint("task", __name__)

_OWN_FIELDS = ("csrf_token", "action", "lock_version")


def _open_row(task_id: str) -> tuple[HumanTask, ProcessInstance, FieldViewer]:
    """The task, its instance and the signed-in user as its viewer — the access policy's answer (the lane's
    role and a part in the instance; 403 otherwise)."""
    row = db.session.get(HumanTask, task_id)
    if row is None:
        abort(404)
    instance = db.session.get(ProcessInstance, row.instance_id)
    assert instance is not None
    return row, instance, policy.task_viewer(db.session(), me(), row, instance)


def _task_data(instance: ProcessInstance, task_id: str) -> dict[str, Any]:
    return tasks.task_data(db.session(), instance, task_id)


def _form_context(defn: FormDefinition, data: dict[str, Any]) -> dict[str, Any]:
    """Only the values the form itself declares (its fields and the sources of its read-only fields): the form
    is the deployment's statement of what the task needs."""
    wanted = {f.name for f in defn.fields} | {(f.source or "").split(".")[0] for f in defn.fields if f.source}
    return {key: value for key, value in data.items() if key in wanted}


def _draft(task_id: str) -> TaskDraft | None:
    return db.session.get(TaskDraft, (task_id, current_user.username))


def _save_draft(task_id: str, values: dict[str, Any]) -> None:
    db.session.rollback()
    begin_write(db.session())
    draft = _draft(task_id)
    text = json.dumps(values, ensure_ascii=False, default=str)
    if draft is None:
        db.session.add(TaskDraft(task_id=task_id, username=current_user.username, data_json=text))
    else:
        draft.data_json = text
        draft.updated_at = utcnow()
    db.session.commit()


def _with_application_records(
    instance: Any, task_data: dict[str, Any], data: dict[str, Any]
) -> dict[str, Any]:
    """The applications a form lists (the bureau's ``collect_applications``), each as its record in the
    application table says (``engine.application_records``): the workflow data lists the solvers only."""
    if not isinstance(data.get("applications"), list):
        return data
    challenge = str(task_data.get("project_code") or instance.business_key or "")
    return {**data, "applications": application_records.submitted(db.session(), challenge, data)}


def _initial_values(defn: FormDefinition, data: dict[str, Any]) -> dict[str, Any]:
    values = {f.name: data[f.name] for f in defn.fields if f.type != "readonly" and f.name in data}
    for spec in defn.fields:
        if spec.type == "group" and spec.source and not values.get(spec.name):
            values[spec.name] = prefill_rows(spec, data)
    return values


def prefill_rows(spec: FieldDef, data: dict[str, Any]) -> list[dict[str, Any]]:
    """A group with a ``source`` starts with one row per item of that data list, the item in the row's first
    field (forms/FORMAT.md): an expert scores every eligible candidate without adding and choosing rows."""
    items = data.get(spec.source or "")
    if not isinstance(items, list | tuple) or not spec.fields:
        return []
    return [{spec.fields[0].name: item} for item in items]


def _errors_in(exc: ValidationFailed, lang: str) -> dict[str, list[str]]:
    fields = exc.details.get("fields" if lang == "zh" else "fields_en") or {}
    if not fields:
        return {"_form": [exc.message(lang)]}
    return {k: [str(m) for m in v] for k, v in fields.items()}


@bp.route("/tasks/<task_id>", methods=["GET", "POST"])
@rule("task")
def show(task_id: str) -> Any:
    row, instance, viewer = _open_row(task_id)
    lang = current_lang()
    task_data = _task_data(instance, task_id) if row.status == task_model.READY else None
    context = instance_context(instance, viewer, task_data)
    assignment = _assignment(row, instance)
    if row.status != task_model.READY and request.method != "POST":
        return render_template(
            "task/show.html",
            row=row,
            instance=instance,
            context=context,
            form_html=None,
            closed=True,
            assignment=assignment,
        )
    if row.form_key in PANEL_FORMS:  # the panel is drawn from the expert pool, never typed
        return redirect(url_for("panel.show", task_id=task_id))
    if not assignment["may_act"]:  # the bureau or an administrator looking at someone else's task
        return render_template(
            "task/show.html",
            row=row,
            instance=instance,
            context=context,
            form_html=None,
            closed=False,
            look_only=True,
            assignment=assignment,
            instructions=row.instructions,
        ), (403 if request.method == "POST" else 200)
    defn = (
        form_for(db.session(), instance.process_version, row.form_key, instance.jurisdiction)
        if row.form_key
        else None
    )
    if task_data is None:
        task_data = _task_data(instance, task_id)
    data = (
        _with_application_records(instance, task_data, _form_context(defn, task_data))
        if defn is not None
        else {}
    )
    hints = (
        tasks.check_hints(db.session(), defn.checks, task_data, lang)
        if defn is not None and defn.checks
        else {}
    )
    draft = _draft(task_id)
    values: dict[str, Any] = json.loads(draft.data_json) if draft else {}
    if not draft and defn is not None:
        values = _initial_values(defn, data)
    errors: dict[str, list[str]] = {}
    notice: str | None = None
    status = 200
    lock_version = instance.lock_version

    if request.method == "POST":
        action = request.form.get("action", "submit")
        if defn is not None:
            files, upload_problems = uploads.collect_files(defn, values)
            values = from_multidict(defn, request.form, files, ignore=_OWN_FIELDS)
        else:
            upload_problems, values = {}, {}
        if action == "draft":
            _save_draft(task_id, values)
            flash(_("草稿已保存。提交前，其他人看不到您的草稿。"), "info")
            return redirect(url_for("task.show", task_id=task_id))
        try:
            expected = int(request.form.get("lock_version", ""))
        except ValueError:
            expected = None
        try:
            if upload_problems:
                raise ValidationFailed(
                    "上传的文件不符合要求。",
                    "An uploaded file does not meet the requirements.",
                    details={
                        "fields": {k: [m.zh for m in v] for k, v in upload_problems.items()},
                        "fields_en": {k: [m.en for m in v] for k, v in upload_problems.items()},
                    },
                )
            done = tasks.complete(
                db.session(),
                task_id,
                actor=current_user.username,
                data=values,
                expected_lock_version=expected,
            )
        except ValidationFailed as exc:
            errors = _errors_in(exc, lang)
            if upload_problems and defn is not None:
                errors = {**_other_errors(defn, values, lang, instance), **errors}
            _save_draft(task_id, values)
            notice = _("表单有误，尚未提交。请按提示修改；您的输入已保留并存为草稿。")
            status = 422
        except Conflict as exc:
            db.session.rollback()
            db.session.refresh(instance)
            db.session.refresh(row)
            lock_version = instance.lock_version
            notice = exc.message(lang) + " "
            if row.status == task_model.READY:
                _save_draft(task_id, values)
                notice += (
                    _("您的输入已存为草稿，没有丢失。") + " " + _("页面已更新为最新状态，请核对后重新提交。")
                )
            else:
                notice += _("您填写的内容显示在下方，没有丢失，可供核对或复制。")
            status = 409
        except (Forbidden, InvalidState) as exc:
            db.session.rollback()
            _save_draft(task_id, values)
            notice = exc.message(lang) + " " + _("您的输入已存为草稿，没有丢失。")
            status = exc.http_status
        else:
            begin_write(db.session())
            db.session.execute(delete(TaskDraft).where(TaskDraft.task_id == task_id))
            db.session.commit()
            flash(_outcome(row, instance, done, values), "info")
            return redirect(url_for("queue.index"))

    form_html = None
    if defn is not None:
        picks = PickerScope(
            db.session(), instance.jurisdiction, instance.business_key, instance=instance, data=task_data
        )
        required = tasks.policy_required(db.session(), defn.checks, task_data) if defn.checks else ()
        form_html = render_form(
            defn.with_required(required),
            values=values,
            errors=errors,
            context=data,
            lang=lang,
            hints=hints,
            choices=picks.choices,
            units=picks.units,
            account_name=lambda username: user_name(db.session(), username),
        )
    return (
        render_template(
            "task/show.html",
            row=row,
            instance=instance,
            context=context,
            defn=defn,
            form_html=form_html,
            has_files=defn is not None and _has_files(defn),
            draft=_draft(task_id),
            lock_version=lock_version,
            notice=notice,
            closed=row.status != task_model.READY,
            instructions=row.instructions,
            assignment=assignment,
            received_reports=_received_reports(row, instance),
        ),
        status,
    )


def _received_reports(row: HumanTask, instance: ProcessInstance) -> list[dict[str, Any]]:
    """On a milestone check: the stage reports the solvers sent since the last check (engine.stage_reports)."""
    if row.task_spec not in stage_reports.CHECK_TASKS:
        return []
    session = db.session()
    return [
        {"report": r, "unit": organisation_name(session, r.solver)}
        for r in stage_reports.since_last_check(session, instance.id)
    ]


def _outcome(
    row: HumanTask, instance: ProcessInstance, done: tasks.Completion, values: dict[str, Any]
) -> str:
    """What the submission did, in words: a refused need says so and what follows, not a bare "submitted"."""
    name = diagram_name(row.name) or row.task_spec
    if row.form_key == "need_review" and values.get("need_listed_decision") == "reject":
        return _(
            "已决定不列入榜单：需求“%(title)s”不予发布，此流程已结束。结论和意见已记入流程记录。",
            title=instance.title or instance.business_key or "",
        )
    if done.instance_status == "completed" and not done.next_tasks:
        refusals = _need_refusals(instance)
        if refusals:
            return _("需求不予受理，此流程已结束：%(reasons)s", reasons="；".join(refusals))
        return _("任务“%(name)s”已提交，此流程已结束。", name=name)
    return _("任务“%(name)s”已提交。", name=name)


def _need_refusals(instance: ProcessInstance) -> list[str]:
    """Why the submitted need was not accepted (the diagram's ``need_refusals``, each "中文 / English (source)"),
    in the user's language."""
    from engine.instances import current_data

    db.session.refresh(instance)
    reasons = current_data(load_workflow(db.session(), instance)).get("need_refusals") or []
    return [from_bilingual(r).text(current_lang()) for r in reasons]


def _assignment(
    row: HumanTask, instance: ProcessInstance, errors: dict[str, list[str]] | None = None
) -> dict:
    """Who the task is assigned to (names), whether the signed-in user may do it, and — for the bureau or an
    administrator of its jurisdiction, while it is open — the people it may be reassigned to."""
    session = db.session()
    may_reassign = row.status == task_model.READY and current_user.has_role(
        *LOOKING_ROLES, jurisdiction=row.jurisdiction
    )
    choices = (
        [(u.username, u.display_name or u.username) for u in reassign.eligible_assignees(session, row)]
        if may_reassign
        else []
    )
    return {
        # as the panel page and the "完成" notice call them (never the account's code)
        "assignee_name": account_name(row.assignee),
        "organisation_name": organisation_name(session, row.candidate_org),
        "may_act": may_act_on_task(session, me(), row, instance),
        "may_reassign": may_reassign,
        "choices": [c for c in choices if c[0] != row.assignee],
        "errors": errors or {},
    }


@bp.post("/tasks/<task_id>/reassign")
@rule("control")
def reassign_task(task_id: str) -> Any:
    """The bureau (or an administrator) gives the open task to another eligible person, with a reason."""
    row, instance, viewer = _open_row(task_id)
    to = request.form.get("to", "").strip()
    reason = request.form.get("reason", "")
    try:
        reassign.reassign(db.session(), task_id, actor=current_user.username, to=to, reason=reason)
    except ValidationFailed as exc:
        db.session.rollback()
        db.session.refresh(row)
        assignment = _assignment(row, instance, _errors_in(exc, current_lang()))
        assignment["reason"] = reason
        return (
            render_template(
                "task/show.html",
                row=row,
                instance=instance,
                context=instance_context(instance, viewer),
                form_html=None,
                closed=False,
                look_only=True,
                assignment=assignment,
                notice=exc.message(current_lang()),
                instructions=row.instructions,
            ),
            422,
        )
    except (Forbidden, InvalidState, Conflict) as exc:
        db.session.rollback()
        flash(exc.message(current_lang()), "error")
        return redirect(url_for("task.show", task_id=task_id))
    flash(
        _(
            "任务“%(name)s”已改派给 %(who)s。",
            name=row.name or row.task_spec,
            who=user_name(db.session(), to),
        ),
        "info",
    )
    return redirect(url_for("task.show", task_id=task_id))


def _has_files(defn: FormDefinition) -> bool:
    return any(f.type == "file" or any(s.type == "file" for s in f.fields) for f in defn.fields)


def _other_errors(
    defn: FormDefinition, values: dict[str, Any], lang: str, instance: ProcessInstance
) -> dict[str, list[str]]:
    from engine.taskforms import validate_task_data

    try:
        validate_task_data(
            defn,
            values,
            PickerScope(db.session(), instance.jurisdiction, instance.business_key, instance=instance),
        )
    except JiebangError as exc:
        if isinstance(exc, ValidationFailed):
            return _errors_in(exc, lang)
    return {}
