"""The working-day calendar: which years are loaded, and the exceptions to the Monday–Friday rule.

``calendar_day`` holds only exceptions: weekday public holidays (``is_workday`` false) and weekend make-up
working days (调休, ``is_workday`` true). Every other date of a known year follows Monday–Friday. A year is
*known* only if it has a ``calendar_year`` row; dates in other years are refused, never guessed.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime


class CalendarYear(Base):
    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    #: Where the year came from: ``chinesecalendar 1.11.0`` or ``import:<file name>``.
    source: Mapped[str] = mapped_column(String(255))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CalendarRevision(Base):
    """One row (id 1): a token that every load or import of a year replaces (``engine.calendar``), so that a
    process may keep the calendar it read for as long as the token stays the same."""

    __tablename__ = "calendar_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    token: Mapped[str] = mapped_column(String(32))


class CalendarDay(Base):
    __tablename__ = "calendar_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    #: e.g. ``国庆节 / National Day``; for a make-up day, the holiday it makes up for.
    name: Mapped[str | None] = mapped_column(String(200))
