"""The timer sweep: claim due rows of the timer index, fire them through the door, repeat until none is due.

Claims make two sweepers fire each timer exactly once: ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL,
a compare-and-set update on SQLite. The cost follows the number of due timers, not of waiting instances.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from engine.clock import get_clock
from engine.db import begin_write, utcnow
from engine.errors import Conflict, InvalidState
from engine.models.timer import TimerDue
from engine.runtime import Context, StepFailed, change_instance

#: A claim older than this (wall-clock) is considered abandoned by a crashed sweeper.
CLAIM_LEASE = timedelta(minutes=5)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:64]


def _due_condition(now: datetime, stale: datetime):  # type: ignore[no-untyped-def]
    """Due and unclaimed (or abandoned). Only running instances have rows (engine.indexes.rebuild)."""
    return and_(TimerDue.due_at <= now, or_(TimerDue.claimed_by.is_(None), TimerDue.claimed_at < stale))


def claim_due(session: Session, worker: str, batch: int = 100) -> list[int]:
    """Claim up to ``batch`` due timers; returns the instance ids to fire (committed before firing)."""
    begin_write(session)
    now = get_clock(session).now()
    wall = utcnow()
    stale = wall - CLAIM_LEASE
    query = (
        select(TimerDue.id, TimerDue.instance_id)
        .where(_due_condition(now, stale))
        .order_by(TimerDue.due_at, TimerDue.id)
        .limit(batch)
    )
    dialect = session.get_bind().dialect.name
    claimed: list[tuple[int, int]] = []
    if dialect == "postgresql":
        rows = session.execute(query.with_for_update(skip_locked=True, of=TimerDue)).all()
        if rows:
            session.execute(
                update(TimerDue)
                .where(TimerDue.id.in_([r.id for r in rows]))
                .values(claimed_by=worker, claimed_at=wall)
            )
        claimed = [(r.id, r.instance_id) for r in rows]
    else:
        for row in session.execute(query).all():
            result = session.execute(
                update(TimerDue)
                .where(TimerDue.id == row.id, or_(TimerDue.claimed_by.is_(None), TimerDue.claimed_at < stale))
                .values(claimed_by=worker, claimed_at=wall)
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                claimed.append((row.id, row.instance_id))
    session.commit()
    seen: dict[int, None] = {}
    for _timer_id, instance_id in claimed:
        seen.setdefault(instance_id, None)
    return list(seen)


def _release(session: Session, instance_id: int, worker: str) -> None:
    begin_write(session)
    session.execute(
        update(TimerDue)
        .where(TimerDue.instance_id == instance_id, TimerDue.claimed_by == worker)
        .values(claimed_by=None, claimed_at=None)
    )
    session.commit()


def fire_instance(session: Session, instance_id: int) -> int:
    """Fire whatever is due in one instance; returns how many timer events fired."""

    def action(ctx: Context) -> None:
        return None

    _, ctx = change_instance(session, instance_id, action, actor=None)
    return ctx.fired_timers


def sweep(session: Session, *, worker: str | None = None, batch: int = 100, max_rounds: int = 1000) -> int:
    """Fire every timer that is due now and return how many fired."""
    worker = worker or worker_name()
    fired = 0
    for _round in range(max_rounds):
        instance_ids = claim_due(session, worker, batch)
        if not instance_ids:
            break
        for instance_id in instance_ids:
            try:
                fired += fire_instance(session, instance_id)
            except (Conflict, InvalidState):
                _release(session, instance_id, worker)  # someone changed it meanwhile: next sweep retries
            except StepFailed:
                pass  # the instance is flagged as failed; a supervisor retries it
    return fired
