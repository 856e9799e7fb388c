"""The issuer's conclusion after the 赛马 stage, checked before submit (000 §12(7), 003 §13(3))."""

from __future__ import annotations

from engine.domain.checks import CHECKS
from engine.domain.race_rules import race_conclusion, race_outcome_problems

RESULTS = [
    {"solver": "S1", "passed": True, "score": 90},
    {"solver": "S2", "passed": True, "score": 85},
    {"solver": "S3", "passed": False, "score": 60},
]


def where(d: dict) -> dict[str, str]:
    return {p.field: p.zh for p in race_outcome_problems(d)}


def test_000_12_7_only_teams_that_passed_continue() -> None:
    d = {"race_results": RESULTS, "continuing": ["S3"], "race_outcome": "best"}
    assert "只有通过阶段考核的团队" in where(d)["continuing"]
    assert where(dict(d, continuing=["S1"])) == {}


def test_000_12_7_only_one_passed_applies_to_exactly_one() -> None:
    d = {"race_results": RESULTS, "continuing": ["S1"], "race_outcome": "single"}
    assert "本次有 2 家达到" in where(d)["race_outcome"]


def test_000_12_7_several_continue_needs_two() -> None:
    d = {"race_results": RESULTS, "continuing": ["S1"], "race_outcome": "several"}
    assert "至少选择两家" in where(d)["continuing"]
    assert where(dict(d, continuing=["S1", "S2"])) == {}


def test_003_13_3_karamay_keeps_one() -> None:
    d = {
        "race_results": RESULTS,
        "continuing": ["S1", "S2"],
        "race_outcome": "several",
        "race_keep_one": True,
    }
    (problem,) = race_outcome_problems(d)
    assert problem.field == "continuing" and problem.source == "003 §13(3)"


def test_000_12_7_the_diagram_guard_says_the_same_with_its_source() -> None:
    problem, keep, exits = race_conclusion(RESULTS, "S1", "single", False)
    assert problem.startswith("“仅一家达标”") and problem.endswith("(000 §12(7))")
    assert keep == ["S1"] and exits == ["S2", "S3"]


def test_000_12_7_the_form_shows_how_many_passed_before_typing() -> None:
    (hint,) = CHECKS["race_outcome"].hints({"race_results": RESULTS}, None)  # type: ignore[arg-type]
    assert "3 个团队中 2 个达到考核要求" in hint.zh


def test_000_12_7_the_issuer_reads_the_teams_that_passed_best_first() -> None:
    from engine.domain.race_rules import passed_teams

    assert passed_teams([*RESULTS, {"solver": "S4", "passed": True, "score": 95}]) == ["S4", "S1", "S2"]
    assert passed_teams([]) == []


def test_000_12_7_the_issuer_reads_before_a_merge_that_partners_continue() -> None:
    """Where merged teams keep their support (race_merge_keeps_support), the form says so beside the teams
    that continue; where one team continues (003 §13(3)) it does not."""
    merging = CHECKS["race_outcome"].hints(  # type: ignore[arg-type]
        {"race_results": RESULTS, "race_merge_keeps_support": True}, None
    )
    assert [h.field for h in merging] == ["race_outcome", "continuing"]
    assert "合作方一同继续" in merging[1].zh and "keep their unpaid support" in merging[1].en
    one = CHECKS["race_outcome"].hints(  # type: ignore[arg-type]
        {"race_results": RESULTS, "race_merge_keeps_support": False, "race_keep_one": True}, None
    )
    assert [h.field for h in one] == ["race_outcome"]
