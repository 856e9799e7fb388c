"""Server-side sign-in sessions: start, resolve (with idle and absolute timeouts), end.

The browser holds a random token (256 bits) inside the signed cookie; the database holds its SHA-256, the user,
when it started and was last seen, and when and why it ended. Signing out, a password change or disabling the
account end sessions here, so a copy of the cookie is worthless afterwards. Times are wall-clock UTC (the
simulated engine clock does not age sessions). Nothing here commits except ``resolve``, which may end an
expired session or stamp ``last_seen_at`` (at most once a minute) in its own short transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, delete, exists, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, joinedload

from engine import audit
from engine.db import begin_write, utcnow
from engine.models.auth import UserSession
from engine.models.user import User

#: ``last_seen_at`` is written at most this often per session, so page views stay reads.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)
#: An address a user signed in from within this period is one of their usual addresses.
USUAL_CLIENT_PERIOD = timedelta(days=90)

IDLE = "idle"
ABSOLUTE = "absolute"


@dataclass(frozen=True)
class Timeouts:
    idle: timedelta
    absolute: timedelta


@dataclass(frozen=True)
class Resolved:
    """The session's user (None when there is no live session) and, when the session has just expired
    on this request, why (``idle`` or ``absolute``)."""

    user: User | None
    expired: str | None = None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(session: Session, user: User, client_hash: str) -> str:
    """A new session for ``user``; returns the token for the cookie. Also forgets this user's sessions that
    have not been seen for longer than the usual-address period. The caller commits."""
    begin_write(session)
    now = utcnow()
    session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id, UserSession.last_seen_at < now - USUAL_CLIENT_PERIOD
        )
    )
    token = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            token_hash=hash_token(token),
            user_id=user.id,
            client_hash=client_hash,
            created_at=now,
            last_seen_at=now,
        )
    )
    return token


#: the session of a token with its user and the user's roles, in one statement (a request reads its actor once)
_RESOLVE = (
    select(UserSession, User)
    .join(User, User.id == UserSession.user_id)
    .where(UserSession.token_hash == bindparam("token_hash"))
    .options(joinedload(User.roles))
)


def resolve(session: Session, token: str, timeouts: Timeouts) -> Resolved:
    """The live session of ``token``. An idle or too old session is ended (and audited) here. Commits."""
    found = session.execute(_RESOLVE, {"token_hash": hash_token(token)}).unique().first()
    if found is None:
        return Resolved(None)
    row, user = found
    if row.ended_at is not None or not user.active:
        return Resolved(None)
    now = utcnow()
    reason = None
    if now - row.created_at >= timeouts.absolute:
        reason = ABSOLUTE
    elif now - row.last_seen_at >= timeouts.idle:
        reason = IDLE
    if reason is not None:
        begin_write(session)
        ended = session.execute(
            update(UserSession)
            .where(UserSession.id == row.id, UserSession.ended_at.is_(None))
            .values(ended_at=now, end_reason=reason)
        ).rowcount
        if ended:  # one request ends it and writes the event, however many arrive at once
            audit.record(
                session,
                "session_expired",
                actor=user.username,
                subject=user.username,
                detail={"reason": reason},
            )
        session.commit()
        return Resolved(None, reason)
    if now - row.last_seen_at >= LAST_SEEN_RESOLUTION:
        try:
            begin_write(session)
            session.execute(
                update(UserSession)
                .where(UserSession.id == row.id, UserSession.ended_at.is_(None))
                .values(last_seen_at=now)
            )
            session.commit()
        except OperationalError:  # a busy database must not refuse the page; the stamp waits
            session.rollback()
    return Resolved(user)


def end(session: Session, token: str, reason: str) -> User | None:
    """End the session of ``token`` (sign-out); returns its user when it was live. The caller commits."""
    begin_write(session)
    row = session.scalars(select(UserSession).where(UserSession.token_hash == hash_token(token))).first()
    if row is None or row.ended_at is not None:
        return None
    row.ended_at = utcnow()
    row.end_reason = reason
    return session.get(User, row.user_id)


def end_all(session: Session, user_id: int, reason: str) -> int:
    """End every live session of a user (password changed, account disabled). The caller commits."""
    begin_write(session)
    return session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    ).rowcount


def is_usual_client(session: Session, username: str, client_hash: str) -> bool:
    """Whether ``username`` signed in from this address (keyed hash) within the usual-address period."""
    return bool(
        session.scalar(
            select(
                exists().where(
                    UserSession.user_id == User.id,
                    User.username == username,
                    UserSession.client_hash == client_hash,
                    UserSession.created_at >= utcnow() - USUAL_CLIENT_PERIOD,
                )
            )
        )
    )
