"""The simulated clock's single row, shared by every process that uses the same database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Integer
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime


class ClockSetting(Base):
    __tablename__ = "clock_setting"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    simulated_now: Mapped[datetime] = mapped_column(UTCDateTime)
