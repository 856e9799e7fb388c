"""Times in the reader's terms: the time left until a due date, for the work queue (red when overdue), and
the days a publicity window covers, its last day included."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _

from engine.clock import SHANGHAI
from engine.deadline_text import deadline_text, instant_text, last_moment, local_day
from web.i18n import current_lang


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


def _day(day: date) -> str:
    """A calendar day in the reader's terms: ``2026年10月10日`` / ``2026-10-10``."""
    return local_day(day, current_lang())


def window_end(end: datetime) -> str:
    """When a window ends or a task is due, Asia/Shanghai: ``2026年10月10日 24:00`` / ``2026-10-10 24:00``
    (a deadline given as a day ends at 24:00 of it, ``engine.deadline_text``)."""
    return deadline_text(end, current_lang())


def local_instant(at: datetime) -> str:
    """An instant with its zone, Asia/Shanghai: ``2026年4月25日 10:00（北京时间）`` / ``2026-04-25 10:00 (Beijing
    time)`` (``engine.deadline_text.instant_text``, also read-only form fields)."""
    return instant_text(at, current_lang())


def window_days(start: datetime | None, end: datetime) -> str:
    """A window as the days it covers, last day included: ``2026年10月4日至2026年10月10日（含）`` /
    ``2026-10-04 to 2026-10-10 (inclusive)``; only its last day when the start is not known."""
    last, _at = last_moment(end)
    if start is None:
        return _("截至%(end)s（含）", end=_day(last))
    return _("%(start)s至%(end)s（含）", start=_day(start.astimezone(SHANGHAI).date()), end=_day(last))
