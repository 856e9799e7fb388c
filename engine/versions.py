"""Moving running instances to a newer version of their process (SpiffWorkflow's spec diff and migration).

``preview_migration`` computes, without saving anything, what moving one instance would change: the elements
whose definition changed, the ones removed and added, and whether the move is safe. ``migrate_instance`` does
the same move through the one door (``engine.runtime.change_instance``: lock → load → change → engine steps →
save state and indexes → event ``migrated`` → commit, optimistic locking). A move is refused when
SpiffWorkflow's diff says the instance would lose its place:

- an element the instance has reached (completed, ready, waiting, running or failed) no longer exists;
- a subprocess or call activity it runs has no definition in the new version;
- a changed element is running or failed right now, or is an active multi-instance / loop task (a change of
  only its name or documentation, ``LABELS``, never blocks: it is listed as a label change);
- after the move, a task would still point at a definition that is not in the new version.

Tasks that are ready or waiting are re-predicted (their branch is rebuilt from the new diagram), keeping
their data and their task ids (so the work queue keeps its rows), and, when their own definition did not
change, their internal state (a waiting timer keeps its due time instead of restarting).
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.util.diff import WorkflowDiff, diff_workflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import InvalidState, NotFound
from engine.lint import form_key_of
from engine.models import instance as status
from engine.models import task as task_model
from engine.models.deployment import ProcessVersion
from engine.models.instance import ProcessInstance
from engine.models.task import HumanTask
from engine.runtime import Context, change_instance, load_workflow, version_specs
from engine.specs import join_state, serializer, split_state
from engine.users import INSTANCE_CONTROL_ROLES, get_user, require_role
from engine.version_history import diff_versions

#: Instances in these states can be moved (a failed instance is retried first; ended ones stay as they were).
MIGRATABLE = (status.RUNNING, status.SUSPENDED)
_REACHED = TaskState.COMPLETED | TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
_LIVE = TaskState.READY | TaskState.WAITING
_BUSY = TaskState.STARTED | TaskState.ERROR
#: Attributes of an element that only label it: changing them alone never blocks a move.
LABELS = frozenset({"bpmn_name", "documentation", "description"})


class MigrationRefused(InvalidState):
    code = "migration_refused"


@dataclass
class MigrationPlan:
    instance_id: int
    process_key: str
    from_version: int
    to_version: int
    changed: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    problems: list[dict[str, str]] = field(default_factory=list)
    #: policy values that differ between the two versions: {key, zh, en, old, new}
    policy: list[dict[str, Any]] = field(default_factory=list)

    @property
    def safe(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {
            "instance": self.instance_id,
            "process": self.process_key,
            "from_version": self.from_version,
            "to_version": self.to_version,
            "safe": self.safe,
            "changed": self.changed,
            "removed": self.removed,
            "added": self.added,
            "problems": self.problems,
            "policy": self.policy,
        }


def _element(task: Task) -> str:
    return task.task_spec.bpmn_id or task.task_spec.name


def _describe(task: Task, process: str, attributes: list[str] | None = None) -> dict[str, Any]:
    info: dict[str, Any] = {
        "element": _element(task),
        "name": task.task_spec.bpmn_name,
        "process": process,
        "state": TaskState.get_name(task.state),
    }
    if attributes is not None:
        info["attributes"] = sorted(attributes)
    return info


def target_version(session: Session, instance: ProcessInstance, version: int | None) -> ProcessVersion:
    """The requested version of the instance's process, or its newest one."""
    query = select(ProcessVersion).where(ProcessVersion.process_key == instance.process_key)
    if version is not None:
        query = query.where(ProcessVersion.version == version)
    found = session.scalars(query.order_by(ProcessVersion.version.desc()).limit(1)).first()
    if found is None:
        raise NotFound(
            f"流程 {instance.process_key} 没有版本 v{version}。",
            f"Process {instance.process_key} has no version v{version}.",
        )
    return found


