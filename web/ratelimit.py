"""Rate limits kept in the database (so they hold across worker processes).

- ``too_many`` / ``hit``: count hits per key in a window (objections on the portal).
- ``claim`` / ``succeeded``: the sign-in throttle. Each attempt first claims a turn with one atomic statement
  (an upsert that counts the attempt and, from the limit on, blocks the key for a delay that doubles with
  every further failure), so parallel attempts cannot pass the limit; a correct password then clears or
  gives back what it claimed.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, request
from sqlalchemy import ColumnElement, and_, case, delete, func, literal, null, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.db import UTCDateTime, begin_write, utcnow
from engine.models.auth import LoginThrottle
from engine.models.web import RateLimitHit


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of ``value`` with the secret key: comparable, but not reversible without the key."""
    key = current_app.secret_key
    secret = key.encode() if isinstance(key, str) else (key or b"")
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()


def client_hash() -> str:
    """A keyed hash of the client address (the address itself is never stored)."""
    return keyed_hash(request.remote_addr or "unknown")


def too_many(session: Session, key: str, limit: int, window_seconds: int) -> bool:
    since = utcnow() - timedelta(seconds=window_seconds)
    count = session.scalar(
        select(func.count()).select_from(RateLimitHit).where(RateLimitHit.key == key, RateLimitHit.at > since)
    )
    return (count or 0) >= limit


def hit(session: Session, key: str, window_seconds: int) -> None:
    """Count one hit and forget this key's hits older than the window. Commits."""
    begin_write(session)
    now = utcnow()
    session.execute(
        delete(RateLimitHit).where(
            RateLimitHit.key == key, RateLimitHit.at <= now - timedelta(seconds=window_seconds)
        )
    )
    session.add(RateLimitHit(key=key, at=now))
    session.commit()


#: Throttle keys without an attempt for this long are deleted (on the next correct sign-in).
FORGET_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Throttle:
    """``limit`` failures are free; the attempt that reaches the limit, and each one after it, blocks the key
    for ``first_delay`` seconds, doubled per further failure up to ``max_delay``. A key quiet for ``window``
    seconds (since its last attempt and its block) starts again from zero."""

    limit: int
    first_delay: int
    max_delay: int
    window: int

    def delay(self, step: int) -> int:
        """Seconds blocked after the ``step``-th attempt at or over the limit (1-based)."""
        return min(self.max_delay, self.first_delay * 2 ** min(step - 1, 32))


@dataclass(frozen=True)
class Claim:
    allowed: bool
    #: when the key may try again (set when refused)
    retry_at: datetime | None = None


def _insert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(LoginThrottle)


def _block_after(failures: int, rule: Throttle, now: datetime) -> datetime | None:
    """The block set by the attempt that makes ``failures``: none below the limit, then the doubling ladder."""
    return None if failures < rule.limit else now + timedelta(seconds=rule.delay(failures - rule.limit + 1))


def _block_after_sql(failures: ColumnElement[int], rule: Throttle, now: datetime) -> ColumnElement[Any]:
    """``_block_after`` as SQL, for the upsert (one CASE branch per step until the delay reaches its cap)."""
    ladder = []
    failing = rule.limit
    while rule.delay(failing - rule.limit + 1) < rule.max_delay:
        ladder.append((failures == failing, literal(_block_after(failing, rule, now), UTCDateTime())))
        failing += 1
    capped = literal(now + timedelta(seconds=rule.max_delay), UTCDateTime())
    return case((failures < rule.limit, null()), *ladder, else_=capped)


def claim(session: Session, key: str, rule: Throttle) -> Claim:
    """Count one attempt for ``key`` unless the key is blocked, in one statement. Commits."""
    begin_write(session)
    now = utcnow()
    table = LoginThrottle.__table__.c
    quiet_since = now - timedelta(seconds=rule.window)
    stale = and_(
        table.last_at <= quiet_since, or_(table.blocked_until.is_(None), table.blocked_until <= quiet_since)
    )
    failures = case((stale, 1), else_=table.failures + 1)
    statement = (
        _insert(session)
        .values(key=key, failures=1, last_at=now, blocked_until=_block_after(1, rule, now))
        .on_conflict_do_update(
            index_elements=[table.key],
            set_={
                "failures": failures,
                "last_at": now,
                "blocked_until": _block_after_sql(failures, rule, now),
            },
            where=or_(table.blocked_until.is_(None), table.blocked_until <= now),
        )
        .returning(table.failures)
    )
    claimed = session.execute(statement).first()
    session.commit()
    if claimed is not None:
        return Claim(True)
    retry_at = session.scalar(select(LoginThrottle.blocked_until).where(LoginThrottle.key == key))
    session.commit()
    return Claim(False, retry_at or now)


def succeeded(session: Session, key: str, rule: Throttle, *, forget: bool) -> None:
    """A claimed attempt turned out right (or was not tried): ``forget`` the key's failures (an account), or
    give back the one attempt it claimed (an address shared by many users). Commits."""
    begin_write(session)
    if forget:
        now = utcnow()
        session.execute(
            delete(LoginThrottle).where(
                or_(
                    LoginThrottle.key == key,
                    # and forget keys nobody has tried for a day (names tried once by a guessing run)
                    and_(
                        LoginThrottle.last_at < now - FORGET_AFTER,
                        or_(LoginThrottle.blocked_until.is_(None), LoginThrottle.blocked_until < now),
                    ),
                )
            )
        )
    else:
        table = LoginThrottle.__table__.c
        session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key == key, LoginThrottle.failures > 0)
            .values(
                failures=table.failures - 1,
                blocked_until=case((table.failures - 1 < rule.limit, null()), else_=table.blocked_until),
            )
        )
    session.commit()
