"""Moving the simulated clock for training and demonstrations, with the deadlines it makes fall due.

Only where ``JIEBANG_SIMULATED_CLOCK=1`` (``engine.clock.get_clock``); a real deployment has no simulated clock
and nothing here applies. Moving the clock commits, then fires at once every timer that fell due (as the
scheduler would within a second), so the person who moved it sees the effect.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.clock import SimulatedClock, get_clock, to_utc
from engine.errors import ValidationFailed
from engine.models.instance import RUNNING, ProcessInstance
from engine.models.timer import TimerDue
from engine.timers import sweep

#: How far one move may go: far enough for any policy window (the longest are 3-year project periods).
MAX_MOVE = timedelta(days=4 * 366)


def simulated_clock(session: Session) -> SimulatedClock | None:
    clock = get_clock(session)
    return clock if isinstance(clock, SimulatedClock) else None


@dataclass(frozen=True)
class PendingTimer:
    instance_id: int
    title: str
    jurisdiction: str | None
    name: str | None
    due_at: datetime


def pending_timers(
    session: Session, *, until: datetime | None = None, limit: int = 100
) -> list[PendingTimer]:
    """Waiting deadlines of running instances, soonest first (only those due by ``until`` when given)."""
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
        .where(ProcessInstance.status == RUNNING)
        .order_by(TimerDue.due_at, TimerDue.id)
        .limit(limit)
    )
    if until is not None:
        query = query.where(TimerDue.due_at <= to_utc(until))
    return [PendingTimer(r[0], r[1] or r[2] or f"#{r[0]}", r[3], r[4], r[5]) for r in session.execute(query)]


@dataclass(frozen=True)
class ClockMove:
    before: datetime
    after: datetime
    fell_due: list[PendingTimer]
    fired: int


def move_clock(session: Session, *, to: datetime | None = None, by: timedelta | None = None) -> ClockMove:
    """Set the simulated clock to ``to`` or move it forward ``by``; commit; fire what fell due."""
    clock = simulated_clock(session)
    if clock is None:
        raise ValidationFailed(
            "本系统使用真实时间，不能调整时钟（只有培训或演示环境启用模拟时钟）。",
            "This system runs on the real time; the clock cannot be changed (only training and demo "
            "deployments have a simulated clock).",
        )
    if (to is None) == (by is None):
        raise ValidationFailed(
            "请给出目标时间或前进的时长之一。", "Give either the new time or how far to move."
        )
    before = clock.now()
    target = to_utc(to) if to is not None else before + (by or timedelta(0))
    if by is not None and by <= timedelta(0):
        raise ValidationFailed("前进的时长必须大于零。", "The time to move forward must be more than zero.")
    if abs(target - before) > MAX_MOVE:
        raise ValidationFailed(
            "一次最多调整 4 年。",
            "The clock can be moved by at most 4 years at a time.",
            details={"to": str(target)},
        )
    fell_due = pending_timers(session, until=target)
    clock.set(target)
    session.commit()
    fired = sweep(session)
    return ClockMove(before=before, after=target, fell_due=fell_due, fired=fired)
