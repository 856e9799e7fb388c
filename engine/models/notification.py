"""Notifications: the in-app inbox (one row per recipient and cause), the outbox of messages to send by e-mail
or SMS (written in the transaction of the cause, delivered by the scheduler), and per-user channel preferences."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime, utcnow

PENDING = "pending"
SENDING = "sending"  # claimed by one scheduler until ``claimed_until``
SENT = "sent"
FAILED = "failed"  # gave up after the last attempt


class Notification(Base):
    __tablename__ = "notification"
    __table_args__ = (
        # one notification per recipient and cause (a retried step, a task seen twice, adds nothing)
        UniqueConstraint("recipient", "cause", name="uq_notification_once"),
        Index("ix_notification_inbox", "recipient", "read_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient: Mapped[str] = mapped_column(String(64))  # username
    kind: Mapped[str] = mapped_column(String(32))
    #: what caused it, unique per recipient: ``task:<id>``, ``objection:<receipt>``, ``ledger:<id>`` …
    cause: Mapped[str] = mapped_column(String(200))
    subject_zh: Mapped[str] = mapped_column(Text)
    subject_en: Mapped[str] = mapped_column(Text)
    body_zh: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(255))  # a path of the web UI
    instance_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboxMessage(Base):
    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notification.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # email, sms
    address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NotificationPreference(Base):
    """A user's choice for one kind and channel; no row = the default (``engine.notifications.DEFAULTS``)."""

    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("username", "kind", "channel", name="uq_notification_preference"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    enabled: Mapped[bool] = mapped_column(Boolean)
