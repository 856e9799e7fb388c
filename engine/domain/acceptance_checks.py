"""The acceptance conclusion (acceptance_review): a failure names its cause, which decides the recovery."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
