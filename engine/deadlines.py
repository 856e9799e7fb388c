"""The deadlines running instances wait for (the timer index), as people read them: which instance, which
deadline, when — for the pages that list what will fall due (the simulated clock, the holiday schedule)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import readable_clause
from engine.clock import to_utc
from engine.models.instance import RUNNING, ProcessInstance
from engine.models.timer import TimerDue


@dataclass(frozen=True)
class PendingTimer:
    instance_id: int
    title: str
    jurisdiction: str | None
    name: str | None
    due_at: datetime


def pending_timers(
    session: Session,
    *,
    viewer: Any,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    instance_id: int | None = None,
) -> list[PendingTimer]:
    """Waiting deadlines of running instances ``viewer`` may read, soonest first, due from ``since`` and by
    ``until`` when given, of one instance when ``instance_id`` is (one indexed query over the timer index)."""
    query = (
        select(
            TimerDue.instance_id,
            ProcessInstance.title,
            ProcessInstance.business_key,
            ProcessInstance.jurisdiction,
            TimerDue.name,
            TimerDue.due_at,
        )
        .join(ProcessInstance, ProcessInstance.id == TimerDue.instance_id)
        .where(ProcessInstance.status == RUNNING, readable_clause(viewer))
        .order_by(TimerDue.due_at, TimerDue.id)
        .limit(limit)
    )
    if instance_id is not None:
        query = query.where(TimerDue.instance_id == instance_id)
    if since is not None:
        query = query.where(TimerDue.due_at >= to_utc(since))
    if until is not None:
        query = query.where(TimerDue.due_at <= to_utc(until))
    return [PendingTimer(r[0], r[1] or r[2] or f"#{r[0]}", r[3], r[4], r[5]) for r in session.execute(query)]
