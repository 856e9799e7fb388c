"""赛马 (parallel teams racing on one need): when the bureau may choose it, and the conclusion after the race
stage. Pure functions on plain data; policy values (``race_needs_request``, ``race_keep_one``) and their
citations come from the jurisdiction's policy table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from engine.domain.application_intake import code_list
from engine.domain.problems import Hint, Problem


def race_mode_problems(d: Mapping[str, Any]) -> list[Problem]:
    """赛马 only where the need asked for it (000 §12(1), 002 五(二)7: the issuer proposes the race with the
    need; 001 八(四): with the consent of the need and the issuer). Where ``race_needs_request`` is off
    (Karamay 003 §12(5): the panel may propose it for close scores) the bureau may choose it."""
    if d.get("mode") != "race" or not d.get("race_needs_request") or d.get("race_wanted"):
        return []
    return [
        Problem(
            "mode",
            "该需求未提出采用赛马制，不能按赛马方式立项；请选择“单一揭榜方”，或由发榜方在需求中提出赛马后再选择。",
            "The need did not ask for a race (赛马): choose a single solver, or the issuer must ask for a race "
            "in its need first.",
            d.get("race_request_source"),
        )
    ]


def race_mode_hints(d: Mapping[str, Any]) -> list[Hint]:
    if not d.get("race_needs_request"):
        return []
    if d.get("race_wanted"):
        zh, en = (
            "发榜方在需求中提出了赛马，可选择赛马。",
            "The issuer asked for a race in its need: a race may be chosen.",
        )
    else:
        zh, en = (
            "发榜方未在需求中提出赛马，只能选择单一揭榜方。",
            "The issuer did not ask for a race: choose a single solver.",
        )
    return [Hint("mode", zh, en, d.get("race_request_source"))]


def race_conclusion(
    race_results: Iterable[Mapping[str, Any]], continuing: Any, race_outcome: str, race_keep_one: bool
) -> list[Any]:
    """``[race_problem, keep, exits]`` after the race stage: only teams that met the stage targets continue
    (000 §12(7)); Karamay keeps exactly one (003 §13(3)); the outcome chosen matches the teams kept."""
    results = list(race_results or [])
    passed = [r["solver"] for r in results if r.get("passed")]
    keep = code_list(continuing)
    problem = ""
    if any(k not in passed for k in keep):
        problem = (
            "只有通过阶段考核的团队可以继续 / only teams that met the stage targets continue (000 §12(7))"
        )
    elif race_keep_one and len(keep) != 1:
        problem = "赛马阶段后择优支持1家揭榜方继续 / exactly one solver continues after the race (003 §13(3))"
    elif race_outcome in ("single", "best", "merge") and len(keep) != 1 and passed:
        problem = (
            "该结论只保留一个团队（合并后为一个联合团队，以牵头方代码表示）/ this outcome keeps one team (a merged "
            "team is named by its lead)"
        )
    elif race_outcome == "single" and len(passed) != 1:
        problem = "只有一家达到考核要求时才适用 / applies only when exactly one team passed"
    elif race_outcome == "several" and len(keep) < 2:
        problem = "继续资助多家须至少两家 / several means at least two teams"
    exits = [r["solver"] for r in results if r["solver"] not in keep]
    return [problem, keep, exits]
