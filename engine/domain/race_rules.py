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


def _codes(value: Any) -> list[str]:
    """The teams a picker chose: a list (the web form's multiple picker) or a comma-separated text."""
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return code_list(value)


def race_outcome_problems(d: Mapping[str, Any]) -> list[Problem]:
    """The issuer's conclusion after the race stage, checked before submit beside the field it concerns
    (000 §12(7): only teams that met the stage targets continue; the outcome matches the teams kept; Karamay
    keeps exactly one, 003 §13(3)). ``d``: ``race_results`` (each team's assessment), ``continuing``,
    ``race_outcome``, ``race_keep_one``."""
    results = list(d.get("race_results") or [])
    passed = [r["solver"] for r in results if r.get("passed")]
    keep = _codes(d.get("continuing"))
    outcome = d.get("race_outcome")
    source = "000 §12(7)"
    if any(k not in passed for k in keep):
        field, zh, en = (
            "continuing",
            "只有通过阶段考核的团队可以继续支持。",
            "Only teams that met the stage targets continue.",
        )
    elif d.get("race_keep_one") and len(keep) != 1:
        field, zh, en = (
            "continuing",
            "赛马阶段考核后择优支持一家揭榜方继续攻关。",
            "Exactly one solver continues after the race stage.",
        )
        source = "003 §13(3)"
    elif outcome in ("single", "best", "merge") and len(keep) != 1 and passed:
        field, zh, en = (
            "continuing",
            "该结论只保留一个团队（联合组队时选择牵头单位）。",
            "This outcome keeps one team (for a merged team choose its lead unit).",
        )
    elif outcome == "single" and len(passed) != 1:
        field, zh, en = (
            "race_outcome",
            f"“仅一家达标”只适用于恰好一家达到考核要求；本次有 {len(passed)} 家达到。",
            f"'Only one passed' applies only when exactly one team met the targets; {len(passed)} did.",
        )
    elif outcome == "several" and len(keep) < 2:
        field, zh, en = (
            "continuing",
            "继续资助多家须至少选择两家。",
            "'Several continue' needs at least two teams.",
        )
    else:
        return []
    return [Problem(field, zh, en, source)]


def race_outcome_hints(d: Mapping[str, Any]) -> list[Hint]:
    """Before typing: how many teams met the stage targets (000 §12(7))."""
    results = list(d.get("race_results") or [])
    passed = sum(1 for r in results if r.get("passed"))
    hints = [
        Hint(
            "race_outcome",
            f"阶段考核：{len(results)} 个团队中 {passed} 个达到考核要求；未达到的团队进入退出程序。",
            f"Stage assessment: {passed} of {len(results)} teams met the targets; the others exit.",
            "000 §12(7)",
        )
    ]
    if d.get("race_merge_keeps_support") and not d.get("race_keep_one"):
        hints.append(
            Hint(
                "continuing",
                "联合组队时只选牵头单位；其他达到考核要求的团队作为合作方一同继续，各自未拨付的支持资金保留。",
                "For a merged team choose only its lead unit; the other teams that met the targets continue with "
                "it as partners and keep their unpaid support.",
                "000 §12(6)(7)",
            )
        )
    return hints


def passed_teams(race_results: Iterable[Mapping[str, Any]]) -> list[str]:
    """The teams that met the stage targets, best score first (000 §12(7): the stage assessment decides who may
    continue) — what the issuer reads, by name, before concluding the race."""
    passed = [r for r in race_results or [] if r.get("passed")]
    # equal scores by unit code: the results arrive in whatever order the assessments were completed
    ranked = sorted(passed, key=lambda r: (-float(r.get("score") or 0), str(r["solver"])))
    return [str(r["solver"]) for r in ranked]


def race_conclusion(
    race_results: Iterable[Mapping[str, Any]],
    continuing: Any,
    race_outcome: str,
    race_keep_one: bool,
    race_merge_keeps_support: bool = False,
) -> list[Any]:
    """``[race_problem, keep, exits]`` after the race stage (the diagram's guard; the form refuses the same
    conclusions before submit through ``race_outcome_problems``): only teams that met the stage targets
    continue (000 §12(7)); Karamay keeps exactly one (003 §13(3)); the outcome chosen matches the teams kept.

    A merge (000 §12(7): 达到考核要求的几家单位…互补…联合组成团队) names its lead unit in ``continuing``; the other
    teams that met the targets are its partners. Where the policy table keeps their support
    (``race_merge_keeps_support``: 000 §12(6) 评估后决定继续支持的，依程序给予后续支持资金 — only a team that failed
    the stage assessment goes through the exit), the partners continue with the lead — ``keep`` is the lead,
    then the partners by score — and only the failing teams exit; otherwise the partners leave with them."""
    results = list(race_results or [])
    found = race_outcome_problems(
        {
            "race_results": results,
            "continuing": continuing,
            "race_outcome": race_outcome,
            "race_keep_one": race_keep_one,
        }
    )
    keep = _codes(continuing)
    problem = (
        found[0].bilingual() if found else ""
    )  # ``中文 / English (source)``, read back by from_bilingual
    if not problem and race_outcome == "merge" and race_merge_keeps_support:
        keep += [team for team in passed_teams(results) if team not in keep]
    exits = [r["solver"] for r in results if r["solver"] not in keep]
    return [problem, keep, exits]
