"""Delivering the outbox: claim due rows, send each through its channel, record it sent once, retry with back-off.

1. *Claim* (own short transaction): a conditional UPDATE moves one due row — pending with ``next_attempt_at``
   reached, or ``sending`` whose claim expired (a scheduler died) — to ``sending`` with this worker's name and a
   lease. The UPDATE matches only if the row is still in the state read, so of two schedulers exactly one wins.
2. *Send* outside any transaction.
3. *Record* (own transaction): ``sent`` if this worker still holds the claim; on failure back to ``pending``
   with ``next_attempt_at`` pushed back (``backoff``), or ``failed`` after ``MAX_ATTEMPTS`` or a permanent error.

A crash between 2 and 3 resends the row after the lease, with the same Message-ID (``channels``), so the
message is at worst delivered twice with one identity, which mail servers and clients deduplicate.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from engine.db import begin_write, utcnow
from engine.models import notification as state
from engine.models.notification import OutboxMessage
from engine.notify.channels import Channel, DeliveryError, OutgoingMessage, enabled_channels

log = logging.getLogger("jiebang.outbox")

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=6)
LEASE = timedelta(minutes=5)
BATCH = 50


def backoff(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failure: 1, 2, 4, … minutes, at most 6 hours."""
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


@dataclass
class DeliveryResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def _due(now: datetime):  # type: ignore[no-untyped-def]
    return or_(
        and_(OutboxMessage.status == state.PENDING, OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == state.SENDING, OutboxMessage.claimed_until < now),
    )


def claim(session: Session, outbox_id: int, worker: str, now: datetime) -> bool:
    """Take one due row for ``worker`` (commits); False when another worker has it or it is not due."""
    begin_write(session)
    taken = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id, _due(now))
        .values(status=state.SENDING, claimed_by=worker, claimed_until=now + LEASE)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    return taken == 1


def _finish(session: Session, outbox_id: int, worker: str, values: dict[str, object]) -> bool:
    begin_write(session)
    done = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == outbox_id,
            OutboxMessage.status == state.SENDING,
            OutboxMessage.claimed_by == worker,
        )
        .values(claimed_by=None, claimed_until=None, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    return done == 1


def deliver_due(
    session: Session,
    worker: str,
    *,
    now: datetime | None = None,
    channels: Mapping[str, Channel] | None = None,
    limit: int = BATCH,
) -> DeliveryResult:
    """Send up to ``limit`` due outbox rows. ``now`` defaults to the wall clock: delivery is infrastructure, it
    does not follow a simulated clock."""
    now = now or utcnow()
    channels = enabled_channels() if channels is None else channels
    result = DeliveryResult()
    ids = list(
        session.scalars(select(OutboxMessage.id).where(_due(now)).order_by(OutboxMessage.id).limit(limit))
    )
    session.rollback()
    for outbox_id in ids:
        if not claim(session, outbox_id, worker, now):
            continue
        row = session.get(OutboxMessage, outbox_id, populate_existing=True)
        assert row is not None
        message = OutgoingMessage(
            key=f"jiebang-outbox-{row.id}", address=row.address, subject=row.subject, body=row.body
        )
        attempts = row.attempts + 1
        channel = channels.get(row.channel)
        session.rollback()
        try:
            if channel is None:
                raise DeliveryError(f"channel {row.channel!r} is not configured in this process")
            channel.send(message)
        except (DeliveryError, OSError) as exc:
            permanent = isinstance(exc, DeliveryError) and exc.permanent
            give_up = permanent or attempts >= MAX_ATTEMPTS
            log.warning("outbox %d (%s) attempt %d failed: %s", outbox_id, row.channel, attempts, exc)
            _finish(
                session,
                outbox_id,
                worker,
                {
                    "status": state.FAILED if give_up else state.PENDING,
                    "attempts": attempts,
                    "next_attempt_at": now + backoff(attempts),
                    "last_error": str(exc)[:2000],
                },
            )
            if give_up:
                result.failed += 1
            else:
                result.retried += 1
            continue
        if _finish(
            session,
            outbox_id,
            worker,
            {"status": state.SENT, "attempts": attempts, "sent_at": utcnow(), "last_error": None},
        ):
            result.sent += 1
    return result
