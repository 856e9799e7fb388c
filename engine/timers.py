"""The timer sweep: claim due rows of the timer index, fire them through the door, repeat until none is due.

Claims make two sweepers fire each timer exactly once: ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL,
the database's write lock held across the claim on SQLite (where one sweeper is the deployment). The cost follows the number of due timers, not of waiting instances.

One instance never holds back the others: each is fired in its own transaction under the script budget
(``engine.limits``), so a step that fails, runs too long or leaves data that cannot be saved puts that
instance in the error state (its timers are dropped) and the sweep goes on; the sweep reports it as failed,
never as fired (``SweepResult``). A claim counts an attempt on its rows (committed before any of them is
fired); a row whose firing never finished (the sweeper died, or the step broke in a way that could not be
recorded, or the database failed) is claimed after every fresh row once its lease expires, as the last of its
batch, and after ``MAX_ATTEMPTS`` such attempts the instance is put in the error state instead of being fired
again.

A fired timer costs one transaction with one commit: the first claim of a sweep is a transaction of its own,
every later one is made inside the firing of the last instance of the batch before and committed with it
(a firing that fails takes its claim back with it, and the next claim is then a transaction of its own); the
sweep ends with one claim of its own that finds nothing due (a firing may leave its instance's next timer due
at once, which the claim inside that firing cannot see).
The sweep reads the clock once, fires what is due at that instant, and remembers the process versions and
role holders it has read (``engine.memo``).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from engine.clock import get_clock
from engine.db import begin_write, utcnow
from engine.errors import Conflict, InvalidState
from engine.memo import remembering
from engine.models import instance as status
from engine.models.timer import TimerDue
from engine.runtime import Context, StepFailed, change_instance, record_error

log = logging.getLogger("jiebang.timers")

#: A claim older than this (wall-clock) is considered abandoned by a crashed sweeper.
CLAIM_LEASE = timedelta(minutes=5)
#: Firings of one instance's timers that may start without finishing before the instance is failed.
MAX_ATTEMPTS = 3


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:64]


def _due_condition(now: datetime, stale: datetime):  # type: ignore[no-untyped-def]
    """Due and unclaimed (or abandoned). Only running instances have rows (engine.indexes.rebuild)."""
    return and_(TimerDue.due_at <= now, or_(TimerDue.claimed_by.is_(None), TimerDue.claimed_at < stale))


@dataclass(frozen=True)
class Claim:
    """One claimed instance: how many firings of its rows have now started (this one counted)."""

    instance_id: int
    attempts: int


def claim_batch(
    session: Session, worker: str, batch: int = 10, now: datetime | None = None
) -> tuple[list[Claim], datetime]:
    """Claim up to ``batch`` timers due at ``now`` (default: the clock's instant) in one transaction and count
    an attempt on each (committed before firing); returns the claimed instances in order and the instant."""
    begin_write(session)
    if now is None:
        now = get_clock(session).now()
    claims = _claim(session, worker, batch, now)
    session.commit()
    return claims, now


def _claim(
    session: Session, worker: str, batch: int, now: datetime, besides: int | None = None
) -> list[Claim]:
    """Claim up to ``batch`` timers due at ``now`` (not of the instance ``besides``) in the open write
    transaction, counting an attempt on each; the caller commits.

    Fresh rows come first; a row whose firing failed before (``attempts`` > 0) is claimed as the last of its
    batch, so a firing that kills the sweeper again charges that instance alone. PostgreSQL claims with
    ``SELECT … FOR UPDATE SKIP LOCKED`` (two sweepers take disjoint batches); SQLite holds the database's
    write lock from the start of the transaction (``begin_write``), so the select and the update see one state."""
    wall = utcnow()
    due = _due_condition(now, wall - CLAIM_LEASE)
    if besides is not None:
        due = and_(due, TimerDue.instance_id != besides)
    query = (
        select(TimerDue.id, TimerDue.instance_id, TimerDue.attempts)
        .where(due)
        .order_by(TimerDue.attempts, TimerDue.due_at, TimerDue.id)
        .limit(batch)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=TimerDue)
    rows = []
    for row in session.execute(query).all():
        rows.append(row)
        if row.attempts:
            break
    if rows:
        session.execute(
            update(TimerDue)
            .where(TimerDue.id.in_([r.id for r in rows]))
            .values(claimed_by=worker, claimed_at=wall, attempts=TimerDue.attempts + 1)
        )
    attempts: dict[int, int] = {}
    for row in rows:
        attempts[row.instance_id] = max(attempts.get(row.instance_id, 0), row.attempts + 1)
    return [Claim(iid, n) for iid, n in attempts.items()]


def claim_due(session: Session, worker: str, batch: int = 10) -> list[int]:
    """Claim up to ``batch`` due timers (see ``claim_batch``); returns the instance ids to fire."""
    claims, _now = claim_batch(session, worker, batch)
    return [c.instance_id for c in claims]


def _release(session: Session, instance_id: int, worker: str) -> None:
    """Someone else changed the instance meanwhile: hand the claim back at once and undo the attempt."""
    session.rollback()
    begin_write(session)
    session.execute(
        update(TimerDue)
        .where(TimerDue.instance_id == instance_id, TimerDue.claimed_by == worker)
        .values(claimed_by=None, claimed_at=None, attempts=TimerDue.attempts - 1)
    )
    session.commit()


@dataclass(frozen=True)
class Firing:
    """What firing one instance did: how many timer events fired, and whether the instance then stopped in the
    error state (a step after its timer failed; ``error`` is the message recorded on the instance)."""

    timers: int
    error: str | None = None
    where: str | None = None
    #: the next batch, claimed in this firing's transaction and committed with it (None: none was asked for)
    claimed: list[Claim] | None = None


@dataclass(frozen=True)
class TimerFailure:
    """An instance a sweep put in the error state (a supervisor retries it): where and why."""

    instance_id: int
    message: str
    where: str | None = None

    def describe(self) -> str:
        return (
            f"instance {self.instance_id}" + (f" at {self.where}" if self.where else "") + f": {self.message}"
        )


@dataclass
class SweepResult:
    """What a sweep did: timers that fired and whose instance went on, and the instances that stopped in the
    error state while their timers were fired (counted there, never as fired)."""

    fired: int = 0
    failed: list[TimerFailure] = field(default_factory=list)


#: claims the next batch inside a firing's transaction, given the instance being fired
ClaimNext = Callable[[Session, int], list[Claim]]


def fire_instance(
    session: Session, instance_id: int, now: datetime | None = None, *, claim_next: ClaimNext | None = None
) -> Firing:
    """Fire whatever is due in one instance (at ``now``, default the clock's instant) in one transaction
    with one commit; returns how many timer events fired and, when a step after them failed and the instance
    is now in the error state, its error. ``claim_next`` claims the sweep's next batch in that transaction."""
    claimed: list[list[Claim]] = []

    def action(ctx: Context) -> None:
        if claim_next is not None:
            claimed.append(claim_next(ctx.session, instance_id))

    _, ctx = change_instance(session, instance_id, action, actor=None, now=now)
    following = claimed[0] if claimed else None
    if ctx.instance.status == status.ERROR:
        return Firing(ctx.fired_timers, ctx.instance.error_message or "", ctx.instance.error_task, following)
    return Firing(ctx.fired_timers, claimed=following)


def _fail_instance(session: Session, instance_id: int, zh: str, en: str) -> TimerFailure:
    session.rollback()
    message = f"{zh} / {en}"
    record_error(session, instance_id, message, None, actor=None, now=get_clock(session).now())
    return TimerFailure(instance_id, message)


def _fire_isolated(
    session: Session, claim: Claim, worker: str, now: datetime, claim_next: ClaimNext | None
) -> Firing | TimerFailure | None:
    """Fire one claimed instance; whatever goes wrong stays with that instance. Returns the firing, the
    failure that put the instance in the error state, or None when it is left for a later sweep."""
    instance_id = claim.instance_id
    if claim.attempts > MAX_ATTEMPTS:
        return _fail_instance(
            session,
            instance_id,
            f"定时器已尝试触发 {MAX_ATTEMPTS} 次均未完成（定时任务进程在执行该流程时中断）；请检查定时器之后的脚本后重试",
            f"firing this instance's timer was started {MAX_ATTEMPTS} times and never finished (the timer "
            "sweeper stopped while running it); check the steps after the timer, then retry",
        )
    try:
        return fire_instance(session, instance_id, now, claim_next=claim_next)
    except (Conflict, InvalidState):
        _release(session, instance_id, worker)  # changed meanwhile: the next sweep retries
    except StepFailed as exc:
        # the instance is flagged as failed (its timers are gone); a supervisor retries it
        return TimerFailure(instance_id, str(exc.details.get("error") or exc.en), exc.details.get("task"))
    except SQLAlchemyError:
        # Not the instance's fault: the claim stays until its lease expires, then goes behind fresh rows.
        session.rollback()
        log.exception("timer of instance %s: database error; retried after the lease", instance_id)
    except Exception as exc:
        log.exception("timer of instance %s failed", instance_id)
        try:
            return _fail_instance(
                session,
                instance_id,
                f"触发定时器时出现内部错误（{type(exc).__name__}: {exc}）；请联系管理员",
                f"internal error while firing the timer ({type(exc).__name__}: {exc}); contact the "
                "administrator",
            )
        except SQLAlchemyError:
            session.rollback()
            log.exception("could not flag instance %s as failed; retried after the lease", instance_id)
    return None


def sweep(
    session: Session, *, worker: str | None = None, batch: int = 10, max_rounds: int = 1000
) -> SweepResult:
    """Fire every timer that is due now; returns how many fired (their instances went on) and which instances
    stopped in the error state instead. Claims are small batches (two sweepers share a burst of due timers),
    at most ``max_rounds`` of them; each claimed instance is fired in one transaction at the sweep's instant,
    and the last of a batch claims the next batch in its transaction. Process versions and role holders read
    during the sweep are remembered for it (``engine.memo``)."""
    worker = worker or worker_name()
    result = SweepResult()
    with remembering(session):
        claims, now = claim_batch(session, worker, batch)
        for round_ in range(1, max_rounds + 1):
            following: list[Claim] | None = None
            for claim in claims:
                last = claim is claims[-1] and round_ < max_rounds
                take: ClaimNext | None = (
                    (lambda s, iid: _claim(s, worker, batch, now, besides=iid)) if last else None
                )
                outcome = _fire_isolated(session, claim, worker, now, take)
                if isinstance(outcome, TimerFailure):
                    result.failed.append(outcome)
                elif outcome is not None:
                    if outcome.error is not None:
                        result.failed.append(TimerFailure(claim.instance_id, outcome.error, outcome.where))
                    else:
                        result.fired += outcome.timers
                    following = outcome.claimed if last else None
            if not claims or round_ == max_rounds:
                break
            # The next batch rode in the last firing. When it was empty or that firing failed (its claim went
            # with it), one claim of its own ends the sweep: a firing can leave a timer of its own instance due
            # at this instant (the next stage's timer), which the claim in that firing could not see yet.
            claims = following or claim_batch(session, worker, batch, now)[0]
    return result
