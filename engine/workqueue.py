"""Helpers for work-queue pages (web and API): lane names in use, pagination (engine.paging), stage choices.

The queue itself is ``engine.tasks.queue_query``; everything here stays index-backed or reads immutable,
cached process specs.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import task as task_model
from engine.models.deployment import ProcessVersion
from engine.models.task import HumanTask
from engine.paging import Page, paginate
from engine.runtime import version_specs


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


def stage_choices(session: Session) -> list[Stage]:
    """The user and manual tasks of the newest version of every deployed process (specs are cached)."""
    newest = (
        select(ProcessVersion.process_key, func.max(ProcessVersion.version).label("version"))
        .group_by(ProcessVersion.process_key)
        .subquery()
    )
    versions = session.scalars(
        select(ProcessVersion).join(
            newest,
            (ProcessVersion.process_key == newest.c.process_key)
            & (ProcessVersion.version == newest.c.version),
        )
    )
    seen: dict[tuple[str, str], Stage] = {}
    for pv in versions:
        top, subprocesses = version_specs(pv)
        for spec in [top, *subprocesses.values()]:
            for task_spec in spec.task_specs.values():
                bpmn_id = getattr(task_spec, "bpmn_id", None)
                if getattr(task_spec, "manual", False) and bpmn_id:
                    key = (pv.process_key, bpmn_id)
                    seen.setdefault(key, Stage(pv.process_key, bpmn_id, task_spec.bpmn_name or bpmn_id))
    return sorted(seen.values(), key=lambda s: (s.process_key, s.name))