def _plan_and_apply(wf: BpmnWorkflow, instance: ProcessInstance, target: ProcessVersion) -> MigrationPlan:
    """Diff the workflow against the target version's specs and migrate ``wf`` in memory. The caller throws
    ``wf`` away when the plan is not safe."""
    plan = MigrationPlan(instance.id, instance.process_key, instance.version, target.version)
    problems = plan.problems

    def refuse(element: str | None, zh: str, en: str) -> None:
        problems.append({"element": element or "", "message_zh": zh, "message": en})

    if instance.status not in MIGRATABLE:
        refuse(
            None,
            f"实例状态为 {instance.status}，只有运行中或已挂起的实例可以迁移。",
            f"The instance is {instance.status}; only running or suspended instances can be moved.",
        )
    if target.version <= instance.version:
        refuse(
            None,
            f"目标版本 v{target.version} 不比当前版本 v{instance.version} 新。",
            f"Version v{target.version} is not newer than the current v{instance.version}.",
        )
    new_spec, new_deps = version_specs(target)
    registry = serializer().registry
    top_diff, sub_diffs = diff_workflow(registry, wf, new_spec, new_deps)
    diffs: list[tuple[Any, WorkflowDiff, BpmnProcessSpec]] = [(wf, top_diff, new_spec)]
    for sp_id, sp_diff in sub_diffs.items():
        sp = wf.subprocesses[sp_id]
        if sp_diff is None:
            refuse(
                sp.spec.name,
                f"新版本中没有实例正在运行的子流程 {sp.spec.name}。",
                f"The new version has no definition of the running subprocess {sp.spec.name}.",
            )
            continue
        diffs.append((sp, sp_diff, new_deps[sp.spec.name]))
    spec_diff_added: set[str] = set()
    for workflow, diff, spec in diffs:
        process = workflow.spec.name
        for task in diff.changed:
            ts = task.task_spec
            attributes = _changed_attributes(registry, ts, diff.alignment.get(task))
            described = _describe(task, process, attributes)
            described["label_only"] = bool(attributes) and set(attributes) <= LABELS
            plan.changed.append(described)
            if described["label_only"]:
                continue
            if task.has_state(_BUSY):
                refuse(
                    _element(task),
                    f"元素 {_element(task)} 正在执行或出错，不能在此时修改其定义。",
                    f"Element {_element(task)} is running or failed; its definition cannot change now.",
                )
            elif isinstance(ts, LoopTask) and task.has_state(_LIVE):
                refuse(
                    _element(task),
                    f"多实例/循环任务 {_element(task)} 正在进行，不能修改其定义。",
                    f"The multi-instance or loop task {_element(task)} is active; its definition cannot change.",
                )
        for task in diff.removed:
            if task.has_state(_REACHED) and task.task_spec.bpmn_id:
                plan.removed.append(_describe(task, process))
                refuse(
                    _element(task),
                    f"实例已到达的元素 {_element(task)} 在新版本中被删除。",
                    f"Element {_element(task)}, which the instance has reached, is removed in the new version.",
                )
        spec_diff_added.update(
            ts.bpmn_id
            for ts in spec.task_specs.values()
            if ts.bpmn_id and ts.name not in workflow.spec.task_specs
        )
    plan.added = sorted(spec_diff_added)
    if problems:
        return plan
    for workflow, diff, spec in diffs:
        _migrate(workflow, diff, spec)
    wf.subprocess_specs = new_deps
    for workflow, _diff, spec in diffs:
        for task in workflow.get_tasks(skip_subprocesses=True):
            if spec.task_specs.get(task.task_spec.name) is not task.task_spec:
                refuse(
                    _element(task),
                    f"迁移后任务 {_element(task)} 在新版本中没有对应定义。",
                    f"After the move, task {_element(task)} has no definition in the new version.",
                )
    if not problems:
        try:  # the saved state must load with the new version's specs
            join_state((new_spec, new_deps), split_state(wf), serializer().VERSION)
        except Exception as exc:
            refuse(None, f"迁移后的状态无法加载：{exc}", f"The moved state cannot be loaded: {exc}")
    return plan


def _changed_attributes(registry: Any, old: Any, new: Any) -> list[str]:
    if new is None:
        return []
    first, second = registry.convert(old), registry.convert(new)
    if first.get("typename") != second.get("typename"):
        return ["typename"]
    return [
        key for key, value in first.items() if second.get(key) != value and key not in ("inputs", "outputs")
    ]


def _label_only(registry: Any, task: Task, diff: WorkflowDiff) -> bool:
    attributes = set(_changed_attributes(registry, task.task_spec, diff.alignment.get(task)))
    return bool(attributes) and attributes <= LABELS


def _migrate(workflow: Any, diff: WorkflowDiff, spec: BpmnProcessSpec) -> None:
    """SpiffWorkflow's migrate_workflow, keeping the data of reset tasks and the internal state (timer due
    times, seen events) of those whose definition did not change or changed only its labels."""
    registry = serializer().registry
    changed = {task.id for task in diff.changed if not _label_only(registry, task, diff)}
    live = workflow.get_tasks(state=_LIVE, skip_subprocesses=True)
    kept = {task.id: (deepcopy(task.data), deepcopy(task.internal_data)) for task in live}
    workflow.spec = spec
    for task in workflow.tasks.values():
        aligned = diff.alignment.get(task)
        if aligned is not None:
            task.task_spec = aligned
    for task in list(workflow.get_tasks(state=_LIVE, skip_subprocesses=True)):
        if task.id in workflow.tasks and task.id in kept:
            task.reset_branch(None)
    for task_id, (data, internal) in kept.items():
        task = workflow.tasks.get(task_id)
        if task is None:
            continue
        task.data = data
        if task_id not in changed:
            task.internal_data = internal
    if workflow.last_task not in workflow.tasks.values():
        workflow.last_task = None


