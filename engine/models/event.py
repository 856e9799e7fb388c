"""The typed event log of every instance: who did what, when (simulated-clock time and wall time)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime, utcnow

KINDS = (
    "started",
    "task_completed",
    "task_claimed",
    "task_unclaimed",
    "timer_fired",
    "message_received",
    "suspended",
    "resumed",
    "terminated",
    "error",
    "retried",
    "completed",
    "migrated",
    "document_generated",
    "task_reassigned",
)


class InstanceEvent(Base):
    __tablename__ = "instance_event"
    __table_args__ = (Index("ix_instance_event_instance", "instance_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str | None] = mapped_column(String(64))
    task_id: Mapped[str | None] = mapped_column(String(36))
    task_spec: Mapped[str | None] = mapped_column(String(255))
    task_name: Mapped[str | None] = mapped_column(String(255))
    data_json: Mapped[str | None] = mapped_column(Text)
    message: Mapped[str | None] = mapped_column(Text)
