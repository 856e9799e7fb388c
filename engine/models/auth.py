"""Server-side sign-in sessions and the sign-in throttle counters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime


class UserSession(Base):
    """One browser sign-in. The cookie holds a random token; only its SHA-256 is stored here, so a copy of
    the database cannot be replayed as a cookie. A session ends when ``ended_at`` is set (sign-out, idle or
    absolute timeout, password change, disabled account)."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    #: keyed hash of the client address at sign-in (as ``web.ratelimit.client_hash``)
    client_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: logout | idle | absolute | password | disabled
    end_reason: Mapped[str | None] = mapped_column(String(16))


class LoginThrottle(Base):
    """Failed sign-ins counted per key (an account seen from an address class, or an address). Changed only
    by single atomic statements (``web.ratelimit``), so parallel attempts cannot pass the limit."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
