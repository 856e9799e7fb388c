"""Date rules of the forms: a window that closes after it opens and not in the past, deadlines in the future,
milestones after the task book is signed and within the project period.

``today`` is the engine clock's date in Asia/Shanghai (the simulated clock when it is on), passed in by the
caller. Dates arrive as ``YYYY-MM-DD`` strings (forms' ``date`` type) or ``date`` objects.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from engine.clock import SHANGHAI as _SHANGHAI
from engine.domain.problems import Hint, Problem


def as_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def as_instant(value: Any) -> datetime | None:
    """An ISO instant (``Z``, an offset, or none = Asia/Shanghai) or a ``datetime``; None when empty or not one."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        found = value
    else:
        try:
            found = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
    return found if found.tzinfo is not None else found.replace(tzinfo=_SHANGHAI)


def local_minute(instant: datetime) -> str:
    """An instant as users read it: Beijing time to the minute, ``2026-04-25 10:00``."""
    return instant.astimezone(_SHANGHAI).strftime("%Y-%m-%d %H:%M")


def end_of_day(day: Any) -> str:
    """24:00 (Asia/Shanghai) at the end of the date of ``day``, ISO with offset: the instant a date-bounded
    period ends."""
    found = as_date(day)
    if found is None:
        raise ValueError(f"not a date: {day!r}")
    return datetime.combine(found + timedelta(days=1), time(0), _SHANGHAI).isoformat()


def add_years(start: date, years: int) -> date:
    """``start`` plus ``years`` calendar years (29 February → 28 February): "at most one year" is a calendar
    year, not 365 days (003 §19, 001 八(八))."""
    return add_months(start, 12 * years)


def add_months(start: date, months: int) -> date:
    """``start`` plus ``months`` calendar months, the day clipped to the month's end (as the diagram's
    ``add_months`` computes ``period_end``)."""
    total = start.month - 1 + months
    year, month = start.year + total // 12, total % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


#: Each place's article for the need's time nodes, the list's publication and the application window: a
#: Karamay clerk reads Karamay's measures (003), not Urumqi's (000), beside the same dates. Urumqi's article
#: (000 §12(1), §12(2), §12(3)) is the fallback; Zhangye's list has no online window (004 三(四)).
_NEED_SOURCE = {"dazu": "001 八(一)", "karamay": "003 §12(1)", "zhangye": "004 三(二)"}
_PUBLISH_SOURCE = {"dazu": "001 八(二)", "karamay": "003 §12(3)", "zhangye": "004 三(三)"}
_WINDOW_SOURCE = {"dazu": "001 八(三)", "karamay": "003 §12(4)"}
#: the task book's milestones: Urumqi's process evaluation (000 §12(7)) is the fallback; Dazu's issuer-led
#: milestone checks (001 八(七)), Karamay's milestone checks (003 §12(8)), Zhangye's agreement (004 三(五))
_MILESTONE_SOURCE = {"dazu": "001 八(七)", "karamay": "003 §12(8)", "zhangye": "004 三(五)"}


def _source(d: Mapping[str, Any], by_place: Mapping[str, str], urumqi: str) -> str:
    """The article of the case's own jurisdiction (``d["jurisdiction"]``); Urumqi's where none is known."""
    return by_place.get(str(d.get("jurisdiction") or ""), urumqi)


def _d(day: date) -> str:
    return day.isoformat()


def publish_problems(d: Mapping[str, Any], today: date) -> list[Problem]:
    """The online window (000 §12(3), 002 五(一)): it closes at 24:00 of ``applications_close_on``, which must
    not be before the list is published, nor in the past — else the window would close at once."""
    out: list[Problem] = []
    published = as_date(d.get("list_published_on"))
    closes = as_date(d.get("applications_close_on"))
    if published is not None and published < today:
        # 000 §12(2): the bureau publishes the list; the online window opens with it, so not in the past
        out.append(
            Problem(
                "list_published_on",
                f"发布日期 {_d(published)} 已过（今天是 {_d(today)}）。请填写今天或之后的发布日期。",
                f"The publication date {_d(published)} has passed (today is {_d(today)}). Give today or a later "
                "date.",
                _source(d, _PUBLISH_SOURCE, "000 §12(2)"),
            )
        )
    if closes is None:
        return out
    if published is not None and closes < published:
        out.append(
            Problem(
                "applications_close_on",
                f"截止日期 {_d(closes)} 早于发布日期 {_d(published)}。请选择发布日期当天或之后的日期。",
                f"The closing date {_d(closes)} is before the publication date {_d(published)}. Choose the "
                "publication day or later.",
                _source(d, _WINDOW_SOURCE, "000 §12(3)"),
            )
        )
    if closes < today:
        out.append(
            Problem(
                "applications_close_on",
                f"截止日期 {_d(closes)} 已过（今天是 {_d(today)}），揭榜窗口会立即关闭。请选择今天或之后的日期。",
                f"The closing date {_d(closes)} has passed (today is {_d(today)}); the window would close at "
                "once. Choose today or later.",
                _source(d, _WINDOW_SOURCE, "000 §12(3)"),
            )
        )
    return out


