"""Extension requests (延期): when one is admissible.

003 §19: requested at least ``ext_notice_days`` before the period ends, once (``ext_max_count``), for at most
one year; 001 八(八): at most one year. "At most one year" is a calendar year from the original end date
(``ext_max_months`` = 12 calendar months: 2027-02-28 → 2028-02-28, 366 days across a leap day), not 365 days.
The same problems serve the solver's request page (``engine.project_requests``) and the diagram's guard
(``bpmn/shared/extension.bpmn``, ``check``). Pure functions on plain data.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from engine.domain.date_checks import add_months, as_date
from engine.domain.problems import Problem


def latest_end(period_end: date, max_months: int) -> date:
    """The latest new end of the period: ``max_months`` calendar months after the original end."""
    return add_months(period_end, int(max_months))


def extension_problems(
    *,
    period_end: Any,
    today: date,
    count: int,
    days: Any,
    max_count: int,
    notice_days: int,
    max_months: int,
    source: str,
) -> list[Problem]:
    """The first reason an extension of ``days`` days is refused (field ``days``); empty when admissible."""
    end = as_date(period_end)
    if end is None:
        raise ValueError(f"not a date: {period_end!r}")
    left = (end - today).days
    if int(count or 0) >= int(max_count):
        return [
            Problem(
                "days",
                f"延期只能申请 {max_count} 次，本项目已经延期过。",
                f"Only {max_count} extension(s) are allowed and this project had its own.",
                source,
            )
        ]
    if left < int(notice_days):
        return [
            Problem(
                "days",
                f"须在实施期届满 {notice_days} 日前提出（{(end - timedelta(days=int(notice_days))).isoformat()} "
                f"前）：实施期 {end.isoformat()} 结束，现在只剩 {left} 日。",
                f"An extension must be requested at least {notice_days} days before the period ends on "
                f"{end.isoformat()}; {left} days are left.",
                source,
            )
        ]
    limit = latest_end(end, max_months)
    most = (limit - end).days
    try:
        n = int(str(days).strip())
    except (TypeError, ValueError):
        n = 0
    if not 1 <= n <= most:
        return [
            Problem(
                "days",
                f"延期最长 {max_months} 个月，即最晚延至 {limit.isoformat()}：请填写 1 至 {most} 天。",
                f"An extension is at most {max_months} months, to {limit.isoformat()} at the latest: give 1 to "
                f"{most} days.",
                source,
            )
        ]
    return []
