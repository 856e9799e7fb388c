"""Implementation checkpoints: the next milestone check or the end of the period, the reminder before it, and
the verdict of a milestone check. Pure functions on plain data; policy values (``reminder_days``, the checking
panel's size and oddness) and their citations come from the jurisdiction's policy table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from engine.clock import parse_aware
from engine.deadline_text import deadline_text
from engine.domain.application_intake import code_list
from engine.domain.date_checks import as_date, end_of_day


def next_checkpoint(
    milestones: Iterable[Mapping[str, Any]], period_end: str, self_managed: bool, reminder_days: int
) -> list[Any]:
    """``[next_milestone, checkpoint_kind, checkpoint_day, checkpoint_at, reminder_at]``.

    The earliest milestone not yet checked that falls before the period's end (000 §12(7), 003 §12(8)), else
    the end of the period; a self-managed project (000 §12(7): under three years) has no milestone checks.
    ``checkpoint_at`` is 24:00 of that day; ``reminder_at`` 24:00 of the day ``reminder_days`` + 1 before it."""
    pending = (
        []
        if self_managed
        else [m for m in milestones or [] if not m.get("done") and str(m["due_date"]) < str(period_end)]
    )
    if pending:
        nxt: dict[str, Any] | None = dict(min(pending, key=lambda m: str(m["due_date"])))
        kind, day = "milestone", str(nxt["due_date"])
    else:
        nxt, kind, day = None, "period_end", str(period_end)
    found = as_date(day)
    if found is None:
        raise ValueError(f"not a date: {day!r}")
    reminder_day = found - timedelta(days=int(reminder_days) + 1)
    return [nxt, kind, day, end_of_day(day), end_of_day(reminder_day)]


def checkpoint_reminder(
    kind: str,
    milestone: Mapping[str, Any] | None,
    at: str,
    acc_request_days: int,
    acceptance_source: str,
    case_title: str = "",
) -> list[str]:
    """``[kind, subject_zh, subject_en]`` of the reminder before a checkpoint: what is due (the milestone's
    materials, or the acceptance request after the period ends), for which case (``case_title``) and by when —
    ``at`` is the checkpoint's instant, said as the pages say a deadline (24:00 of its day, Beijing time)."""
    due_zh, due_en = deadline_text(parse_aware(at), "zh"), deadline_text(parse_aware(at), "en")
    of_zh = f"“{case_title}”的" if case_title else ""
    of_en = f" of “{case_title}”" if case_title else ""
    if kind == "milestone" and milestone is not None:
        title, indicators = milestone.get("title", ""), milestone.get("indicators", "")
        return [
            "milestone",
            f"{of_zh}里程碑“{title}”将于北京时间 {due_zh} 到期，请准备考核材料（指标：{indicators}）",
            f"Milestone “{title}”{of_en} is due by {due_en} (Beijing time): prepare the assessment materials "
            f"(indicators: {indicators})",
        ]
    return [
        "period_end",
        f"{of_zh}实施期将于北京时间 {due_zh} 结束，请在期满后 {acc_request_days} 日内提出验收申请（{acceptance_source}）",
        f"The period{of_en} ends at {due_en} (Beijing time): request acceptance within {acc_request_days} days "
        f"after it ({acceptance_source})",
    ]


def milestone_verdict(
    panel: Any,
    panel_min: int,
    panel_odd: bool,
    panel_source: str,
    passed: str,
    action: str,
    stop_cause: str | None,
    opinion: str | None,
) -> list[Any]:
    """``[milestone_problem, termination]`` of a milestone check: the checking panel meets the policy
    (001 八(七): ≥ 5 and odd), a passed project is not stopped, a stop names its cause; ``termination`` is
    ``{cause, reason}`` when the project is stopped, else None."""
    checkers = code_list(panel)
    problem = ""
    if len(checkers) < int(panel_min or 0):
        problem = f"考核专家组不少于 {panel_min} 人 / the checking panel needs at least {panel_min} members ({panel_source})"
    elif panel_odd and len(checkers) % 2 == 0:
        problem = f"考核专家组人数须为奇数 / the checking panel size must be odd ({panel_source})"
    elif passed == "yes" and action == "stop":
        problem = "考核通过的项目不能叫停 / a passed milestone cannot stop the project"
    elif action == "stop" and not stop_cause:
        problem = "叫停须认定原因（客观/主观）/ stopping needs its cause (objective or subjective)"
    termination = None
    if action == "stop" and not problem:
        reason = opinion or "里程碑考核未通过，实施不力叫停"  # a case record, like the opinion
        termination = {"cause": stop_cause, "reason": reason}
    return [problem, termination]
