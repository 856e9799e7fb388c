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


def time_left(due: datetime | None, now: datetime) -> TimeLeft | None:
    if due is None:
        return None
    seconds = int((due - now).total_seconds())
    if seconds < 0:
        return TimeLeft(_("已逾期 %(span)s", span=_span(-seconds)), True, False)
    return TimeLeft(_("剩余 %(span)s", span=_span(seconds)), False, seconds < 86400)
