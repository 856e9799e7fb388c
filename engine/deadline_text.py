"""An instant something must be done by, as a reader says it: a deadline given as a day is stored as 00:00
of the next day (Asia/Shanghai), and reads as ``24:00`` of the day itself, so nobody takes 10 October 00:00
for a deadline on the 10th. The portal, the work queue, the task and case pages and the due-date notices all
say a deadline this way (``web.timefmt.window_end``, ``engine.notify.due``)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from engine.clock import to_local


def local_day(day: date, lang: str) -> str:
    """A calendar day: ``2026年10月10日`` / ``2026-10-10``."""
    if lang == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return day.isoformat()


def last_moment(end: datetime) -> tuple[date, str]:
    """The Asia/Shanghai day a period ending at ``end`` (exclusive) last includes, and the time it ends on
    that day: an end at midnight is ``24:00`` of the day before."""
    local = to_local(end)
    if local.time() == time(0, 0):
        return local.date() - timedelta(days=1), "24:00"
    return local.date(), local.strftime("%H:%M")


def deadline_text(end: datetime, lang: str) -> str:
    """When something is due, Asia/Shanghai: ``2026年10月9日 24:00`` / ``2026-10-09 24:00``."""
    day, at = last_moment(end)
    return f"{local_day(day, lang)} {at}"


def instant_text(at: datetime, lang: str) -> str:
    """An instant that is not a deadline (a call opens, a meeting starts), with its zone as the pages say it:
    ``2026年4月25日 10:00（北京时间）`` / ``2026-04-25 10:00 (Beijing time)``."""
    local = to_local(at)
    if lang == "zh":
        return f"{local_day(local.date(), lang)} {local:%H:%M}（北京时间）"
    return f"{local_day(local.date(), lang)} {local:%H:%M} (Beijing time)"
