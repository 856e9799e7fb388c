"""Reminders a diagram sends before a deadline (milestone due dates, the end of the period): shown in the work
queue of the users who hold one of the roles in the jurisdiction and may read the challenge's instance."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime, utcnow


class Reminder(Base):
    __tablename__ = "reminder"
    __table_args__ = (
        UniqueConstraint("project", "role", "kind", "due_at", name="uq_reminder_once"),
        Index("ix_reminder_scope", "jurisdiction", "role", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: the business key of the challenge instance (= project code)
    project: Mapped[str] = mapped_column(String(64), index=True)
    jurisdiction: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))  # milestone, period_end
    subject_zh: Mapped[str] = mapped_column(Text)
    subject_en: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
