"""engine.domain.contest: Dazu's contest-won projects (001 十二(一))."""

from __future__ import annotations

from engine.domain import contest


def test_001_12_1_route_defaults_to_the_call() -> None:
    assert contest.entry_route_of({}) == "call"
    assert contest.entry_route_of({"entry_route": "call"}) == "call"
    assert contest.entry_route_of({"entry_route": "contest"}) == "contest"


def test_001_12_1_contest_start_needs_contest_winner_and_the_bureau() -> None:
    ok = {
        "entry_route": "contest",
        "contest_name": "中国创新挑战赛",
        "contest_solver": "S",
        "issuer_code": "I",
    }
    assert contest.start_problems(ok, may_start_contest=True) == {}
    assert set(contest.start_problems({"entry_route": "contest"}, True)) == {
        "contest_name",
        "contest_solver",
        "issuer_code",
    }
    refused = contest.start_problems(ok, may_start_contest=False)
    assert set(refused) == {"entry_route"} and "001 十二(一)" in refused["entry_route"][0]


def test_001_8_1_a_need_of_the_call_names_the_call() -> None:
    assert set(contest.start_problems({"entry_route": "call"}, True)) == {"call"}
    assert contest.start_problems({"entry_route": "call", "call": "7"}, False) == {}


def test_001_12_1_contest_selection_stands_in_for_the_review() -> None:
    candidates, apps, selected, mode = contest.contest_selection("S1", "P1, P2")
    assert candidates == ["S1"] and selected == "S1" and mode == "single"
    assert apps[0]["solver"] == "S1" and apps[0]["members_list"] == ["P1", "P2"]
