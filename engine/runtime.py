"""The one door through which every change of an instance passes (ARCHITECTURE.md decision 3):

load (and re-attach the restricted script engine) → change → engine steps → save state + human-task index
+ timer index + message index + portal rows + event log → commit, all in one transaction with optimistic
locking. The state lives in its own table (``instance_state``); ``load_workflow`` and ``save`` are the only
code that reads or writes it.
On an exception the in-memory workflow is thrown away; nothing half-transitioned is ever saved.
"""

from __future__ import annotations

import json
from collections import namedtuple
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple, TypeVar

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Row, Select, Update, bindparam, delete, insert, inspect, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified, set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.util import identity_key

from engine import change_reads, indexes, version_row
from engine.clock import frozen_now, get_clock, install_spiff_clock
from engine.compact_state import (
    prune_finished_iterations,
    prune_finished_subprocesses,
    prune_finished_task_data,
    prune_orphaned_subprocesses,
)
from engine.db import begin_write
from engine.errors import Conflict, InvalidState, JiebangError, NotFound
from engine.helpers import script_engine_for
from engine.kept_workflows import kept_workflows
from engine.limits import ScriptLimitExceeded, bounded, current_budget, install_call_depth_bound
from engine.memo import memo
from engine.models import instance as status
from engine.models import task as task_model
from engine.models.deployment import ProcessVersion
from engine.models.event import InstanceEvent
from engine.models.instance import InstanceState, ProcessInstance
from engine.models.portal import PortalEntry
from engine.models.task import HumanTask
from engine.models.timer import TimerDue
from engine.policy_table import install_parameter_tables
from engine.specs import (
    clean_message,
    join_state,
    restore_specs,
    serializer_version,
    split_state,
    storage_problem,
)
from engine.spiff_fixes import install_spiff_fixes
from engine.version_row import Version, VersionRow

T = TypeVar("T")

install_spiff_clock()
install_spiff_fixes()
install_parameter_tables()
install_call_depth_bound()


class StepFailed(JiebangError):
    """A diagram script, condition, timer or decision failed; the instance is now in the error state."""

    code = "step_failed"
    http_status = 422


@dataclass
class Context:
    """What an action sees while it changes one instance."""

    session: Session
    #: the listing row: a ``Listing`` (read by the door), or a new ``ProcessInstance`` while it starts
    instance: Listing | ProcessInstance
    wf: BpmnWorkflow
    now: datetime
    actor: str | None
    completed_by: dict[str, str] = field(default_factory=dict)
    #: the event-log rows of the change (``instance_event`` columns), written in one INSERT by ``save``
    events: list[dict[str, Any]] = field(default_factory=list)
    fired_timers: int = 0
    ready: list[HumanTask] = field(default_factory=list)
    #: the stored state as the change read it (``StoredState``: read with the listing row, no object loaded;
    #: an ``InstanceState`` row when the caller holds one)
    stored: InstanceState | StoredState | None = None
    #: the index kinds the instance had rows of when the change began, and its open task rows
    #: (``engine.indexes.presence_columns``; None: not known, every index is read)
    present: indexes.Presence | None = None
    #: the state text ``save`` wrote (None until it has)
    saved_state: str | None = None

    def log(
        self, kind: str, *, task: Task | None = None, data: Any = None, message: str | None = None
    ) -> None:
        self.events.append(
            {
                "instance_id": self.instance.id,
                "kind": kind,
                "at": self.now,
                "actor": self.actor,
                "task_id": str(task.id) if task is not None else None,
                "task_spec": (task.task_spec.bpmn_id or task.task_spec.name) if task is not None else None,
                "task_name": task.task_spec.bpmn_name if task is not None else None,
                "data_json": json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
                if data is not None
                else None,
                "message": message,
            }
        )

    def on_engine_task(self, task: Task) -> None:
        """After each engine step: count it against the budget (engine-level loops end too); log timers."""
        try:
            current_budget().tick()
        except ScriptLimitExceeded as err:
            raise WorkflowTaskException(str(err), task=task, exception=err) from err
        if fired_by_timer(task):
            self.fired_timers += 1
            self.log("timer_fired", task=task)