def publish_hints(d: Mapping[str, Any], today: date) -> list[Hint]:
    return [
        Hint(
            "list_published_on",
            f"不早于今天（{_d(today)}）。",
            f"Not before today ({_d(today)}).",
            _source(d, _PUBLISH_SOURCE, "000 §12(2)"),
        ),
        Hint(
            "applications_close_on",
            f"不早于发布日期，且不早于今天（{_d(today)}）；当天 24:00 截止。",
            f"Not before the publication date nor before today ({_d(today)}); the window closes at 24:00.",
            _source(d, _WINDOW_SOURCE, "000 §12(3)"),
        ),
    ]


def extended_window_problems(d: Mapping[str, Any], today: date) -> list[Problem]:
    """An extended window (few teams, 000 §12(3)) ends today or later. Only an extension sets a new date: the
    form shows the old closing date, which has passed, whatever the bureau chooses."""
    if d.get("few_teams_choice") != "extend":
        return []
    closes = as_date(d.get("applications_close_on"))
    if closes is None or closes >= today:
        return []
    return [
        Problem(
            "applications_close_on",
            f"延长后的截止日期 {_d(closes)} 已过（今天是 {_d(today)}）。请选择今天或之后的日期。",
            f"The extended closing date {_d(closes)} has passed (today is {_d(today)}). Choose today or later.",
            "000 §12(3)",
        )
    ]


def extended_window_hints(d: Mapping[str, Any], today: date) -> list[Hint]:
    return [
        Hint(
            "applications_close_on",
            f"不早于今天（{_d(today)}）；当天 24:00 截止。",
            f"Not before today ({_d(today)}); the window closes at 24:00.",
            "000 §12(3)",
        )
    ]


def need_problems(d: Mapping[str, Any], today: date) -> list[Problem]:
    """The need's completion deadline (000 §12(1): 时间节点) lies in the future."""
    deadline = as_date(d.get("deadline"))
    if deadline is None or deadline > today:
        return []
    return [
        Problem(
            "deadline",
            f"完成时限 {_d(deadline)} 不晚于今天（{_d(today)}）。请填写将来的日期。",
            f"The deadline {_d(deadline)} is not after today ({_d(today)}). Enter a future date.",
            _source(d, _NEED_SOURCE, "000 §12(1)"),
        )
    ]


def need_hints(d: Mapping[str, Any], today: date) -> list[Hint]:
    source = _source(d, _NEED_SOURCE, "000 §12(1)")
    return [Hint("deadline", f"晚于今天（{_d(today)}）。", f"After today ({_d(today)}).", source)]


def stage_due_problems(d: Mapping[str, Any], today: date) -> list[Problem]:
    """A race's stage review (000 §12(7)) lies after today, when the solvers are chosen."""
    due = as_date(d.get("stage_due"))
    if d.get("mode") != "race" or due is None or due > today:
        return []
    return [
        Problem(
            "stage_due",
            f"阶段考核日期 {_d(due)} 不晚于今天（{_d(today)}）。请填写将来的日期。",
            f"The stage review date {_d(due)} is not after today ({_d(today)}). Enter a future date.",
            "000 §12(7)",
        )
    ]


def milestone_problems(d: Mapping[str, Any], today: date) -> list[Problem]:
    """Milestones (000 §12(7), 003 §12(8)) fall after the signing (today: the project period starts when the
    task book is recorded) and no later than the period's end (``period_months`` from today)."""
    out: list[Problem] = []
    months = d.get("period_months")
    end = add_months(today, int(months)) if isinstance(months, int) and months > 0 else None
    for i, m in enumerate(d.get("milestones") or []):
        due = as_date(m.get("due_date")) if isinstance(m, Mapping) else None
        if due is None:
            continue
        field = f"milestones.{i}.due_date"
        if due <= today:
            out.append(
                Problem(
                    field,
                    f"里程碑日期 {_d(due)} 不晚于签订日（今天 {_d(today)}）。",
                    f"The milestone date {_d(due)} is not after the signing (today, {_d(today)}).",
                    _source(d, _MILESTONE_SOURCE, "000 §12(7)"),
                )
            )
        elif end is not None and due > end:
            out.append(
                Problem(
                    field,
                    f"里程碑日期 {_d(due)} 晚于实施周期结束日 {_d(end)}（{months} 个月）。",
                    f"The milestone date {_d(due)} is after the end of the period, {_d(end)} ({months} months).",
                    _source(d, _MILESTONE_SOURCE, "000 §12(7)"),
                )
            )
    return out


def milestone_hints(d: Mapping[str, Any], today: date) -> list[Hint]:
    return [
        Hint(
            "milestones",
            f"里程碑日期晚于签订日（今天 {_d(today)}），不晚于实施周期结束日。",
            f"Milestone dates fall after the signing (today, {_d(today)}) and within the period.",
            _source(d, _MILESTONE_SOURCE, "000 §12(7)"),
        )
    ]
