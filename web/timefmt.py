"""Time left until a due date, for the work queue (red when overdue)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _


@dataclass(frozen=True)
class TimeLeft:
    text: str
    overdue: bool
    soon: bool


def _span(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return _("%(d)s 天 %(h)s 小时", d=days, h=hours)
    if hours:
        return _("%(h)s 小时 %(m)s 分", h=hours, m=minutes)
    return _("%(m)s 分钟", m=max(minutes, 1))


def time_left(due: datetime | None, now: datetime, remind_at: datetime | None = None) -> TimeLeft | None:
    """Overdue by whole days once a day late ("已逾期 N 天"); due soon from the task's reminder time (its deadline
    table's lead time, engine.task_due), else within a day."""
    if due is None:
        return None
    seconds = int((due - now).total_seconds())
    if seconds < 0:
        days = -seconds // 86400
        if days == 1:
            return TimeLeft(_("已逾期 1 天"), True, False)
        if days > 1:
            return TimeLeft(_("已逾期 %(d)s 天", d=days), True, False)
        return TimeLeft(_("已逾期 %(span)s", span=_span(-seconds)), True, False)
    soon = now >= remind_at if remind_at is not None else seconds < 86400
    return TimeLeft(_("剩余 %(span)s", span=_span(seconds)), False, soon)