def fired_by_timer(task: Task) -> bool:
    """Did this just-completed task catch a timer? (An event-based gateway keeps the events it saw.)"""
    ed = getattr(task.task_spec, "event_definition", None)
    if isinstance(ed, TimerEventDefinition):
        return True
    if isinstance(ed, MultipleEventDefinition):
        seen = task.internal_data.get("seen_events") or []
        return any(isinstance(getattr(ev, "event_definition", None), TimerEventDefinition) for ev in seen)
    return False


def load_workflow(session: Session, instance: ProcessInstance | Listing) -> BpmnWorkflow:
    """Restore an instance's workflow from its version's specs and its own state; attach our script engine."""
    return _restore(session, instance, session.get(InstanceState, instance.id))


def _restore(
    session: Session,
    instance: ProcessInstance | Listing,
    stored: InstanceState | StoredState | None,
    *,
    take_kept: bool = False,
) -> BpmnWorkflow:
    """The instance's workflow restored from its stored state; ``take_kept`` (a change, which stores its own
    state): the one the instance's last change kept in memory when the state read now is exactly what that change
    stored (``engine.kept_workflows``). A read never takes it: taking removes it from the store."""
    if stored is None:
        raise NotFound(
            f"流程实例 {instance.id} 的运行状态缺失，无法加载。请从备份恢复数据库。",
            f"The state of process instance {instance.id} is missing and it cannot be loaded. "
            "Restore the database from a backup.",
        )
    specs = instance_specs(session, instance)
    wf = None
    if take_kept:
        wf = kept_workflows.take(instance.id, specs[0], stored.state_json, stored.serializer_version)
    if wf is None:
        wf = join_state(specs, stored.state_json, stored.serializer_version)
    wf.script_engine = script_engine_for(session)
    return wf


_SPECS: dict[tuple[int, str], tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]]] = {}


def version_specs(pv: Version) -> tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]]:
    """Process versions are immutable: their specs are restored once per process (keyed by id and content
    hash, so a recreated test database never sees another database's spec)."""
    key = (pv.id, pv.content_hash)
    if key not in _SPECS:
        _SPECS[key] = restore_specs(pv.spec_json)
    return _SPECS[key]


def instance_specs(
    session: Session, instance: ProcessInstance | Listing
) -> tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]]:
    """The specs of the instance's version. Inside a sweep (``engine.memo``) the version's key is remembered,
    so a sweep reads each process version once, not once per fired timer."""
    remembered = memo(session)
    key = remembered.get(("version", instance.process_version_id)) if remembered is not None else None
    if key is not None and key in _SPECS:
        return _SPECS[key]
    pv = instance.process_version
    if remembered is not None:
        remembered[("version", pv.id)] = (pv.id, pv.content_hash)
    return version_specs(pv)


def failing_task(exc: BaseException) -> Task | None:
    return getattr(exc, "task", None)


def describe_failure(exc: BaseException) -> tuple[str, str | None]:
    task = failing_task(exc)
    where = None
    if task is not None:
        where = f"{task.task_spec.bpmn_name or ''} ({task.task_spec.bpmn_id or task.task_spec.name})".strip()
    return clean_message(str(exc)), where


class StoredState(NamedTuple):
    """An instance's stored state as read with its listing row (the columns of ``instance_state``, no object:
    the change writes the state back with one Core UPDATE, ``write_state``)."""

    state_json: str
    serializer_version: str


_LISTING = ProcessInstance.__table__
_LISTING_COLUMNS = tuple(c.key for c in _LISTING.columns)


