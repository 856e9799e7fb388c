"""Rebuild the SQL indexes of one instance from its in-memory workflow, in the caller's transaction:
human tasks (the work queue), due timers, message subscriptions (correlation) and the public portal's rows."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import (
    Row,
    Update,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from engine import assignment, portal
from engine.case_view import case_data
from engine.lint import form_key_of, properties_of
from engine.models import instance as status
from engine.models import portal as portal_kinds
from engine.models import task as task_model
from engine.models.instance import ProcessInstance
from engine.models.message import MessageSubscription
from engine.models.portal import PortalEntry
from engine.models.task import HumanTask
from engine.models.timer import TimerDue
from engine.task_due import TaskDuePolicy


def _event_definitions(task: Task) -> list[Any]:
    ed = getattr(task.task_spec, "event_definition", None)
    if ed is None:
        return []
    if isinstance(ed, MultipleEventDefinition):
        return list(ed.event_definitions)
    return [ed]


@dataclass(frozen=True)
class OpenTasks:
    """The waiting tasks and the ready manual tasks of a workflow, read in one walk of its task tree (a walk
    costs as much as the indexes' queries together)."""

    waiting: list[Task]
    ready: list[Task]


def open_tasks(wf: BpmnWorkflow) -> OpenTasks:
    found = wf.get_tasks(state=TaskState.WAITING | TaskState.READY)
    return OpenTasks(
        [t for t in found if t.state == TaskState.WAITING],
        [t for t in found if t.state == TaskState.READY and t.task_spec.manual],
    )


def due_timers(wf: BpmnWorkflow, tasks: OpenTasks | None = None) -> list[tuple[Task, datetime]]:
    """Every waiting timer with its due instant (UTC), read without evaluating or firing anything (notes §2)."""
    rows: list[tuple[Task, datetime]] = []
    waiting = tasks.waiting if tasks is not None else wf.get_tasks(state=TaskState.WAITING)
    for task in waiting:
        if not any(isinstance(ed, TimerEventDefinition) for ed in _event_definitions(task)):
            continue
        value = task.internal_data.get("event_value")
        if value is None:
            continue
        value = value["next"] if isinstance(value, dict) else value
        rows.append((task, TimerEventDefinition.get_datetime(value)))
    return rows


def _message_waits(tasks: OpenTasks) -> list[tuple[Task, Any]]:
    waits: list[tuple[Task, Any]] = []
    for task in tasks.waiting:
        for ed in _event_definitions(task):
            if isinstance(ed, MessageEventDefinition):
                waits.append((task, ed))
    return waits


def waiting_names(wf: BpmnWorkflow, tasks: OpenTasks | None = None) -> list[str]:
    """What an instance without a ready human task waits for, by the names of its waiting timer and message
    events (a publicity window, an application window, a reply): the stage a person reads in the lists."""
    tasks = tasks if tasks is not None else open_tasks(wf)
    names = {task.task_spec.bpmn_name for task, _ in due_timers(wf, tasks)}
    names |= {task.task_spec.bpmn_name for task, _ in _message_waits(tasks)}
    return sorted(n for n in names if n)


def subscription_correlation(
    instance: ProcessInstance, wf: BpmnWorkflow, task: Task, ed: Any
) -> dict[str, Any]:
    """What a message must match to reach this wait: the business key, the instance id, the workflow's
    established correlations and the catch event's process-variable correlations, flattened to
    property → value."""
    values: dict[str, Any] = {"instance_id": instance.id}
    if instance.business_key:
        values["business_key"] = instance.business_key
    for props in (wf.correlations or {}).values():
        values.update(props)
    process_correlations = getattr(ed, "process_correlations", None) or []
    if process_correlations:
        try:
            computed = ed.calculate_correlations(wf.script_engine, process_correlations, task.data)
        except Exception:  # a variable not yet in the data: the wait is only reachable by other keys
            computed = {}
        for props in computed.values():
            values.update(props)
    return values


def _boundary_due(task: Task, due_by_task: dict[Any, datetime]) -> datetime | None:
    parent = task.parent
    if parent is None:
        return None
    dues = [due_by_task[sibling.id] for sibling in parent.children if sibling.id in due_by_task]
    return min(dues) if dues else None


_TASK_TABLE = HumanTask.__table__

#: kinds of index rows an instance may have (``rebuild``'s ``present``)
TIMERS, WAITS, PORTAL, OPEN_TASKS = "timers", "waits", "portal", "open_tasks"
INDEX_KINDS = (TIMERS, WAITS, PORTAL, OPEN_TASKS)


def presence_columns(instance_id: Any) -> list[Any]:
    """Whether the instance has rows of each index kind, as columns to read with its listing row in the same
    round trip (``presence`` reads them): a step reads and rewrites only the indexes it has or needs. The
    open-task column carries the ids of the open task rows themselves (comma-separated), so a step needs no
    query of its own to find the rows it closes."""
    # Its separator is written into the SQL and its statuses are plain parameters: an expanding IN list or a
    # literal-execute separator has the SQL rendered again at every execution (issue 15).
    open_ids = (
        select(func.aggregate_strings(_TASK_TABLE.c.id, literal_column("','")))
        .where(
            _TASK_TABLE.c.instance_id == instance_id,
            or_(*(_TASK_TABLE.c.status == status for status in task_model.OPEN)),
        )
        .scalar_subquery()
    )
    # table columns, not the models' attributes: a statement of Core columns runs without the ORM's
    # compile and result steps, which cost more than the statement (issue 15)
    return [
        exists().where(TimerDue.__table__.c.instance_id == instance_id).label(TIMERS),
        exists().where(MessageSubscription.__table__.c.instance_id == instance_id).label(WAITS),
        exists().where(PortalEntry.__table__.c.instance_id == instance_id).label(PORTAL),
        open_ids.label(OPEN_TASKS),
    ]


@dataclass(frozen=True)
class Presence:
    """Which index kinds an instance has rows of, and the ids of its open task rows, as read with its listing
    row (``presence_columns``)."""

    kinds: frozenset[str]
    open_task_ids: tuple[str, ...]

    def __contains__(self, kind: object) -> bool:
        return kind in self.kinds


#: a new instance: it has no index rows yet
NO_ROWS = Presence(frozenset(), ())


def presence(columns: Mapping[str, Any]) -> Presence:
    """The ``Presence`` of a row read with ``presence_columns``."""
    ids = columns[OPEN_TASKS]
    return Presence(
        frozenset(k for k in INDEX_KINDS if columns[k]), tuple(sorted(ids.split(","))) if ids else ()
    )


#: the index tables, written with Core statements (issue 15: the ORM's unit of work cost more than a step's
#: few rows); an instance's rows of one kind are read as plain rows, compared with what the workflow wants,
#: and only those that differ are deleted, inserted or updated
_TIMER_TABLE = TimerDue.__table__
_WAIT_TABLE = MessageSubscription.__table__
_PORTAL_TABLE = PortalEntry.__table__
#: the instance's rows of each index kind, built once (building a statement costs more than running it).
#: The open-task kind is not here: task rows are never deleted — a closed row stays as the work queue's
#: history (who completed it, when) — so reading them would read the instance's whole task history. The open
#: ones' ids come with the listing row (``presence_columns``); those that close are closed with a Core update
#: (``_close_rows``), and only those that stay open are loaded as objects (``_task_rows``).
_ROWS = {
    TIMERS: select(_TIMER_TABLE).where(_TIMER_TABLE.c.instance_id == bindparam("iid")),
    WAITS: select(_WAIT_TABLE).where(_WAIT_TABLE.c.instance_id == bindparam("iid")),
    PORTAL: select(_PORTAL_TABLE).where(_PORTAL_TABLE.c.instance_id == bindparam("iid")),
}
_DELETE = {
    table.name: delete(table).where(table.c.id.in_(bindparam("ids", expanding=True)))
    for table in (_TIMER_TABLE, _WAIT_TABLE, _PORTAL_TABLE)
}
_INSERT = {table.name: insert(table) for table in (_TIMER_TABLE, _WAIT_TABLE, _PORTAL_TABLE)}
_RELEASE_TIMERS = (
    update(_TIMER_TABLE)
    .where(_TIMER_TABLE.c.id.in_(bindparam("ids", expanding=True)))
    .values(claimed_by=None, claimed_at=None, attempts=0)
)


#: the ids of the instance's open task rows, for a caller that did not read them with the listing row
_OPEN_TASK_IDS = select(_TASK_TABLE.c.id).where(
    _TASK_TABLE.c.instance_id == bindparam("iid"), _TASK_TABLE.c.status.in_(task_model.OPEN)
)
_TASKS_BY_ID = select(HumanTask).where(HumanTask.id.in_(bindparam("ids", expanding=True)))


def _open_task_ids(session: Session, present: Presence | None, instance_id: int) -> list[str]:
    """The ids of the instance's open task rows: as read with the listing row, else read now."""
    if present is not None:
        return list(present.open_task_ids)
    return list(session.scalars(_OPEN_TASK_IDS, {"iid": instance_id}))


def _task_rows(session: Session, ids: list[str]) -> dict[str, HumanTask]:
    """The ORM rows of ``ids``: those the session holds already, the others in one query."""
    held: dict[str, HumanTask] = {}
    for task_id in ids:
        row = session.identity_map.get(identity_key(HumanTask, task_id))
        if row is not None:
            held[task_id] = row
    missing = [task_id for task_id in ids if task_id not in held]
    if missing:
        held.update((row.id, row) for row in session.scalars(_TASKS_BY_ID, {"ids": missing}))
    return {task_id: held[task_id] for task_id in ids if task_id in held}


def _rows(session: Session, present: Presence | None, kind: str, instance_id: int) -> list[Row[Any]]:
    """The instance's rows of one index kind; none read when ``present`` says it has none."""
    if present is not None and kind not in present:
        return []
    return list(session.execute(_ROWS[kind], {"iid": instance_id}))


#: the model of each index table: a row the session holds as an object follows what a Core statement wrote
_MODELS: dict[str, type[Any]] = {
    _TIMER_TABLE.name: TimerDue,
    _WAIT_TABLE.name: MessageSubscription,
    _PORTAL_TABLE.name: PortalEntry,
}


def _held(session: Session, table: Any, row_id: int) -> Any:
    """The object of an index row, if the session holds one (e.g. the message wait a delivery found)."""
    return session.identity_map.get(identity_key(_MODELS[table.name], row_id))


def _write(session: Session, table: Any, gone: list[int], new: list[dict[str, Any]]) -> None:
    """Delete the rows ``gone`` and insert ``new``, in one statement each (none when there is nothing); an
    object the session holds of a deleted row leaves it, as if the ORM had deleted it."""
    if gone:
        session.execute(_DELETE[table.name], {"ids": gone})
        for row_id in gone:
            held = _held(session, table, row_id)
            if held is not None:
                session.expunge(held)
    if new:
        session.execute(_INSERT[table.name], new)


def _updated(session: Session, table: Any, row_id: int, values: Mapping[str, Any]) -> None:
    """An object the session holds of an updated row shows the new values as stored."""
    held = _held(session, table, row_id)
    if held is not None:
        for key, value in values.items():
            set_committed_value(held, key, value)


def _sync_timers(
    session: Session,
    instance: ProcessInstance,
    timers: list[tuple[Task, datetime]],
    present: Presence | None = None,
) -> None:
    """Write only the timer rows that changed: a row whose timer still waits for the same instant stays (its
    claim, if a sweeper held one, is over now that the instance changed); the others go or come."""
    wanted = {str(task.id): (task, due) for task, due in timers}
    gone: list[int] = []
    released: list[int] = []
    for row in _rows(session, present, TIMERS, instance.id):
        hit = wanted.get(row.task_id)
        if hit is not None and row.due_at == hit[1]:
            del wanted[row.task_id]
            if row.claimed_by is not None or row.attempts:
                released.append(row.id)
        else:
            gone.append(row.id)
    if released:
        session.execute(_RELEASE_TIMERS, {"ids": released})
        for row_id in released:
            _updated(session, _TIMER_TABLE, row_id, {"claimed_by": None, "claimed_at": None, "attempts": 0})
    new = [
        {
            "instance_id": instance.id,
            "task_id": task_id,
            "task_spec": task.task_spec.bpmn_id or task.task_spec.name,
            "name": task.task_spec.bpmn_name,
            "due_at": due,
            "claimed_by": None,
            "claimed_at": None,
            "attempts": 0,
        }
        for task_id, (task, due) in wanted.items()
    ]
    _write(session, _TIMER_TABLE, gone, new)


def _sync_subscriptions(
    session: Session,
    instance: ProcessInstance,
    wanted: list[dict[str, Any]],
    present: Presence | None = None,
) -> None:
    """Write only the message waits that changed (same task, message and correlation values stay)."""

    def key(row: Mapping[str, Any]) -> tuple[str, str, str]:
        return row["task_id"], row["message_name"], row["correlation_json"]

    new = {key(row): row for row in wanted}
    gone = [
        row.id
        for row in _rows(session, present, WAITS, instance.id)
        if new.pop(key(row._mapping), None) is None
    ]
    _write(session, _WAIT_TABLE, gone, list(new.values()))


def rebuild(
    session: Session,
    instance: ProcessInstance,
    wf: BpmnWorkflow,
    now: datetime,
    completed_by: dict[str, str],
    tasks: OpenTasks | None = None,
    present: Presence | None = None,
    created: list[HumanTask] | None = None,
) -> list[HumanTask]:
    """Bring the three indexes in line with ``wf`` (``tasks``: its open tasks, when the caller read them;
    ``present``: the index kinds the instance has rows of and its open task rows, when the caller read them
    with ``presence_columns`` — the rows of the other kinds are not looked up). Returns the human tasks that
    are ready now; ``created`` receives the rows made in this change."""
    tasks = tasks if tasks is not None else open_tasks(wf)
    timers = due_timers(wf, tasks)
    due_by_task = {task.id: due for task, due in timers}
    # Only timers that may fire are indexed: a suspended or failed instance has none until it runs again,
    # so the sweep reads due rows alone and never joins the instances.
    _sync_timers(session, instance, timers if instance.status == status.RUNNING else [], present)
    published = _rows(session, present, PORTAL, instance.id)
    previous = next((_stored(row) for row in published if row.kind == portal_kinds.NOTICE), None)
    waits = _message_waits(tasks)
    _sync_subscriptions(
        session,
        instance,
        [
            {
                "instance_id": instance.id,
                "task_id": str(task.id),
                "task_spec": task.task_spec.bpmn_id or task.task_spec.name,
                "message_name": ed.name,
                "correlation_json": json.dumps(
                    subscription_correlation(instance, wf, task, ed), sort_keys=True, default=str
                ),
            }
            for task, ed in waits
        ],
        present,
    )

    # Like timers, only a running instance publishes: a suspended or failed one leaves the portal.
    entries = portal_entries(session, instance, waits) if instance.status == status.RUNNING else []
    if not any(e.kind == portal_kinds.NOTICE for e in entries):
        kept = _notice_in_handling(session, instance, tasks) if instance.status == status.RUNNING else []
        if not kept and instance.status in (status.RUNNING, status.COMPLETED):
            kept = _notice_ended(previous, now)
        entries += kept
    _sync_portal(session, published, entries)

    ready = {str(t.id): t for t in tasks.ready}
    open_status = task_model.READY if instance.status == status.RUNNING else task_model.PAUSED
    open_ids = _open_task_ids(session, present, instance.id)
    closed = []
    for task_id in open_ids:
        if task_id in ready:
            continue
        spiff_task = wf.get_task_from_id(UUID(task_id))
        finished = spiff_task is not None and spiff_task.state == TaskState.COMPLETED
        closed.append(
            {
                "tid": task_id,
                "status": task_model.COMPLETED if finished else task_model.CANCELLED,
                "completed_by": completed_by.get(task_id) if finished else None,
                "ended_at": now,
            }
        )
    _close_rows(session, closed)
    # only the rows that stay open are needed as objects (their deadline and status may change)
    existing = _task_rows(session, [task_id for task_id in open_ids if task_id in ready])
    result = list(existing.values())
    new_rows: list[HumanTask] = []
    policy = TaskDuePolicy(session, instance)
    for task_id, task in ready.items():
        if task_id in existing:
            boundary = _boundary_due(task, due_by_task)
            if boundary is not None:
                existing[task_id].due_at = boundary
            existing[task_id].status = open_status
            continue
        spec = task.task_spec
        assigned = assignment.resolve(wf.script_engine, task)
        row = HumanTask(
            id=task_id,
            instance_id=instance.id,
            process_key=instance.process_key,
            business_key=instance.business_key,
            jurisdiction=instance.jurisdiction,
            task_spec=spec.bpmn_id or spec.name,
            name=spec.bpmn_name,
            lane=spec.lane,
            form_key=form_key_of(spec),
            status=open_status,
            created_at=now,
            instructions=(getattr(spec, "extensions", None) or {}).get("instructionsForEndUser"),
            assignee=assigned.assignee,
            assigned_by=assignment.BY_PROCESS if assigned.assignee else None,
            candidate_org=assigned.candidate_org,
        )
        policy.apply(row, case_data(task, copy=False), now, boundary=_boundary_due(task, due_by_task))
        new_rows.append(row)
        result.append(row)
    _insert_rows(session, new_rows)
    if created is not None:
        created.extend(new_rows)
    return result


#: the task index's rows are written with Core statements, not the ORM's unit of work (issue 15: a flush of a
#: step's few rows cost more than the rest of its queries); the rows stay in the session as if loaded
_TASK_COLUMNS = tuple(c.key for c in _TASK_TABLE.columns)
_INSERT_TASKS = insert(_TASK_TABLE)
_CLOSE_TASK = (
    update(_TASK_TABLE)
    .where(_TASK_TABLE.c.id == bindparam("tid"))
    .values(
        status=bindparam("status"), completed_by=bindparam("completed_by"), ended_at=bindparam("ended_at")
    )
)


def _insert_rows(session: Session, rows: list[HumanTask]) -> None:
    """Insert new task rows in one statement and keep them in the session as persistent rows."""
    if not rows:
        return
    values = []
    for row in rows:
        known = row.__dict__
        value = {key: known.get(key) for key in _TASK_COLUMNS}
        value["status"] = value["status"] or task_model.READY
        value["due_notice"] = value["due_notice"] or 0
        for key, item in value.items():  # every column set: nothing is left to load after the insert
            setattr(row, key, item)
        values.append(value)
    session.execute(_INSERT_TASKS, values)
    for row in rows:
        make_transient_to_detached(row)
        session.add(row)


def _close_rows(session: Session, closed: list[dict[str, Any]]) -> None:
    """Mark rows of tasks that are no longer ready completed or cancelled, in one statement; a row the session
    holds (the task being completed) shows its new status as stored."""
    if not closed:
        return
    session.execute(_CLOSE_TASK, closed)
    for value in closed:
        row = session.identity_map.get(identity_key(HumanTask, value["tid"]))
        if row is None:
            continue
        for key in ("status", "completed_by", "ended_at"):
            set_committed_value(row, key, value[key])


def portal_entries(
    session: Session, instance: ProcessInstance, waits: list[tuple[Task, Any]]
) -> list[PortalEntry]:
    """The portal rows of an instance's message waits: at most one notice and one challenge."""
    found: dict[str, PortalEntry] = {}
    for task, ed in waits:
        entry = portal.entry_for(session, instance, ed.name, case_data(task, copy=False))
        if entry is not None:
            found.setdefault(entry.kind, entry)
    return list(found.values())


#: A user task with this property (value ``objection``) keeps the notice on the portal while it is open.
NOTICE_PROPERTY = "portalNotice"
_PORTAL_COLUMNS = tuple(c.key for c in _PORTAL_TABLE.columns if c.key != "id")


def _columns(entry: PortalEntry) -> dict[str, Any]:
    """A portal row to write, as its columns (its id left to the database)."""
    return {key: getattr(entry, key) for key in _PORTAL_COLUMNS}


def _stored(row: Row[Any]) -> dict[str, Any]:
    """A stored portal row's columns (its id left out)."""
    return {key: row._mapping[key] for key in _PORTAL_COLUMNS}


def _sync_portal(session: Session, published: list[Row[Any]], entries: list[PortalEntry]) -> None:
    """Write only the portal rows that changed (one row per instance and kind): an unchanged row stays, a
    changed one is updated in place (its changed columns), a row no longer wanted goes."""
    by_kind = {row.kind: row for row in published}
    new: list[dict[str, Any]] = []
    for entry in entries:
        values = _columns(entry)
        row = by_kind.pop(entry.kind, None)
        if row is None:
            new.append(values)
            continue
        stored = _stored(row)
        changed = {key: value for key, value in values.items() if stored[key] != value}
        if changed:
            params = {f"v_{key}": value for key, value in changed.items()}
            params["w_id"] = row.id
            session.execute(_portal_update(tuple(changed)), params)
            _updated(session, _PORTAL_TABLE, row.id, changed)
    _write(session, _PORTAL_TABLE, [row.id for row in by_kind.values()], new)


_PORTAL_UPDATES: dict[tuple[str, ...], Update] = {}


def _portal_update(columns: tuple[str, ...]) -> Update:
    """A portal row's UPDATE of ``columns``, built once per set of columns, with bound parameters (building a
    statement costs more than running it)."""
    stmt = _PORTAL_UPDATES.get(columns)
    if stmt is None:
        stmt = _PORTAL_UPDATES[columns] = (
            update(_PORTAL_TABLE)
            .where(_PORTAL_TABLE.c.id == bindparam("w_id"))
            .values({key: bindparam(f"v_{key}") for key in columns})
        )
    return stmt


def _notice_in_handling(session: Session, instance: ProcessInstance, tasks: OpenTasks) -> list[PortalEntry]:
    """The notice stays while an objection is handled (a ready task with ``portalNotice`` = objection)."""
    for task in tasks.ready:
        if properties_of(task.task_spec).get(NOTICE_PROPERTY) == portal_kinds.OBJECTION:
            entry = portal.entry_for(
                session,
                instance,
                portal.NOTICE_MESSAGE,
                case_data(task, copy=False),
                state=portal_kinds.OBJECTION,
            )
            return [entry] if entry is not None else []
    return []


def _notice_ended(previous: dict[str, Any] | None, now: datetime) -> list[PortalEntry]:
    """A notice whose window ran out without objection stays on the portal as 公示期满; one stopped on an
    objection, or whose window is not over, leaves it."""
    if previous is None or previous["state"] not in (None, portal_kinds.OPEN, portal_kinds.ENDED):
        return []
    if previous["window_end"] > now:
        return []
    return [PortalEntry(**{**previous, "state": portal_kinds.ENDED})]


def fill_portal(session: Session, load: Callable[[Session, ProcessInstance], BpmnWorkflow]) -> int:
    """Write the portal rows of running instances that wait for a portal message but have none (a database
    upgraded from before the rows existed). ``load`` restores a workflow (engine.runtime.load_workflow).
    Returns how many instances were filled; the caller commits."""
    has_rows = select(PortalEntry.instance_id).where(
        PortalEntry.instance_id == MessageSubscription.instance_id
    )
    missing = session.scalars(
        select(ProcessInstance)
        .join(MessageSubscription, MessageSubscription.instance_id == ProcessInstance.id)
        .where(
            ProcessInstance.status == status.RUNNING,
            MessageSubscription.message_name.in_(list(portal.MESSAGE_KINDS)),
            ~has_rows.exists(),
        )
        .distinct()
    ).all()
    for instance in missing:
        session.add_all(
            portal_entries(session, instance, _message_waits(open_tasks(load(session, instance))))
        )
    return len(missing)


#: termination's statements, built once with bound parameters
_OPEN_ROWS = select(HumanTask).where(
    HumanTask.instance_id == bindparam("iid"), HumanTask.status.in_(task_model.OPEN)
)
_DELETE_ALL = tuple(
    delete(table).where(table.c.instance_id == bindparam("iid"))
    for table in (_TIMER_TABLE, _WAIT_TABLE, _PORTAL_TABLE)
)


def cancel_all(session: Session, instance: ProcessInstance, now: datetime) -> None:
    """On termination: every open human task is cancelled, no timer or message wait remains."""
    for row in session.scalars(_OPEN_ROWS, {"iid": instance.id}):
        row.status = task_model.CANCELLED
        row.ended_at = now
    for stmt in _DELETE_ALL:
        session.execute(stmt, {"iid": instance.id})
        for held in [o for o in session.identity_map.values() if o.__table__ is stmt.table]:
            if held.instance_id == instance.id:
                session.expunge(held)
