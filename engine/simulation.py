"""Moving the simulated clock for training and demonstrations, with the deadlines it makes fall due.

Only where ``JIEBANG_SIMULATED_CLOCK=1`` (``engine.clock.get_clock``); a real deployment has no simulated clock
and nothing here applies. Moving the clock commits, then fires at once every timer that fell due (as the
scheduler would within a second), so the person who moved it sees the effect.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from engine.clock import SimulatedClock, get_clock, to_utc
from engine.deadlines import PendingTimer, pending_timers
from engine.errors import ValidationFailed
from engine.notify.due import sweep_due
from engine.timers import sweep

#: How far one move may go: far enough for any policy window (the longest are 3-year project periods).
MAX_MOVE = timedelta(days=4 * 366)


def simulated_clock(session: Session) -> SimulatedClock | None:
    clock = get_clock(session)
    return clock if isinstance(clock, SimulatedClock) else None


@dataclass(frozen=True)
class ClockMove:
    before: datetime
    after: datetime
    fell_due: list[PendingTimer]
    fired: int


def move_clock(
    session: Session, *, to: datetime | None = None, by: timedelta | None = None, viewer: Any = None
) -> ClockMove:
    """Set the simulated clock to ``to`` or move it forward ``by``; commit; fire what fell due. ``fell_due``
    lists the deadlines ``viewer`` may read (None: the operator, every one)."""
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
    fell_due = pending_timers(session, viewer=viewer, until=target)
    clock.set(target)
    session.commit()
    fired = sweep(session).fired
    sweep_due(session)  # the due-date notices of human tasks, as the scheduler would send them
    return ClockMove(before=before, after=target, fell_due=fell_due, fired=fired)