class Listing:
    """An instance's listing row as the door reads and writes it (issue 15): its columns as plain attributes, the
    same names as ``ProcessInstance``'s, and no ORM object — loading, flushing and identity-mapping one cost more
    than a step's statements. ``write_listing`` writes the columns that changed since it was read with one Core
    UPDATE under its lock version; an ORM object of the instance that the session holds (a caller's) is then
    shown the same values as stored."""

    __slots__ = (*_LISTING_COLUMNS, "_read", "_version")

    id: int
    process_version_id: int
    process_key: str
    version: int
    business_key: str | None
    title: str | None
    jurisdiction: str | None
    status: str
    stage: str | None
    lock_version: int
    started_by: str | None
    started_at: datetime
    updated_at: datetime
    ended_at: datetime | None
    error_message: str | None
    error_task: str | None

    def __init__(self, values: Mapping[str, Any], version: Version | None) -> None:
        for key in _LISTING_COLUMNS:
            setattr(self, key, values[key])
        self._read = {key: values[key] for key in _LISTING_COLUMNS}
        self._version = version

    @classmethod
    def of(cls, instance: ProcessInstance) -> Listing:
        """The listing row as an ORM object holds it (its lock version as it was read: a row another change
        moved since is refused when written)."""
        return cls({key: getattr(instance, key) for key in _LISTING_COLUMNS}, instance.process_version)

    @property
    def process_version(self) -> Version:
        """Its process version (read with it), as ``ProcessInstance.process_version`` (its columns, when the
        session held no object of it: ``engine.version_row``)."""
        if self._version is None or self._version.id != self.process_version_id:
            raise InvalidState(
                f"流程实例 {self.id} 的流程版本未随实例读取。",
                f"The process version of instance {self.id} was not read with it.",
            )
        return self._version

    @process_version.setter
    def process_version(self, version: ProcessVersion) -> None:
        self._version = version
        self.process_version_id = version.id

    def changed(self) -> dict[str, Any]:
        """The columns whose values differ from those read (the lock version left out)."""
        return {
            key: value
            for key in _LISTING_COLUMNS
            if key != "lock_version" and (value := getattr(self, key)) != self._read[key]
        }

    def written(self, values: Mapping[str, Any]) -> None:
        """``values`` are what the database now holds."""
        self._read.update(values)

    def __repr__(self) -> str:
        return f"<Listing process_instance {self.id} v{self.lock_version} {self.status}>"


@dataclass(frozen=True)
class Opened:
    """An instance read for a change: its listing row, its stored state and which index rows it has."""

    #: the listing row (an ORM object is turned into a ``Listing`` by the door)
    instance: Listing | ProcessInstance
    stored: InstanceState | StoredState | None
    present: indexes.Presence


_STATE_TABLE = InstanceState.__table__
_VERSION_TABLE = ProcessVersion.__table__

#: what a change reads of an instance, in one statement: its listing row, its stored state, its process version
#: and the presence of its index rows (``engine.change_reads``). Table columns only, no model or its attributes:
#: a statement of Core columns skips the ORM's compile and row-loading steps, which cost more than the
#: statement itself (issue 15); the version is read as a ``VersionRow`` (``_version_of``).
_OPENED_COLUMNS = (
    *_LISTING.columns,
    _STATE_TABLE.c.instance_id.label("state_of"),
    _STATE_TABLE.c.state_json,
    _STATE_TABLE.c.serializer_version,
    *version_row.labelled_columns(),
    *change_reads.columns(_LISTING.c.id),
)


def _with_state_and_version(statement: Select[Any]) -> Select[Any]:
    """``statement`` (which reads ``process_instance``) joined to the instance's state and process version."""
    return statement.outerjoin(_STATE_TABLE, _STATE_TABLE.c.instance_id == _LISTING.c.id).join(
        _VERSION_TABLE, _VERSION_TABLE.c.id == _LISTING.c.process_version_id
    )


def _version_of(session: Session, row: Mapping[str, Any]) -> Version:
    """The process version read with an instance (``_OPENED_COLUMNS``): the session's object if it holds one,
    else its columns as read."""
    held = session.identity_map.get(identity_key(ProcessVersion, row[version_row.PREFIX + "id"]))
    return held if held is not None else VersionRow(session, row)


#: built once (a statement with its correlated EXISTS columns costs more to build than to run)
_OPEN = _with_state_and_version(select(*_OPENED_COLUMNS)).where(_LISTING.c.id == bindparam("instance_id"))


_TASK_TABLE = HumanTask.__table__
#: the task read with its instance (aliased: the presence columns read the instance's other task rows)
_THE_TASK = _TASK_TABLE.alias("the_task")
#: a task's row with its instance as ``_OPEN`` reads it, in one round trip (a completion reads both; issue 15)
_OPEN_FOR_TASK = _with_state_and_version(
    select(*(column.label(f"task_{column.key}") for column in _THE_TASK.columns), *_OPENED_COLUMNS)
    .select_from(_THE_TASK)
    .join(_LISTING, _LISTING.c.id == _THE_TASK.c.instance_id)
).where(_THE_TASK.c.id == bindparam("task_id"))


