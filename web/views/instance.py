"""The staff view of one instance (summary, timeline, objections, attachments) and attachment downloads.

The supervisor's diagram view lives in the monitor (``/monitor``); this page is what a task's context links
to and what shows an objection that reached the instance. Who may open it, and which fields, events, objector
details and files it shows, is the access policy's answer (``engine.access.policy``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template
from flask_login import current_user

from engine import expert_pool, instances
from engine.access import policy
from engine.access.fields import FieldClass, FieldViewer
from engine.assignment import names_of
from engine.deadlines import pending_timers
from engine.documents import generate as documents
from engine.domain import need_selection
from engine.domain.problems import from_bilingual
from engine.models import task as task_model
from engine.models.instance import COMPLETED, ProcessInstance
from engine.models.task import HumanTask
from engine.users import INSTANCE_CONTROL_ROLES
from web import uploads
from web.access import me, rule
from web.books_view import books_view
from web.context import instance_context
from web.extensions import db
from web.i18n import current_lang

bp = Blueprint("instance", __name__)


def _visible_instance(instance_id: int) -> tuple[ProcessInstance, FieldViewer]:
    """The instance and the signed-in user as its viewer; 404 / 403 (the policy's refusal) otherwise."""
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        abort(404)
    return instance, policy.instance_viewer(db.session(), me(), instance)


@bp.get("/instances/<int:instance_id>")
@rule("instance")
def show(instance_id: int) -> str:
    instance, viewer = _visible_instance(instance_id)
    rows = db.session.query(HumanTask).filter(HumanTask.instance_id == instance.id).all()
    context = instance_context(instance, viewer)
    case_data = instances.describe(db.session(), instance.id).get("data") or {}
    open_tasks, named = policy.open_tasks_view(
        [t for t in rows if t.status in task_model.OPEN], viewer, case_data.get("issuer_code")
    )
    visible = {a["sha256"] for a in context["attachments"]}
    may_draw = current_user.has_role(*INSTANCE_CONTROL_ROLES, jurisdiction=instance.jurisdiction)
    # 抽取记录: who was drawn and who was left out and why (回避 reasons name affiliations: the credit audience)
    draws = expert_pool.draws_of_instance(db.session(), instance.id) if viewer.sees(FieldClass.CREDIT) else []
    # the project's books (plan, paid, owed, recovered per party): the case's readers (bureau, parties, oversight)
    money = None
    if viewer.sees(FieldClass.CASE):
        data = policy.data_view(case_data, viewer)
        money = books_view(instance.jurisdiction, data, viewer)
    return render_template(
        "instance/show.html",
        instance=instance,
        context=context,
        open_tasks=open_tasks,
        named=named,
        # what the case waits for besides people: a window closing, a milestone falling due (名称 and 北京时间)
        waiting=pending_timers(db.session(), viewer=me(), instance_id=instance.id, limit=20),
        names=names_of(db.session(), open_tasks),
        documents=[d for d in documents.documents(db.session(), instance.id) if d.file["sha256"] in visible],
        drawable=documents.available_kinds(instance, documents.case_data(db.session(), instance))
        if may_draw
        else [],
        draws=draws,
        money=money,
        visible_files=visible,
        refusals=_need_refusals(instance),
        not_listed=_not_listed(instance),
    )


def _need_refusals(instance: ProcessInstance) -> list[str]:
    """Why a posted need was not accepted (the diagram's ``need_refusals``), each with its rule's source, in
    the user's language; [] for anything else."""
    if instance.status != COMPLETED or not (instance.process_key or "").endswith("_challenge"):
        return []
    reasons = instances.describe(db.session(), instance.id).get("data", {}).get("need_refusals") or []
    return [from_bilingual(str(r)).text(current_lang()) for r in reasons if r]


def _not_listed(instance: ProcessInstance) -> str:
    """Why an accepted need did not reach the list (001 八(二): the panel, or the district government), in the
    user's language; '' for anything else."""
    if instance.status != COMPLETED or not (instance.process_key or "").endswith("_challenge"):
        return ""
    data = instances.describe(db.session(), instance.id).get("data", {})
    return need_selection.not_listed_reason(data, current_lang())


@bp.get("/instances/<int:instance_id>/files/<sha256>")
@rule("attachment")
def attachment(instance_id: int, sha256: str) -> Any:
    instance, viewer = _visible_instance(instance_id)
    meta = policy.attachment_for(instances.events(db.session(), instance.id), viewer, sha256)
    return uploads.send_audited_download(db.session(), meta, actor=current_user.username, instance=instance)
