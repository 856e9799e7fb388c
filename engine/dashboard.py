"""The supervisor's figures at a glance: plain SQL over the listing rows and indexes (process_instance, the
human-task index, the timer index, the ledger) — no workflow is loaded. Every figure is the size of a list the
monitor shows (``monitor_args`` says which), so a chart and the list behind it always agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from engine.clock import SHANGHAI
from engine.models import task as task_model
from engine.models.domain import LedgerEntry, Project
from engine.models.instance import ProcessInstance
from engine.models.task import HumanTask
from engine.models.timer import TimerDue
from engine.xmlsafe import parse_xml

BPMN_MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
#: open tasks due within this many days count as due soon
DUE_SOON_DAYS = 3
#: rows shown in the lists of the dashboard (windows, failures); the monitor has the rest
LIST_LIMIT = 20


@dataclass
class Dashboard:
    jurisdictions: list[str]
    #: (jurisdiction, stage, running instances)
    stages: list[tuple[str, str, int]] = field(default_factory=list)
    #: (jurisdiction, status, instances)
    statuses: list[tuple[str, str, int]] = field(default_factory=list)
    #: jurisdiction → instances with an overdue open task
    overdue_instances: dict[str, int] = field(default_factory=dict)
    #: (lane, assignee or None, overdue tasks, due-soon tasks)
    tasks_due: list[tuple[str, str | None, int, int]] = field(default_factory=list)
    #: waiting timers: the windows and deadlines running now, soonest first
    windows: list[dict[str, Any]] = field(default_factory=list)
    failed: list[ProcessInstance] = field(default_factory=list)
    failed_total: int = 0
    #: (process key, version, running instances)
    versions: list[tuple[str, int, int]] = field(default_factory=list)
    #: (jurisdiction, year, disbursed fen, recovered fen, issuer-paid fen)
    money: list[tuple[str, int, int, int, int]] = field(default_factory=list)


def _scoped(column: Any, scope: Sequence[str] | None) -> ColumnElement[bool]:
    return column.in_(list(scope)) if scope is not None else and_(True)


def _overdue(now: datetime) -> Any:
    return exists(
        select(HumanTask.id).where(
            HumanTask.instance_id == ProcessInstance.id,
            HumanTask.status.in_(task_model.OPEN),
            HumanTask.due_at < now,
        )
    )


def build(session: Session, scope: Sequence[str] | None, now: datetime) -> Dashboard:
    """The figures of the jurisdictions in ``scope`` (None: every jurisdiction) at ``now``."""
    in_scope = _scoped(ProcessInstance.jurisdiction, scope)
    jurisdictions = sorted(
        j for j in session.scalars(select(ProcessInstance.jurisdiction).distinct().where(in_scope)) if j
    )
    board = Dashboard(jurisdictions=jurisdictions)
    board.stages = [
        (j or "", stage or "", int(n))
        for j, stage, n in session.execute(
            select(ProcessInstance.jurisdiction, ProcessInstance.stage, func.count())
            .where(in_scope, ProcessInstance.status == "running")
            .group_by(ProcessInstance.jurisdiction, ProcessInstance.stage)
            .order_by(func.count().desc(), ProcessInstance.stage)
        )
    ]
    board.statuses = [
        (j or "", s, int(n))
        for j, s, n in session.execute(
            select(ProcessInstance.jurisdiction, ProcessInstance.status, func.count())
            .where(in_scope)
            .group_by(ProcessInstance.jurisdiction, ProcessInstance.status)
        )
    ]
    board.overdue_instances = {
        j or "": int(n)
        for j, n in session.execute(
            select(ProcessInstance.jurisdiction, func.count())
            .where(in_scope, _overdue(now))
            .group_by(ProcessInstance.jurisdiction)
        )
    }
    soon = now + timedelta(days=DUE_SOON_DAYS)
    open_tasks = and_(
        HumanTask.status.in_(task_model.OPEN), HumanTask.due_at.is_not(None), HumanTask.due_at < soon
    )
    late = func.sum(case((HumanTask.due_at < now, 1), else_=0))
    board.tasks_due = [
        (lane or "", assignee, int(overdue or 0), int(total) - int(overdue or 0))
        for lane, assignee, overdue, total in session.execute(
            select(HumanTask.lane, HumanTask.assignee, late, func.count())
            .where(open_tasks, _scoped(HumanTask.jurisdiction, scope))
            .group_by(HumanTask.lane, HumanTask.assignee)
            .order_by(HumanTask.lane, HumanTask.assignee)
        )
    ]
    board.windows = [
        {
            "name": timer.name or timer.task_spec,
            "due_at": timer.due_at,
            "instance_id": inst.id,
            "title": inst.title or inst.business_key or f"#{inst.id}",
            "jurisdiction": inst.jurisdiction or "",
        }
        for timer, inst in session.execute(
            select(TimerDue, ProcessInstance)
            .join(ProcessInstance, ProcessInstance.id == TimerDue.instance_id)
            .where(in_scope, ProcessInstance.status == "running", TimerDue.due_at >= now)
            .order_by(TimerDue.due_at)
            .limit(LIST_LIMIT)
        )
    ]
    failed = select(ProcessInstance).where(in_scope, ProcessInstance.status == "error")
    board.failed_total = int(session.scalar(select(func.count()).select_from(failed.subquery())) or 0)
    board.failed = list(session.scalars(failed.order_by(ProcessInstance.updated_at.desc()).limit(LIST_LIMIT)))
    board.money = _money(session, scope)
    board.versions = [
        (key, int(version), int(n))
        for key, version, n in session.execute(
            select(ProcessInstance.process_key, ProcessInstance.version, func.count())
            .where(in_scope, ProcessInstance.status == "running")
            .group_by(ProcessInstance.process_key, ProcessInstance.version)
            .order_by(ProcessInstance.process_key, ProcessInstance.version)
        )
    ]
    return board


def _money(session: Session, scope: Sequence[str] | None) -> list[tuple[str, int, int, int, int]]:
    """Money moved per jurisdiction and calendar year (Beijing time), from the ledger."""
    jurisdiction = func.coalesce(LedgerEntry.jurisdiction, Project.jurisdiction)
    first, last = session.execute(select(func.min(LedgerEntry.at), func.max(LedgerEntry.at))).one()
    if first is None:
        return []
    years = range(first.astimezone(SHANGHAI).year, last.astimezone(SHANGHAI).year + 1)
    # the calendar year in Beijing time, as boundaries in UTC (the same SQL on SQLite and PostgreSQL)
    year = case(*((LedgerEntry.at < _year_start(y + 1), y) for y in years), else_=years[-1])
    rows = session.execute(
        select(jurisdiction, year, LedgerEntry.kind, func.sum(LedgerEntry.amount_fen))
        .outerjoin(Project, Project.code == LedgerEntry.project)
        .where(_scoped(jurisdiction, scope))
        .group_by(jurisdiction, year, LedgerEntry.kind)
    ).all()
    table: dict[tuple[str, int], dict[str, int]] = {}
    for j, y, kind, amount in rows:
        if not j:
            continue
        cell = table.setdefault((j, int(y)), {})
        cell[kind] = cell.get(kind, 0) + int(amount or 0)
    return [
        (j, y, c.get("disbursement", 0), c.get("recovery", 0), c.get("issuer_payment", 0))
        for (j, y), c in sorted(table.items())
    ]


def _year_start(year: int) -> datetime:
    return datetime(year, 1, 1, tzinfo=SHANGHAI)


def _waiting_sets(
    session: Session, process_key: str, version: int, scope: Sequence[str] | None
) -> dict[str, set[int]]:
    """Element id → the running instances of one version waiting there (an open human task or a timer)."""
    running = and_(
        ProcessInstance.process_key == process_key,
        ProcessInstance.version == version,
        ProcessInstance.status == "running",
        _scoped(ProcessInstance.jurisdiction, scope),
    )
    waiting: dict[str, set[int]] = {}
    for element, instance_id in session.execute(
        select(HumanTask.task_spec, HumanTask.instance_id)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(running, HumanTask.status.in_(task_model.OPEN))
        .distinct()
    ):
        waiting.setdefault(element, set()).add(instance_id)
    for element, instance_id in session.execute(
        select(TimerDue.task_spec, TimerDue.instance_id)
        .join(ProcessInstance, ProcessInstance.id == TimerDue.instance_id)
        .where(running)
        .distinct()
    ):
        waiting.setdefault(element, set()).add(instance_id)
    return waiting


def element_counts(
    session: Session, process_key: str, version: int, scope: Sequence[str] | None
) -> dict[str, int]:
    """For one process version: how many running instances wait at each element — an open human task there
    or a waiting timer (element ids of the version's diagrams, the called processes' included)."""
    return {element: len(ids) for element, ids in _waiting_sets(session, process_key, version, scope).items()}


def waiting_total(session: Session, process_key: str, version: int, scope: Sequence[str] | None) -> int:
    """How many running instances of the version wait somewhere (each once, though one may wait at a task and
    at a timer of the same stage at the same time)."""
    ids: set[int] = set()
    for waiting in _waiting_sets(session, process_key, version, scope).values():
        ids |= waiting
    return len(ids)


def stage_counts(
    session: Session,
    process_key: str,
    version: int,
    scope: Sequence[str] | None,
    members: dict[str, frozenset[str]],
) -> dict[str, int]:
    """For each stage (call activity or embedded subprocess, ``members`` from ``stage_members``): how many
    running instances of the version wait somewhere inside it."""
    waiting = _waiting_sets(session, process_key, version, scope)
    counts: dict[str, int] = {}
    for stage, inside in members.items():
        ids: set[int] = set()
        for element in inside:
            ids |= waiting.get(element, set())
        if ids:
            counts[stage] = len(ids)
    return counts


def stage_members(diagrams: Sequence[bytes]) -> dict[str, frozenset[str]]:
    """For each call activity and embedded subprocess of a version's diagrams: the ids of every element that
    runs inside it — the called process's elements and, through nested stages, theirs."""
    processes: dict[str, set[str]] = {}
    called: dict[str, str] = {}
    embedded: dict[str, set[str]] = {}
    for content in diagrams:
        root = parse_xml(content).getroot()
        for process in root.iter(f"{{{BPMN_MODEL}}}process"):
            processes[process.get("id") or ""] = _ids_inside(process)
        for element in root.iter(f"{{{BPMN_MODEL}}}callActivity"):
            if element.get("id") and element.get("calledElement"):
                called[element.get("id") or ""] = element.get("calledElement") or ""
        for element in root.iter(f"{{{BPMN_MODEL}}}subProcess", f"{{{BPMN_MODEL}}}transaction"):
            if element.get("id"):
                embedded[element.get("id") or ""] = _ids_inside(element)

    def resolve(stage: str, seen: frozenset[str]) -> set[str]:
        inside = (
            set(processes.get(called[stage], set())) if stage in called else set(embedded.get(stage, set()))
        )
        for nested in list(inside):
            if nested in called or nested in embedded:
                if nested not in seen:
                    inside |= resolve(nested, seen | {nested})
        return inside

    return {stage: frozenset(resolve(stage, frozenset({stage}))) for stage in (*called, *embedded)}


def _ids_inside(container: Any) -> set[str]:
    return {el.get("id") for el in container.iter() if el is not container and el.get("id")}


def waiting_at(element: str, inside: frozenset[str] = frozenset()) -> ColumnElement[bool]:
    """On ProcessInstance: it waits at ``element`` (an open human task or a waiting timer there) or, for a
    stage, at any of the elements ``inside`` it (``stage_members``)."""
    elements = sorted({element, *inside})
    return or_(
        exists(
            select(HumanTask.id).where(
                HumanTask.instance_id == ProcessInstance.id,
                HumanTask.status.in_(task_model.OPEN),
                HumanTask.task_spec.in_(elements),
            )
        ),
        exists(
            select(TimerDue.id).where(
                TimerDue.instance_id == ProcessInstance.id, TimerDue.task_spec.in_(elements)
            )
        ),
    )
