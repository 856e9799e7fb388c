"""The annual call for needs (征集通知): its application window.

001 八(一) (Dazu) and 003 §12(1) (Karamay) leave the window to the annual notice; 002 五(一) (Urumqi) fixes it in
the call guide (policy table ``call_opens``/``call_closes``). Whoever opens a call gives a window that is in
order and not in the past on the engine clock; needs submitted after the close are refused by the challenge
diagrams (``check_need``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

#: The form's datetime input is to the minute: an opening typed as the current minute is "now", not the past.
INPUT_PRECISION = timedelta(minutes=1)


def call_window_problems(
    opens: datetime | None, closes: datetime | None, now: datetime
) -> dict[str, tuple[str, str]]:
    """Field → (Chinese, English) message for a window that cannot be opened; empty when it can."""
    problems: dict[str, tuple[str, str]] = {}
    if opens is None or closes is None:
        return problems  # the form's own validation names the missing field
    if opens < now - INPUT_PRECISION:
        problems["notice_call_opens"] = (
            "申报开始时间已经过去，请填写当前或以后的时间。",
            "The opening is in the past: give the current time or a later one.",
        )
    if closes <= opens:
        problems["notice_call_closes"] = (
            "申报截止时间必须晚于开始时间。",
            "The close must be after the opening.",
        )
    elif closes <= now:
        problems["notice_call_closes"] = (
            "申报截止时间已经过去，请填写以后的时间。",
            "The close is in the past: give a later time.",
        )
    return problems


def _beijing(instant: datetime) -> str:
    from engine.clock import SHANGHAI

    return instant.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def fixed_window_problems(
    opens: datetime | None,
    closes: datetime | None,
    fixed: dict[str, datetime | None],
    source: str,
    now: datetime,
) -> dict[str, tuple[str, str]] | None:
    """002 五(一)1: where the policy table fixes the window (``fixed``: ``notice_call_opens`` /
    ``notice_call_closes`` → the policy's instant), the call opens with exactly that window, and it cannot
    be opened once the fixed close has passed; an opening already past is the guide's and is accepted. None
    when the policy fixes nothing (the notice gives the window: ``call_window_problems``)."""
    if not any(fixed.values()):
        return None
    problems: dict[str, tuple[str, str]] = {}
    for field, given in (("notice_call_opens", opens), ("notice_call_closes", closes)):
        rule = fixed.get(field)
        if rule is None or given is None or abs(given - rule) < INPUT_PRECISION:
            continue
        problems[field] = (
            f"申报时间由政策规定（{source}）：应为 {_beijing(rule)}（北京时间），请按规定填写。",
            f"The policy fixes this time ({source}): {_beijing(rule)} Beijing time; please enter it.",
        )
    rule_closes = fixed.get("notice_call_closes")
    if rule_closes is not None and rule_closes <= now:
        problems["notice_call_closes"] = (
            f"政策规定的申报截止时间 {_beijing(rule_closes)}（北京时间，{source}）已经过去，本年度征集不能再发起；"
            "新一年度的申报时间须先在政策参数表中更新。",
            f"The close fixed by the policy, {_beijing(rule_closes)} Beijing time ({source}), has passed: this "
            "year's call can no longer be opened; the next year's window must first be set in the policy table.",
        )
    return problems


def fixed_window_hints(fixed: dict[str, datetime | None], source: str, lang: str) -> dict[str, list[str]]:
    """What the start form shows under a field the policy fixes, before the user types (002 五(一)1)."""
    hints: dict[str, list[str]] = {}
    for field, rule in fixed.items():
        if rule is None:
            continue
        hints[field] = [
            f"政策规定：{_beijing(rule)}（北京时间，{source}）"
            if lang == "zh"
            else f"Fixed by the policy: {_beijing(rule)} Beijing time ({source})"
        ]
    return hints
