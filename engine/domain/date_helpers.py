"""Date arithmetic that diagrams may call (scripts, conditions, timer expressions): calendar days and months
between and after dates, the end of a day, the clock's date. Dates are read and shown in Asia/Shanghai; plain
ISO strings in and out (working days are ``window_end`` of engine.helpers, by the holiday schedule)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from engine.clock import SHANGHAI, current_now


def today_local() -> date:
    """The engine clock's current date in Asia/Shanghai."""
    return current_now().astimezone(SHANGHAI).date()


def as_date(value: Any) -> date | None:
    """A date of a date, an ISO string (its first ten characters) or nothing (``None`` or ``''``)."""
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def local_date(value: Any) -> date:
    """The Asia/Shanghai date of an ISO date or instant (a naive instant is Asia/Shanghai)."""
    text = str(value)
    if len(text) <= 10:
        return date.fromisoformat(text)
    return instant(text).astimezone(SHANGHAI).date()


def instant(value: Any) -> datetime:
    """An ISO instant, tz-aware (a naive one is Asia/Shanghai)."""
    dt = datetime.fromisoformat(str(value))
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=SHANGHAI)


def date_helpers() -> dict[str, Callable[..., Any]]:
    """The date functions by the names diagrams call them."""

    def days_between(a: str, b: str) -> int:
        """Calendar days from date ``a`` to date ``b`` (Asia/Shanghai dates of ISO strings)."""
        return (local_date(b) - local_date(a)).days

    def add_days(start: str, n: int) -> str:
        """The ISO date ``n`` calendar days after the date of ``start``."""
        return (local_date(start) + timedelta(days=int(n))).isoformat()

    def end_of_day(day: str) -> str:
        """24:00 (Asia/Shanghai) at the end of ``day``, ISO with offset: the instant a date-bounded period ends."""
        return datetime.combine(local_date(day) + timedelta(days=1), time(0), SHANGHAI).isoformat()

    def add_months(start: str, n: int) -> str:
        """The ISO date ``n`` calendar months after the date of ``start`` (clamped to the month's last day)."""
        d = local_date(start)
        month = d.month - 1 + int(n)
        year, month = d.year + month // 12, month % 12 + 1
        for day in (d.day, 30, 29, 28):
            try:
                return date(year, month, day).isoformat()
            except ValueError:
                continue
        raise ValueError("unreachable")

    def today() -> str:
        """The clock's current date in Asia/Shanghai, ISO."""
        return today_local().isoformat()

    def is_after(a: str, b: str) -> bool:
        """Whether instant ``a`` is later than instant ``b`` (ISO strings with or without offsets; naive =
        Asia/Shanghai)."""
        return instant(a) > instant(b)

    return {
        "is_after": is_after,
        "add_months": add_months,
        "today": today,
        "days_between": days_between,
        "add_days": add_days,
        "end_of_day": end_of_day,
    }
