"""Helpers for work-queue pages (web and API): lane names in use, pagination (engine.paging), stage choices.

The queue itself is ``engine.tasks.queue_query``; everything here stays index-backed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from engine.models import task as task_model
from engine.models.task import HumanTask
from engine.paging import Page, paginate


def ready_lanes(session: Session) -> list[str]:
    """Distinct lane names of ready tasks (an index-only scan of ix_human_task_status_lane)."""
    rows = session.scalars(
        select(HumanTask.lane)
        .distinct()
        .where(HumanTask.status == task_model.READY, HumanTask.lane.is_not(None))
    )
    return sorted(lane for lane in rows if lane)


__all__ = ["Page", "Stage", "paginate", "ready_lanes", "stage_choices"]


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
    found = {Stage(key, spec, name or spec) for key, spec, name in rows}
    return sorted(found, key=lambda s: (s.process_key, s.name))
