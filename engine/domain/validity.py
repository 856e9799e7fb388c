"""The validity period of the measures a challenge runs under.

000 §18: Urumqi's measures are valid until 2028-12-31; 003 §23: Karamay's take effect 30 days after
2025-02-26 and run for five years. Outside that period no new call is opened and no new need is accepted under
them: a new edition of the measures (a new policy table) is needed first. The bounds are the policy table's
``measures_valid_from`` / ``measures_valid_until`` (ISO instants, None = unbounded); nothing here holds one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.domain.date_checks import as_instant, local_minute
from engine.domain.problems import Problem


def validity_problems(
    now: datetime, valid_from: Any, valid_until: Any, source: str, field: str = "need_title"
) -> list[Problem]:
    """Why nothing new may start under the measures at ``now``; empty inside their validity."""
    start, end = as_instant(valid_from), as_instant(valid_until)
    if start is not None and now < start:
        return [
            Problem(
                field,
                f"本办法自 {local_minute(start)} 起施行，施行前不能征集或受理需求。",
                f"These measures take effect on {local_minute(start)} Beijing time; no call or need before that.",
                source,
            )
        ]
    if end is not None and now > end:
        return [
            Problem(
                field,
                f"本办法有效期至 {local_minute(end)} 止，已失效，不能再征集或受理需求；请待新的政策版本发布后再提交。",
                f"These measures expired on {local_minute(end)} Beijing time: no new call or need under them; "
                "wait for the new edition of the measures.",
                source,
            )
        ]
    return []
