"""The acceptance conclusion (acceptance_review): a failure names its cause, which decides the recovery."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from engine.domain.date_checks import as_date
from engine.domain.problems import Hint, Problem


def acceptance_problems(d: Mapping[str, Any]) -> list[Problem]:
    """003 §20, 004 三(六): a failed acceptance is objective or not; an objective failure states the amount to
    recover (0 allowed)."""
    if d.get("acceptance_outcome") != "fail":
        return []
    source = "003 §20, 004 三(六)"
    if not d.get("acceptance_fail_cause"):
        return [
            Problem(
                "acceptance_fail_cause",
                "验收不通过须认定原因（客观/非客观）。",
                "A failed acceptance needs its cause (objective or not).",
                source,
            )
        ]
    if d.get("acceptance_fail_cause") == "objective" and d.get("acceptance_recover_fen") is None:
        return [
            Problem(
                "acceptance_recover_fen",
                "客观原因不通过须填写追回金额（可为 0）。",
                "An objective failure needs the amount to recover (0 allowed).",
                source,
            )
        ]
    return []


def acceptance_hints(d: Mapping[str, Any]) -> list[Hint]:
    source = "003 §20, 004 三(六)"
    return [
        Hint(
            "acceptance_fail_cause",
            "结论为“不通过”时必填。",
            "Required when the conclusion is a failure.",
            source,
        ),
        Hint(
            "acceptance_recover_fen",
            "客观原因不通过时必填（可为 0）。",
            "Required for an objective failure (0 allowed).",
            source,
        ),
    ]


def acceptance_timing(period_end: Any, today: date, acc_request_days: int, source: str) -> list[Any]:
    """``[acceptance_late, acceptance_note]``: an acceptance is requested within ``acc_request_days`` after the
    period ends (003 §12(9)); a late request is still reviewed, with the lateness noted for the panel."""
    end = as_date(period_end)
    if end is None:
        raise ValueError(f"not a date: {period_end!r}")
    late = (today - end).days > int(acc_request_days)
    if not late:
        return [False, ""]
    note = (
        f"验收申请晚于实施期满后 {acc_request_days} 日 / requested later than {acc_request_days} days after the "
        f"end ({source})"
    )
    return [True, note]


def panel_size_problems(
    field: str, panel: Any, panel_min: int, panel_odd: bool, source: str | None
) -> list[Problem]:
    """A panel (names typed, or the user names a picker of the expert pool submits, comma-separated) has at
    least ``panel_min`` members and, where ``panel_odd``, an odd number (001 八(八): the Dazu acceptance panel
    ≥ 5 and odd)."""
    names = [n.strip() for n in str(panel or "").replace("，", ",").split(",") if n.strip()]
    if len(names) < int(panel_min or 0):
        return [
            Problem(
                field,
                f"验收专家组不少于 {panel_min} 人，当前 {len(names)} 人。",
                f"The acceptance panel has at least {panel_min} members, now {len(names)}.",
                source,
            )
        ]
    if panel_odd and len(names) % 2 == 0:
        return [
            Problem(
                field,
                f"验收专家组人数须为奇数，当前 {len(names)} 人。",
                f"The acceptance panel has an odd number of members, now {len(names)}.",
                source,
            )
        ]
    return []


def acceptance_panel_problems(d: Mapping[str, Any]) -> list[Problem]:
    return panel_size_problems(
        "acceptance_panel",
        d.get("acceptance_panel"),
        int(d.get("acc_panel_min") or 0),
        bool(d.get("acc_panel_odd")),
        d.get("acc_panel_source"),
    )


def acceptance_panel_hints(d: Mapping[str, Any]) -> list[Hint]:
    minimum, odd = int(d.get("acc_panel_min") or 0), bool(d.get("acc_panel_odd"))
    if not minimum and not odd:
        return []
    zh = f"验收专家组不少于 {minimum} 人" + ("，人数为奇数" if odd else "") + "。"
    en = f"At least {minimum} experts" + (", an odd number" if odd else "") + "."
    return [Hint("acceptance_panel", zh, en, d.get("acc_panel_source"))]
