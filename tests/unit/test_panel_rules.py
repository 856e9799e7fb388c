"""The panel rules (001 八(二)/八(四)/八(八), 003 §12(5)), the 回避 rules and the reproducible draw."""

from __future__ import annotations

from datetime import date

import pytest

from engine.domain import panel
from engine.domain.panel import Candidate, Case

DAZU = (5, True, False, "001 八(四)")
KARAMAY = (3, False, True, "003 §12(5)")


def rows(n: int, chair: int | None = None, by: str = "bureau") -> list[dict[str, object]]:
    return [
        {"name": f"e{i}", "chair": i == chair, "recommended_by": by if i == chair else "bureau"}
        for i in range(n)
    ]


def test_dazu_panel_needs_five_and_odd() -> None:
    # 001 八(四): ≥5 and odd
    assert "不少于 5 人" in panel.check_panel(rows(4), *DAZU)
    assert "001 八(四)" in panel.check_panel(rows(4), *DAZU)
    assert "奇数" in panel.check_panel(rows(6), *DAZU)
    assert panel.check_panel(rows(5), *DAZU) == ""
    assert panel.check_panel(rows(7), *DAZU) == ""


def test_karamay_chair_is_recommended_by_the_issuer() -> None:
    # 003 §12(5): the chair is recommended by the issuer
    assert "发榜方推荐" in panel.check_panel(rows(3), *KARAMAY)
    assert "发榜方推荐" in panel.check_panel(rows(3, chair=0, by="bureau"), *KARAMAY)
    assert panel.check_panel(rows(3, chair=0, by="issuer"), *KARAMAY) == ""
    assert panel.check_panel(rows(4, chair=1, by="issuer"), *KARAMAY) == ""  # no odd rule in Karamay


def test_duplicates_and_two_chairs_are_refused() -> None:
    twice = rows(5)
    twice[4]["name"] = "e0"
    assert "两次" in panel.check_panel(twice, *DAZU)
    two_chairs = rows(5)
    two_chairs[0]["chair"] = two_chairs[1]["chair"] = True
    assert "一名组长" in panel.check_panel(two_chairs, *DAZU)


TODAY = date(2026, 6, 1)
CASE = Case(
    issuer="ISS",
    applicants=("S1", "S2"),
    affiliations=frozenset({("ISS", "SUB"), ("OTHER", "S2")}),
    recent=frozenset({"P-RECENT"}),
    today=TODAY,
)


@pytest.mark.parametrize(
    ("expert", "reason"),
    [
        (Candidate("P1", "ISS"), panel.SAME_ORGANISATION),
        (Candidate("P2", "S2"), panel.SAME_ORGANISATION),
        (Candidate("P3", "SUB"), panel.AFFILIATED),  # the issuer's subsidiary (party_a → party_b)
        (Candidate("P4", "OTHER"), panel.AFFILIATED),  # linked to an applicant (either direction)
        (Candidate("P-RECENT", "UNI"), panel.RECENT_SERVICE),
        (Candidate("P5", "UNI", available=False), panel.UNAVAILABLE),
        (Candidate("P6", "UNI", available=False, unavailable_until=date(2026, 6, 1)), panel.UNAVAILABLE),
    ],
)
def test_each_avoidance_rule_excludes(expert: Candidate, reason: str) -> None:
    assert panel.exclusion_reasons(expert, CASE) == [reason]
    eligible, excluded = panel.split_pool([expert, Candidate("OK", "UNI")], CASE)
    assert eligible == ["OK"]
    assert excluded == [{"expert": expert.code, "reasons": [reason]}]


def test_unavailable_until_a_past_date_is_available_again() -> None:
    back = Candidate("P7", "UNI", available=False, unavailable_until=date(2026, 5, 31))
    assert panel.exclusion_reasons(back, CASE) == []


def test_field_filter_keeps_only_matching_experts() -> None:
    pool = [
        Candidate("A", "U", ("新材料",)),
        Candidate("B", "U", ("电子信息",)),
        Candidate("C", "ISS", ("新材料",)),
    ]
    eligible, excluded = panel.split_pool(pool, CASE, "新材料")
    assert eligible == ["A"]
    assert [x["expert"] for x in excluded] == ["C"]


def test_draw_is_reproducible_and_depends_on_the_seed() -> None:
    eligible = [f"P{i:02d}" for i in range(12)]
    first = panel.draw(eligible, 5, 20260601)
    assert panel.draw(eligible, 5, 20260601) == first
    assert len(set(first)) == 5 and set(first) <= set(eligible)
    others = {tuple(panel.draw(eligible, 5, seed)) for seed in range(20)}
    assert len(others) > 1  # the seed matters
    assert panel.draw_one(eligible, 7) == panel.draw_one(eligible, 7)


def test_too_few_to_draw() -> None:
    with pytest.raises(ValueError):
        panel.draw(["A", "B"], 3, 1)
    with pytest.raises(ValueError):
        panel.draw_one([], 1)