#: a task's row as ``open_task_instance`` reads it: the columns of ``human_task``, by name
TaskRow = namedtuple("TaskRow", [column.key for column in _TASK_TABLE.columns])  # type: ignore[misc]


def _opened(session: Session, found: Row[Any]) -> Opened:
    """The instance a statement built on ``_OPENED_COLUMNS`` found."""
    row = found._mapping
    stored = None if found.state_of is None else StoredState(found.state_json, found.serializer_version)
    return Opened(Listing(row, _version_of(session, row)), stored, change_reads.take(session, row))


def open_task_instance(session: Session, task_id: str) -> tuple[Any, Opened] | None:
    """A task's row, as fresh as the caller's transaction makes it, with its instance read as
    ``open_instance`` reads it, in one statement (None: no such task)."""
    found = session.execute(_OPEN_FOR_TASK, {"task_id": task_id}).first()
    if found is None:
        return None
    return TaskRow._make(found[: len(TaskRow._fields)]), _opened(session, found)  # its columns come first


def open_instance(session: Session, instance_id: int) -> Opened | None:
    """The listing row, its state, its process version and the presence of its index rows in one round trip
    (None: no instance). The listing row and the state are read as columns (``Listing``, ``StoredState``): ORM
    rows of them would cost more to load than the statement costs to run, and the change writes them back with
    Core (``write_listing``, ``write_state``). The process version is immutable and kept as an object."""
    found = session.execute(_OPEN, {"instance_id": instance_id}).first()
    return None if found is None else _opened(session, found)


def change_instance(
    session: Session,
    instance_id: int,
    action: Callable[[Context], T],
    *,
    actor: str | None,
    expected_lock_version: int | None = None,
    allowed: tuple[str, ...] = (status.RUNNING,),
    run_engine: bool = True,
    attempted: Any = None,
    now: datetime | None = None,
    opened: Opened | None = None,
) -> tuple[T, Context]:
    """Run ``action`` on the instance through the door. Commits, or raises leaving the database unchanged
    (apart from recording the error state when a diagram step failed). ``now`` is the clock's instant when
    the caller already read it (the timer sweep reads it once per claim); ``opened``: the instance as the
    caller read it with ``open_instance`` in this transaction (a completion checks its form first)."""
    begin_write(session)
    if opened is None or opened.instance.id != instance_id:
        opened = open_instance(session, instance_id)
    if opened is None:
        raise NotFound(f"流程实例 {instance_id} 不存在。", f"Process instance {instance_id} does not exist.")
    if now is None:
        now = get_clock(session).now()  # read with the instance (``engine.change_reads``)
    stored, present = opened.stored, opened.present
    instance = opened.instance if isinstance(opened.instance, Listing) else Listing.of(opened.instance)
    if expected_lock_version is not None and instance.lock_version != expected_lock_version:
        raise Conflict(
            "该流程实例已被他人更新，请刷新后重试。",
            "The process instance was changed by someone else; reload and try again.",
            details={"expected": expected_lock_version, "current": instance.lock_version},
        )
    if instance.status not in allowed:
        raise InvalidState(
            f"流程实例 {instance_id} 当前状态为“{_STATUS_ZH[instance.status]}”，不能执行此操作。",
            f"Process instance {instance_id} is {instance.status}; this operation is not possible now.",
            details={"status": instance.status},
        )
    with frozen_now(now), bounded():
        wf = _restore(session, instance, stored, take_kept=True)
        ctx = Context(
            session=session, instance=instance, wf=wf, now=now, actor=actor, stored=stored, present=present
        )
        try:
            result = action(ctx)
        except SpiffWorkflowException as exc:
            session.rollback()
            raise _record_failure(session, instance_id, exc, actor, now, attempted) from None
        except BaseException:
            session.rollback()
            raise
        if run_engine and instance.status == status.RUNNING:
            try:
                # SpiffWorkflow fires a timer only once "now" is strictly past its due instant; a window that
                # ends at 24:00 is over at 24:00, so timers are refreshed one microsecond later.
                with frozen_now(now + timedelta(microseconds=1)):
                    wf.refresh_timers()
                wf.do_engine_steps(did_complete_task=ctx.on_engine_task)
            except SpiffWorkflowException as exc:
                task = failing_task(exc)
                if task is None or task.state != TaskState.ERROR:
                    session.rollback()
                    raise _record_failure(session, instance_id, exc, actor, now, attempted) from None
                # The failing step is parked in ERROR: the state before it is consistent and is kept.
                message, where = describe_failure(exc)
                instance.status = status.ERROR
                instance.error_message = message
                instance.error_task = where
                ctx.log("error", task=task, message=message)
        try:
            save(ctx)
        except (StaleDataError, IntegrityError):  # an autoflush met a concurrent change before the commit did
            # (PostgreSQL: the other completion already inserted the next task's index row)
            session.rollback()
            raise _conflict() from None
        except SpiffWorkflowException as exc:  # task data that cannot be stored (see state_json)
            session.rollback()
            raise _record_failure(session, instance_id, exc, actor, now, attempted) from None
        _commit(session)
    keep_workflow(ctx)
    return result, ctx


