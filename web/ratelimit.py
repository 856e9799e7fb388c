"""Rate limits kept in the database (so they hold across worker processes): count hits per key in a window."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from flask import current_app, request
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from engine.db import begin_write, utcnow
from engine.models.web import RateLimitHit


def client_hash() -> str:
    """A keyed hash of the client address (the address itself is never stored)."""
    address = request.remote_addr or "unknown"
    key = current_app.secret_key
    secret = key.encode() if isinstance(key, str) else (key or b"")
    return hmac.new(secret, address.encode(), hashlib.sha256).hexdigest()


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


def clear(session: Session, key: str) -> None:
    begin_write(session)
    session.execute(delete(RateLimitHit).where(RateLimitHit.key == key))
    session.commit()
