"""Reading one's own inbox: the newest notifications, the unread count, marking read."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engine.models.notification import Notification

PAGE = 100


def unread_count(session: Session, username: str) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.recipient == username, Notification.read_at.is_(None))
        )
        or 0
    )


def latest(session: Session, username: str, limit: int = PAGE) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.recipient == username)
            .order_by(Notification.id.desc())
            .limit(limit)
        )
    )


def mark_read(session: Session, username: str, now: datetime, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, every) unread notification of ``username`` read; returns how many.
    Another user's notification is never touched."""
    query = update(Notification).where(Notification.recipient == username, Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    return session.execute(query.values(read_at=now).execution_options(synchronize_session=False)).rowcount