def keep_workflow(ctx: Context) -> None:
    """After a commit: keep a running instance's workflow in memory with the state text just stored, so its next
    change need not restore it (``engine.kept_workflows``)."""
    if ctx.instance.status == status.RUNNING and ctx.saved_state is not None:
        kept_workflows.keep(ctx.instance.id, ctx.wf, ctx.saved_state, serializer_version())


def save(ctx: Context) -> None:
    """Write state, indexes and events into the session (the caller commits)."""
    instance, wf = ctx.instance, ctx.wf
    # before the indexes: a cancelled loop's iteration leaves its subprocess behind, waits and all
    prune_orphaned_subprocesses(wf)
    if instance.status == status.RUNNING and wf.is_completed():
        instance.status = status.COMPLETED
        instance.ended_at = ctx.now
        ctx.log("completed")
        from engine.notify.produce import need_refused

        need_refused(ctx.session, instance, wf.data, ctx.now)  # a refused need: the issuer is told why
    if instance.status == status.TERMINATED:
        indexes.cancel_all(ctx.session, instance, ctx.now)
        instance.stage = None
        _touch(instance, ctx.now)
        write_listing(ctx.session, instance)
    else:
        open_tasks = indexes.open_tasks(wf)  # one walk of the task tree for the indexes and the stage
        created: list[HumanTask] = []
        ready = ctx.ready = indexes.rebuild(
            ctx.session, instance, wf, ctx.now, ctx.completed_by, open_tasks, ctx.present, created
        )
        # the listing row changes after the indexes' queries, so it is written once
        names = sorted({row.name or row.task_spec for row in ready}) or indexes.waiting_names(wf, open_tasks)
        instance.stage = "、".join(names)[:255] if names else None
        _touch(instance, ctx.now)
        write_listing(ctx.session, instance)  # written once, before the notifications' queries
        # notifications: the tasks that just became ready (engine.notify.produce), in this transaction
        from engine.notify.produce import tasks_ready

        tasks_ready(ctx.session, instance, created, ctx.now)
    # after the indexes (which close the rows of tasks finished inside them): finished subprocesses whose
    # outputs are merged leave the state; only which of their elements ran is kept (engine.compact_state)
    prune_finished_subprocesses(wf)
    prune_finished_iterations(wf)  # and a standard loop's finished iterations (a round of the implementation)
    prune_finished_task_data(wf)  # and the data of finished tasks that nothing reads again
    ctx.saved_state = state_json(wf)
    write_state(ctx.session, instance, ctx.saved_state, ctx.stored)
    if ctx.events:  # Core statements: the ORM's unit of work costs more than the rows (issue 15)
        ctx.session.execute(_EVENTS, ctx.events)


