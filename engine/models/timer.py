"""The timer index: due times of waiting timer events. Sweepers read only due rows and claim them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime


class TimerDue(Base):
    __tablename__ = "timer_due"
    __table_args__ = (Index("ix_timer_due_due_at", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    task_spec: Mapped[str] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(255))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Sweeps that started firing this row without finishing (the sweeper stopped or the step broke).
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
