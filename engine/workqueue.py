"""Helpers for work-queue pages (web and API): lane names in use, pagination (engine.paging), stage choices (with
the queue's total, in one pass).

The queue itself is ``engine.tasks.queue_query``; everything here stays index-backed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from engine.models import task as task_model
from engine.models.task import HumanTask
from engine.paging import Page, paginate


def ready_lanes(session: Session) -> list[str]:
    """Distinct lane names of ready tasks, one index probe per lane (``ix_human_task_status_lane``): a recursive
    query asks for the smallest lane after the previous one, so the cost follows the few lanes in use, not the
    ready tasks (a plain DISTINCT reads every ready task's entry on PostgreSQL, which has no skip scan)."""
    return sorted(lane for lane in session.scalars(_ready_lanes()) if lane)


@cache
def _ready_lanes() -> Select[tuple[str]]:
    """The statement, built once (it has no parameters of its own)."""
    tasks = HumanTask.__table__
    first = (
        select(func.min(tasks.c.lane).label("lane"))
        .where(tasks.c.status == task_model.READY)
        .cte("lanes", recursive=True)
    )
    after = tasks.alias("after")
    following = (
        select(func.min(after.c.lane))
        .where(after.c.status == task_model.READY, after.c.lane > first.c.lane)
        .scalar_subquery()
    )
    lanes = first.union_all(select(following).where(first.c.lane.is_not(None)))
    return select(lanes.c.lane).where(lanes.c.lane.is_not(None))


__all__ = ["Page", "Stage", "paginate", "ready_lanes", "stage_choices", "stage_counts"]


@dataclass(frozen=True)
class Stage:
    process_key: str
    task_spec: str
    name: str


def stage_choices(session: Session, queue: Select[tuple[HumanTask]]) -> list[Stage]:
    """The processes and steps of the tasks ``queue`` holds (one DISTINCT over the queue's own statement): a
    Karamay clerk filters by the steps of their own queue, not by every step of every jurisdiction's diagrams."""
    rows = session.execute(
        queue.with_only_columns(HumanTask.process_key, HumanTask.task_spec, HumanTask.name)
        .distinct()
        .order_by(None)
    )
    return _sorted_stages((key, spec, name) for key, spec, name in rows)


def stage_counts(session: Session, queue: Select[tuple[HumanTask]]) -> tuple[list[Stage], int]:
    """``stage_choices`` and how many tasks ``queue`` holds, in one pass over the queue (one GROUP BY): an
    unfiltered queue page asks its total and its filter's stages of the same rows, and each pass asks the
    access policy of every candidate task (issue 15: a third of an issuer's page at 10,000 instances)."""
    stage = (HumanTask.process_key, HumanTask.task_spec, HumanTask.name)
    rows = session.execute(
        queue.with_only_columns(*stage, func.count()).group_by(*stage).order_by(None)
    ).all()
    return _sorted_stages((key, spec, name) for key, spec, name, _n in rows), sum(row[3] for row in rows)


def _sorted_stages(rows: Iterable[tuple[str, str, str | None]]) -> list[Stage]:
    found = {Stage(key, spec, name or spec) for key, spec, name in rows}
    return sorted(found, key=lambda s: (s.process_key, s.name))