def write_listing(session: Session, instance: Listing | ProcessInstance) -> None:
    """Write the listing row's changed columns with its lock version moved by one, in one Core UPDATE that is
    the change's optimistic lock (the ORM's versioned flush, without its unit of work): no row matched means
    another change of the instance committed first (StaleDataError, as the ORM raises it)."""
    if isinstance(instance, Listing):
        values = instance.changed()
        values["updated_at"] = instance.updated_at  # always written: the UPDATE is the change's lock
    else:
        state = inspect(instance)
        if not state.persistent:
            return  # a new row: the ORM inserts it
        values = {
            key: state.dict[key]
            for key in state.committed_state
            if key in _LISTING.c and key != "lock_version"
        }
    current = instance.lock_version
    values["lock_version"] = current + 1
    params = {f"v_{key}": value for key, value in values.items()}
    params["w_id"], params["w_lock_version"] = instance.id, current
    with (
        session.no_autoflush
    ):  # an autoflush would write a held object (and move its version) through the ORM
        done = session.execute(_listing_update(tuple(values)), params)
    if done.rowcount != 1:
        raise StaleDataError(f"process_instance {instance.id}: lock version {current} was changed meanwhile")
    if isinstance(instance, Listing):
        instance.lock_version = current + 1
        instance.written(values)
        _show_held(session, instance)
        return
    state = inspect(instance)
    for key, value in values.items():
        set_committed_value(instance, key, value)
    # the row now holds what the instance holds: nothing is left for the ORM to write (nor a version to move)
    state._commit_all(state.dict, session.identity_map)


def _show_held(session: Session, listing: Listing) -> None:
    """An ORM object of the instance that the session holds (the caller's: a view that shows the instance
    after the change, a control that returns it) shows the row as it is now stored, without a reload; it was
    not changed by the door, so it has nothing of its own to write."""
    held = session.identity_map.get(identity_key(ProcessInstance, listing.id))
    if held is None:
        return
    known = held.__dict__
    for key in _LISTING_COLUMNS:
        value = getattr(listing, key)
        if key not in known or known[key] != value:
            set_committed_value(held, key, value)
    if isinstance(listing._version, ProcessVersion):  # a ``VersionRow`` is the version the object already has
        set_committed_value(held, "process_version", listing._version)


_LISTING_UPDATES: dict[tuple[str, ...], Update] = {}


def _listing_update(columns: tuple[str, ...]) -> Update:
    """The listing row's UPDATE of ``columns`` under its lock version, built once per set of columns (building
    a statement costs more than running it; a change writes the same few columns step after step)."""
    stmt = _LISTING_UPDATES.get(columns)
    if stmt is None:
        stmt = _LISTING_UPDATES[columns] = (
            update(_LISTING)
            .where(_LISTING.c.id == bindparam("w_id"), _LISTING.c.lock_version == bindparam("w_lock_version"))
            .values({key: bindparam(f"v_{key}") for key in columns})
        )
    return stmt


def _touch(instance: Listing | ProcessInstance, now: datetime) -> None:
    """Every change moves the instance's lock version, and its UPDATE is the optimistic lock of the change,
    even when no column of the listing row differs (the simulated clock stands still, the stage stays)."""
    instance.updated_at = now
    if isinstance(instance, ProcessInstance):
        flag_modified(instance, "updated_at")


_EVENTS = insert(InstanceEvent.__table__)
_STATE = (
    update(InstanceState.__table__)
    .where(InstanceState.__table__.c.instance_id == bindparam("iid"))
    .values(state_json=bindparam("state_json"), serializer_version=bindparam("serializer_version"))
)


def write_state(
    session: Session,
    instance: ProcessInstance | Listing,
    text: str,
    stored: InstanceState | StoredState | None = None,
) -> None:
    """Store the serialized state (always in the current serializer's format) beside the listing row
    (``stored``: the state as the caller read it, if it did)."""
    version = serializer_version()
    if stored is None:
        stored = session.get(InstanceState, instance.id)
        if stored is None:
            session.add(InstanceState(instance_id=instance.id, state_json=text, serializer_version=version))
            return
    if isinstance(stored, InstanceState) and not inspect(stored).persistent:
        stored.state_json = text  # a new row: the ORM inserts it
        stored.serializer_version = version
        return
    # one Core UPDATE (no unit of work); a row object the session holds shows the new state as stored
    session.execute(_STATE, {"iid": instance.id, "state_json": text, "serializer_version": version})
    held = (
        stored
        if isinstance(stored, InstanceState)
        else session.identity_map.get(identity_key(InstanceState, instance.id))
    )
    if held is not None:
        set_committed_value(held, "state_json", text)
        set_committed_value(held, "serializer_version", version)


