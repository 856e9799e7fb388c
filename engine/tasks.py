"""Human tasks: the work queue (plain SQL over the task index), claim, unclaim and complete."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import ColumnElement, Row, Select, and_, false, or_, select
from sqlalchemy.orm import Session

from engine.access.fields import race_team_owner
from engine.assignment import BY_CLAIM
from engine.case_view import case_data
from engine.db import begin_write
from engine.domain import checks
from engine.domain.problems import by_field
from engine.errors import Conflict, Forbidden, InvalidState, NotFound, ValidationFailed
from engine.lint import role_of_lane
from engine.models import task as task_model
from engine.models.event import InstanceEvent
from engine.models.instance import ProcessInstance
from engine.models.task import HumanTask
from engine.pickers import PickerScope
from engine.principals import acting_principal
from engine.runtime import Context, change_instance, load_workflow, open_task_instance
from engine.taskforms import form_for, validate_task_data
from engine.users import get_user


def queue_query(
    *,
    instance_id: int | None = None,
    roles: list[tuple[str, str | None]] | None = None,
    assignee: str | None = None,
    assigned_to: str | None = None,
    lanes: Iterable[str] | None = None,
    jurisdiction: str | None = None,
    process_key: str | None = None,
    task_spec: str | None = None,
    search: str | None = None,
) -> Select[tuple[HumanTask]]:
    """Ready tasks of running instances; optionally only those a holder of ``roles`` may do.

    ``roles`` are (role, jurisdiction or None for all) grants. Lanes are free text that names a role
    (``engine.lint.role_of_lane``); pass ``lanes``, the lane names in use (``engine.workqueue.ready_lanes``),
    so that the role filter is an index-backed ``lane IN (…)``; without it a LIKE on the lane is used.
    ``assigned_to``: with ``roles``, also the tasks assigned to this user. ``search`` matches the start of the business key, or part of the task name or of the instance title."""
    # Tasks of suspended or failed instances are 'paused' (engine.indexes.rebuild): no join is needed, and the
    # page is one ordered scan of ix_human_task_queue.
    ready = HumanTask.status == task_model.READY
    if roles is not None:
        # The status is repeated inside each branch of the role filter, so that each branch is one range of
        # an index (status, lane, jurisdiction) or (status, assignee) and the database combines them: the cost
        # follows the tasks the user may do, not all ready tasks (tests/integration/test_perf_plans.py).
        branches = _roles_clauses(roles, None if lanes is None else list(lanes))
        # a task assigned to the user by name is theirs even where no grant names its lane (a panel chair)
        if assigned_to:
            branches.append(HumanTask.assignee == assigned_to)
        query = select(HumanTask).where(or_(*(and_(ready, b) for b in branches)) if branches else false())
    else:
        query = select(HumanTask).where(ready)
    if instance_id is not None:
        query = query.where(HumanTask.instance_id == instance_id)
    if assignee is not None:
        query = query.where(HumanTask.assignee == assignee)
    if jurisdiction is not None:
        query = query.where(HumanTask.jurisdiction == jurisdiction)
    if process_key is not None:
        query = query.where(HumanTask.process_key == process_key)
    if task_spec is not None:
        query = query.where(HumanTask.task_spec == task_spec)
    if search and search.strip():
        term = search.strip()
        titled = select(ProcessInstance.id).where(ProcessInstance.title.icontains(term, autoescape=True))
        query = query.where(
            or_(
                HumanTask.business_key.istartswith(term, autoescape=True),
                HumanTask.name.icontains(term, autoescape=True),
                HumanTask.instance_id.in_(titled),
            )
        )
    return query.order_by(HumanTask.created_at, HumanTask.id)  # served by ix_human_task_queue


def _roles_clauses(roles: list[tuple[str, str | None]], lanes: list[str] | None) -> list[ColumnElement[bool]]:
    """One condition per grant: the lanes of its role (in its jurisdiction, if it has one)."""
    clauses: list[ColumnElement[bool]] = []
    for role, grant_jurisdiction in roles:
        if lanes is not None:
            names = [lane for lane in lanes if role_of_lane(lane) == role]
            if not names:
                continue
            lane_clause: ColumnElement[bool] = HumanTask.lane.in_(names)
        else:
            lane_clause = or_(HumanTask.lane == role, HumanTask.lane.endswith(f"({role})", autoescape=True))
        if grant_jurisdiction is not None:
            lane_clause = and_(lane_clause, HumanTask.jurisdiction == grant_jurisdiction)
        clauses.append(lane_clause)
    return clauses


def list_tasks(
    session: Session, *, instance_id: int | None = None, limit: int = 500, offset: int = 0
) -> list[HumanTask]:
    return list(session.scalars(queue_query(instance_id=instance_id).limit(limit).offset(offset)))


def task_json(row: HumanTask) -> dict[str, Any]:
    return {
        "id": row.id,
        "instance": row.instance_id,
        "task": row.task_spec,
        "name": row.name,
        "lane": row.lane,
        "form": row.form_key,
        "due_at": row.due_at.isoformat() if row.due_at else None,
        "assignee": row.assignee,
        "assigned_by": row.assigned_by,
        "candidate_org": row.candidate_org,
        "business_key": row.business_key,
        "jurisdiction": row.jurisdiction,
    }


def _open_task(session: Session, task_id: str) -> HumanTask:
    row = session.get(HumanTask, task_id)
    if row is None:
        raise NotFound(f"任务 {task_id} 不存在。", f"Task {task_id} does not exist.")
    _require_open(row)
    return row


def _require_open(row: HumanTask | Row[Any]) -> None:
    if row.status == task_model.PAUSED:
        raise InvalidState(
            f"任务“{row.name}”所属的流程实例已挂起或出错，暂不能办理。",
            f"The process instance of task '{row.name}' is suspended or failed; the task cannot be done now.",
        )
    if row.status != task_model.READY:
        who = f"，由 {row.completed_by} 完成" if row.completed_by else ""
        who_en = f" by {row.completed_by}" if row.completed_by else ""
        state_zh = "已完成" if row.status == task_model.COMPLETED else "已取消"
        raise Conflict(
            f"任务“{row.name}”{state_zh}{who}，不能再次办理。",
            f"Task '{row.name}' is already {row.status}{who_en}; it cannot be done again.",
        )


def _authorize(session: Session, row: HumanTask | Row[Any], actor: str | None) -> None:
    from engine.access.rows import holds_lane

    user = acting_principal(session, actor)
    role = role_of_lane(row.lane)
    if not holds_lane(user, row):
        from engine.labels import jurisdiction_name, role_name

        raise Forbidden(
            f"您没有办理此任务所需的角色：它由{jurisdiction_name(row.jurisdiction, 'zh')}的"
            f"{role_name(role or '', 'zh')}办理。您要办理的事项在“待办任务”中。",
            f"You do not hold the role this task needs: the {role_name(role or '', 'en')} of "
            f"{jurisdiction_name(row.jurisdiction, 'en')} does it. What you have to do is in your work queue.",
        )
    from engine.access.rows import assignment_allows

    if not assignment_allows(session, user.username, row):
        raise Forbidden(*assigned_elsewhere(session, row, user.username or ""))


def assigned_elsewhere(session: Session, row: HumanTask | Row[Any], username: str) -> tuple[str, str]:
    """Why ``username`` may not do a task assigned to another person or organisation (Chinese, English)."""
    from engine.assignment import organisation_name, user_name

    if row.assignee and row.assignee != username:
        who = user_name(session, row.assignee)
        return (
            f"任务“{row.name or row.task_spec}”已指派给 {who}，只有其本人可以办理；如需改派请联系科技局。",
            f"Task '{row.name or row.task_spec}' is assigned to {who}; only they can do it. Ask the bureau to "
            "reassign it.",
        )
    org = organisation_name(session, row.candidate_org)
    return (
        f"任务“{row.name or row.task_spec}”由{org}办理，您的账号不属于该单位。",
        f"Task '{row.name or row.task_spec}' is for {org}; your account does not belong to it.",
    )


def require_actor(session: Session, row: HumanTask, actor: str | None) -> None:
    """Refuse unless ``row`` is open and ``actor`` may do it now (its lane's role; not claimed by another):
    the check of ``complete`` for work done on a task before it is completed (e.g. a panel draw)."""
    _open_task(session, row.id)
    _authorize(session, row, actor)
    if row.assignee and row.assignee != actor:
        raise Conflict(
            f"任务已被 {row.assignee} 认领，请先由其退回。",
            f"The task is claimed by {row.assignee}; they must unclaim it first.",
        )


def claim(session: Session, task_id: str, *, actor: str | None) -> HumanTask:
    begin_write(session)
    row = _open_task(session, task_id)
    _authorize(session, row, actor)
    if row.assignee and row.assignee != actor:
        raise Conflict(f"任务已被 {row.assignee} 认领。", f"The task is already claimed by {row.assignee}.")
    if row.assignee != actor:
        row.assignee = actor
        row.assigned_by = BY_CLAIM
        _log(session, row, "task_claimed", actor)
    session.commit()
    return row


def unclaim(session: Session, task_id: str, *, actor: str | None) -> HumanTask:
    begin_write(session)
    row = _open_task(session, task_id)
    get_user(session, actor)
    if row.assignee is None:
        raise Conflict("任务尚未被认领。", "The task is not claimed.")
    if row.assignee != actor:
        raise Forbidden(
            f"只有认领人 {row.assignee} 可以退回此任务。",
            f"Only {row.assignee}, who claimed it, can unclaim it.",
        )
    if row.assigned_by not in (None, BY_CLAIM):
        raise Conflict(
            "此任务是指派给您的，不能退回；如不能办理，请联系科技局改派。",
            "This task was assigned to you and cannot be given back; ask the bureau to reassign it.",
        )
    row.assignee = None
    row.assigned_by = None
    _log(session, row, "task_unclaimed", actor)
    session.commit()
    return row


def _log(
    session: Session, row: HumanTask, kind: str, actor: str | None, data: dict[str, Any] | None = None
) -> None:
    from engine.clock import get_clock

    session.add(
        InstanceEvent(
            instance_id=row.instance_id,
            kind=kind,
            at=get_clock(session).now(),
            actor=actor,
            task_id=row.id,
            task_spec=row.task_spec,
            task_name=row.name,
            data_json=json.dumps(data, ensure_ascii=False, sort_keys=True) if data is not None else None,
        )
    )


@dataclass(frozen=True)
class Completion:
    task_id: str
    instance_id: int
    instance_status: str
    next_tasks: list[dict[str, Any]]


def complete(
    session: Session,
    task_id: str,
    *,
    actor: str | None,
    data: Any = None,
    expected_lock_version: int | None = None,
) -> Completion:
    """Validate ``data`` against the task's form and complete the task, all or nothing."""
    begin_write(session)
    # the task's row (as fresh as the write lock makes it, whatever the identity map holds) with its instance,
    # in one statement: read once, the form's checks and the change use it
    found = open_task_instance(session, task_id)
    if found is None:
        raise NotFound(f"任务 {task_id} 不存在。", f"Task {task_id} does not exist.")
    row, opened = found
    _require_open(row)
    _authorize(session, row, actor)
    if row.assignee and row.assignee != actor:
        raise Conflict(
            f"任务已被 {row.assignee} 认领，请先由其退回。",
            f"The task is claimed by {row.assignee}; they must unclaim it first.",
        )
    instance = opened.instance
    attempted: dict[str, Any] = {"task": task_id, "data": data}

    def action(ctx: Context) -> None:
        task = ctx.wf.get_task_from_id(UUID(task_id))
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            raise Conflict("任务已不在待办状态。", "The task is no longer open.")
        # the form is checked on the workflow the change loads (refused: nothing is stored), so the pickers
        # that judge units by the case's eligibility table read the task's data without a second load
        case = case_data(task)  # the case the page showed: read by the pickers and the form's checks
        if row.form_key:
            picks = PickerScope(
                session, instance.jurisdiction, instance.business_key, instance=instance, data=case
            )
            defn = form_for(session, instance.process_version, row.form_key, instance.jurisdiction)
            cleaned = validate_task_data(defn, data, picks)
            check_names = tuple(defn.checks or ())
        else:
            cleaned = validate_task_data_without_form(data)
            check_names = ()
        attempted["data"] = cleaned
        if check_names:
            refuse_on_problems(session, check_names, {**case, **cleaned})
        add = getattr(task.task_spec, "add_data_from_form", None)
        if add is not None:
            add(task, cleaned)
        else:
            task.data.update(cleaned)
        task.run()
        ctx.completed_by[task_id] = actor or ""
        # a 赛马 team's task is that team's record (engine.access.fields): competitors never read it
        ctx.log("task_completed", task=task, data={**cleaned, **race_team_owner(case_data(task))})

    _, ctx = change_instance(
        session,
        row.instance_id,
        action,
        actor=actor,
        expected_lock_version=expected_lock_version,
        attempted=attempted,
        opened=opened,
    )
    nxt = [task_json(t) for t in sorted(ctx.ready, key=lambda t: (t.created_at, t.id))]
    return Completion(task_id, row.instance_id, ctx.instance.status, nxt)


def refuse_on_problems(session: Session, names: Iterable[str], data: dict[str, Any]) -> None:
    """The pre-submit hook: the form's registered checks run on ``data`` (the task's data with the submitted
    values); any problem refuses the submission (ValidationFailed with field-keyed messages citing their
    rule), so nothing is completed or stored and the task stays ready."""
    problems = checks.problems(names, data, _check_context(session))
    if not problems:
        return
    zh, en = by_field(problems, "zh"), by_field(problems, "en")
    raise ValidationFailed(
        "表单有误，未提交：" + "；".join(p.text("zh") for p in problems[:3]),
        "The form breaks a rule and was not submitted: " + "; ".join(p.text("en") for p in problems[:3]),
        details={"fields": zh, "fields_en": en},
    )


def task_data(session: Session, instance: ProcessInstance, task_id: str) -> dict[str, Any]:
    """The data of the workflow task ``task_id`` (empty if the task is gone, e.g. it ran in a finished
    subprocess that engine.compact_state pruned); inside a called process with declared inputs, laid over its
    caller's — the case the page shows (engine.case_view)."""
    try:
        task = load_workflow(session, instance).get_task_from_id(UUID(task_id))
    except TaskNotFoundException:
        return {}
    return case_data(task) if task is not None else {}


def check_hints(
    session: Session, names: Iterable[str], data: Mapping[str, Any], lang: str
) -> dict[str, list[str]]:
    """The requirements of the form's checks for a task with ``data``, by field, in ``lang`` (help shown
    before typing)."""
    return by_field(checks.hints(names, data, _check_context(session)), lang)


def policy_required(session: Session, names: Iterable[str], data: Mapping[str, Any]) -> frozenset[str]:
    """The fields the policy requires for a task with ``data`` (the form's checks' hints marked required, e.g.
    Karamay's chief expert, 003 §12(8)): the page marks them required; the checks refuse them empty."""
    return frozenset(h.field for h in checks.hints(names, data, _check_context(session)) if h.required)


def _check_context(session: Session) -> checks.CheckContext:
    from engine.clock import SHANGHAI, get_clock

    return checks.context_for(session, get_clock(session).now().astimezone(SHANGHAI).date())


def validate_task_data_without_form(data: Any) -> dict[str, Any]:
    """Manual tasks without a form accept no data: a confirmation only."""
    from engine.errors import ValidationFailed

    if data:
        raise ValidationFailed("此任务没有表单，不接受数据。", "This task has no form and accepts no data.")
    return {}
