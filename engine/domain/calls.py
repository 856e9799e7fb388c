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