def state_json(wf: BpmnWorkflow) -> str:
    """The instance state to store. Task data that cannot be stored (a value a DMN cell or a script put
    there that JSON cannot hold) is an error of the step that left it, raised as a workflow error."""
    try:
        return split_state(wf)
    except (TypeError, ValueError, OverflowError, RecursionError) as exc:
        culprits = {
            task.id: (task, problem)
            for task in wf.get_tasks()
            if (problem := storage_problem(task.data)) is not None
        }
        if not culprits:
            raise
        # The step that put the value there: its data has it and its parent's (copied to it) does not.
        origins = [c for c in culprits.values() if c[0].parent is None or c[0].parent.id not in culprits]
        task, problem = max(origins or culprits.values(), key=lambda c: c[0].last_state_change)
        raise WorkflowTaskException(
            f"任务数据中有无法保存的值（{problem}）；任务数据只能保存文字、数字、真假、日期时间和由它们组成的"
            f"列表或字典 / task data holds a value that cannot be saved ({problem}); task data can hold text, "
            "numbers, booleans, dates and times, and lists or dicts of them",
            task=task,
        ) from exc


def _conflict() -> Conflict:
    return Conflict(
        "该流程实例刚被他人更新（例如同一任务已被完成），您的操作未保存。请刷新后重试。",
        "The process instance was changed by someone else at the same time (for example the task was "
        "already completed); your change was not saved. Reload and try again.",
    )


def _commit(session: Session) -> None:
    try:
        session.commit()
    except (StaleDataError, IntegrityError):  # a concurrent change of the same instance won
        session.rollback()
        raise _conflict() from None
    except OperationalError as exc:
        session.rollback()
        if "locked" in str(exc).lower():
            raise Conflict(
                "数据库正忙，您的操作未保存，请重试。",
                "The database is busy; your change was not saved. Please retry.",
            ) from None
        raise


def _record_failure(
    session: Session,
    instance_id: int,
    exc: SpiffWorkflowException,
    actor: str | None,
    now: datetime,
    attempted: Any,
) -> StepFailed:
    """The state stays as it was; the instance is flagged so a supervisor sees and can retry it."""
    message, where = describe_failure(exc)
    return record_error(session, instance_id, message, where, actor=actor, now=now, attempted=attempted)


def record_error(
    session: Session,
    instance_id: int,
    message: str,
    where: str | None,
    *,
    actor: str | None,
    now: datetime,
    attempted: Any = None,
) -> StepFailed:
    """Flag a running instance as failed (in a fresh transaction; the caller rolled back): its timers and
    portal rows are dropped and its open tasks paused until a supervisor retries it. Returns the error to raise."""
    begin_write(session)
    instance = session.get(ProcessInstance, instance_id)
    if instance is not None and instance.status in (status.RUNNING, status.ERROR):
        session.execute(delete(TimerDue).where(TimerDue.instance_id == instance_id))
        session.execute(delete(PortalEntry).where(PortalEntry.instance_id == instance_id))
        session.execute(
            update(HumanTask)
            .where(HumanTask.instance_id == instance_id, HumanTask.status == task_model.READY)
            .values(status=task_model.PAUSED)
        )
        instance.status = status.ERROR
        instance.error_message = message
        instance.error_task = where
        session.add(
            InstanceEvent(
                instance_id=instance_id,
                kind="error",
                at=now,
                actor=actor,
                message=message,
                data_json=json.dumps({"attempted": attempted}, ensure_ascii=False, default=str)
                if attempted is not None
                else None,
            )
        )
        _commit(session)
    return StepFailed(
        f"流程步骤执行失败，未保存本次操作：{where or ''} {message}。流程实例已标记为“出错”，请联系监督人员修正数据后重试。",
        f"A process step failed and your change was not saved: {where or ''} {message}. The instance is marked "
        "as failed; a supervisor can fix the data and retry it.",
        details={"instance": instance_id, "task": where, "error": message},
    )


_STATUS_ZH = {
    status.RUNNING: "运行中",
    status.SUSPENDED: "已挂起",
    status.COMPLETED: "已完成",
    status.TERMINATED: "已终止",
    status.ERROR: "出错",
}
