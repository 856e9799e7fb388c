"""Expert panels: the panel rules of the policies, the 回避 (avoidance) rules of a draw and the reproducible
random draw itself. Pure functions on plain data; ``engine.expert_pool`` feeds them from the database.

Policy numbers (panel size, odd, chair from the issuer, the recent-service period) come from DMN tables and
are passed in; nothing here holds one.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from engine.domain.problems import citation

#: Reasons an expert is left out of a draw (回避), and how they are shown.
SAME_ORGANISATION = "same_organisation"
AFFILIATED = "affiliated"
RECENT_SERVICE = "recent_service"
UNAVAILABLE = "unavailable"


def check_panel(
    experts: Sequence[Mapping[str, Any]],
    panel_min: int,
    panel_odd: bool,
    chair_from_issuer: bool,
    panel_source: str,
) -> str:
    """The first problem of a panel in Chinese with its citation, or '' when the panel meets the policy.

    ``experts`` are rows ``{"name": user name, "chair": bool, "recommended_by": "bureau"|"issuer"|…}``."""
    names = [str(e.get("name") or "") for e in experts]
    chairs = [e for e in experts if e.get("chair")]
    # 001 八(二)/八(四)/八(八): Dazu ≥5; other jurisdictions a policy parameter (panel_min)
    if len(names) < panel_min:
        return f"专家组不少于 {panel_min} 人，当前 {len(names)} 人（{citation(panel_source)}）。"
    # 001 八(二)/八(四)/八(八): the Dazu panel size is odd
    if panel_odd and len(names) % 2 == 0:
        return f"专家组人数须为奇数，当前 {len(names)} 人（{citation(panel_source)}）。"
    # 003 §12(5): the Karamay chair (组长) is recommended by the issuer
    if chair_from_issuer and (len(chairs) != 1 or chairs[0].get("recommended_by") != "issuer"):
        return f"专家组须有一名由发榜方推荐的组长（{citation(panel_source)}）。"
    if len(chairs) > 1:
        return "专家组只能有一名组长。"
    if any(not n for n in names):
        return "专家组成员缺少账号，请从专家库中抽取或选择。"
    if len(set(names)) != len(names):
        return "同一位专家在专家组中出现了两次。"
    return ""


@dataclass(frozen=True)
class Candidate:
    """An expert of the pool as the draw sees them."""

    code: str  # person code
    organisation: str  # organisation code
    fields: tuple[str, ...] = ()
    available: bool = True
    unavailable_until: date | None = None


@dataclass(frozen=True)
class Case:
    """The parties of the case an expert must not be close to."""

    issuer: str
    applicants: tuple[str, ...]
    #: pairs (a, b) of affiliated organisation or person codes (either direction counts)
    affiliations: frozenset[tuple[str, str]] = frozenset()
    #: person codes of experts who served on a panel of the same need within the recent period
    recent: frozenset[str] = frozenset()
    today: date = field(default_factory=date.today)


def exclusion_reasons(expert: Candidate, case: Case) -> list[str]:
    """Why ``expert`` may not sit on this panel (empty: eligible)."""
    reasons: list[str] = []
    parties = {case.issuer, *case.applicants} - {""}
    if not expert.available and (expert.unavailable_until is None or expert.unavailable_until >= case.today):
        reasons.append(UNAVAILABLE)
    # 回避: an expert of the issuer's or an applicant's own organisation (000 §12(4) fair review)
    if expert.organisation in parties:
        reasons.append(SAME_ORGANISATION)
    # 回避: affiliation with a party (002 二(三)5, 003 §10, 001 五(二): the affiliations the rules know)
    linked = {b for a, b in case.affiliations if a in (expert.organisation, expert.code)}
    linked |= {a for a, b in case.affiliations if b in (expert.organisation, expert.code)}
    if linked & parties:
        reasons.append(AFFILIATED)
    if expert.code in case.recent:
        reasons.append(RECENT_SERVICE)
    return reasons


def split_pool(
    pool: Iterable[Candidate], case: Case, field_filter: str = ""
) -> tuple[list[str], list[dict[str, Any]]]:
    """(eligible person codes sorted, exclusions ``[{"expert", "reasons"}]``) of the experts matching the
    field filter. The sorted order makes a draw depend only on the set, the seed and the size."""
    eligible: list[str] = []
    excluded: list[dict[str, Any]] = []
    for expert in sorted(pool, key=lambda e: e.code):
        if field_filter and field_filter not in expert.fields:
            continue
        reasons = exclusion_reasons(expert, case)
        if reasons:
            excluded.append({"expert": expert.code, "reasons": reasons})
        else:
            eligible.append(expert.code)
    return eligible, excluded


def draw(eligible: Sequence[str], size: int, seed: int) -> list[str]:
    """``size`` experts drawn from ``eligible`` with ``random.Random(seed)``: the same inputs give the same
    panel. ValueError when there are too few."""
    if size < 1 or size > len(eligible):
        raise ValueError(f"cannot draw {size} of {len(eligible)}")
    return random.Random(seed).sample(list(eligible), size)


def draw_one(remaining: Sequence[str], seed: int) -> str:
    """One replacement drawn from ``remaining`` (reproducible as ``draw``)."""
    if not remaining:
        raise ValueError("nobody left to draw")
    return random.Random(seed).choice(list(remaining))