def _refresh_open_tasks(ctx: Context) -> None:
    """Open work-queue rows keep their ids; their name, lane, form and instructions follow the new version."""
    rows = ctx.session.scalars(
        select(HumanTask).where(
            HumanTask.instance_id == ctx.instance.id, HumanTask.status.in_(task_model.OPEN)
        )
    )
    for row in rows:
        task = ctx.wf.get_task_from_id(UUID(row.id))
        if task is None:
            continue
        spec = task.task_spec
        row.task_spec = spec.bpmn_id or spec.name
        row.name = spec.bpmn_name
        row.lane = spec.lane
        row.form_key = form_key_of(spec)
        row.instructions = (getattr(spec, "extensions", None) or {}).get("instructionsForEndUser")


def _load(session: Session, instance_id: int) -> ProcessInstance:
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound(f"流程实例 {instance_id} 不存在。", f"Process instance {instance_id} does not exist.")
    return instance


def preview_migration(session: Session, instance_id: int, version: int | None = None) -> MigrationPlan:
    """What moving the instance to ``version`` (default: the newest) would change. Saves nothing."""
    instance = _load(session, instance_id)
    target = target_version(session, instance, version)
    plan = _plan_and_apply(load_workflow(session, instance), instance, target)
    if instance.process_version is not None and target.id != instance.process_version.id:
        diff = diff_versions(session, instance.process_version, target)
        plan.policy = [vars(change) for change in diff.policy]
    return plan


def outdated_instances(
    session: Session, process_key: str, *, limit: int = 200, jurisdictions: list[str] | None = None
) -> list[ProcessInstance]:
    """Running or suspended instances of ``process_key`` on a version older than its newest (index-backed)."""
    newest = session.scalar(
        select(ProcessVersion.version)
        .where(ProcessVersion.process_key == process_key)
        .order_by(ProcessVersion.version.desc())
        .limit(1)
    )
    if newest is None:
        return []
    query = select(ProcessInstance).where(
        ProcessInstance.status.in_(MIGRATABLE),
        ProcessInstance.process_key == process_key,
        ProcessInstance.version < newest,
    )
    if jurisdictions is not None:
        query = query.where(ProcessInstance.jurisdiction.in_(jurisdictions))
    return list(session.scalars(query.order_by(ProcessInstance.id).limit(limit)))


def migrate_instance(
    session: Session,
    instance_id: int,
    *,
    actor: str | None,
    version: int | None = None,
    expected_lock_version: int | None = None,
) -> MigrationPlan:
    """Move the instance to ``version`` (default: the newest) through the one door, or raise
    MigrationRefused naming every problem. Commits."""
    user = get_user(session, actor)
    instance = _load(session, instance_id)
    require_role(
        user, INSTANCE_CONTROL_ROLES, instance.jurisdiction, "迁移流程实例", "move process instances"
    )
    target = target_version(session, instance, version)
    target_id = target.id

    def action(ctx: Context) -> MigrationPlan:
        pv = ctx.session.get(ProcessVersion, target_id)
        assert pv is not None
        plan = _plan_and_apply(ctx.wf, ctx.instance, pv)
        if not plan.safe:
            first = plan.problems[0]
            raise MigrationRefused(
                f"不能迁移实例 {ctx.instance.id} 到 v{pv.version}：{first['message_zh']}",
                f"Instance {ctx.instance.id} cannot be moved to v{pv.version}: {first['message']}",
                details=plan.as_json(),
            )
        ctx.instance.process_version = pv
        ctx.instance.version = pv.version
        _refresh_open_tasks(ctx)
        ctx.log(
            "migrated",
            data={
                "from_version": plan.from_version,
                "to_version": plan.to_version,
                "changed": [c["element"] for c in plan.changed],
                "added": plan.added,
            },
            message=f"v{plan.from_version} → v{plan.to_version}",
        )
        return plan

    plan, _ctx = change_instance(
        session,
        instance.id,
        action,
        actor=actor,
        expected_lock_version=expected_lock_version,
        allowed=MIGRATABLE,
    )
    return plan
