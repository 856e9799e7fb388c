"""engine.domain.need_selection: Dazu's 遴选发榜 rules (001 八(二)) on plain data."""

from __future__ import annotations

from engine.domain import need_selection as ns

SOURCE = "001 八(二): district matching support per policy"


def case(**over: object) -> dict[str, object]:
    data: dict[str, object] = {
        "municipal_published": "yes",
        "municipal_award_fen": 200_000_000,
        "matching_fen": 60_000_000,
        "matching_ratio_pct": 0,
        "matching_cap_fen": 0,
        "matching_source": SOURCE,
        "issuer_code": "DAZU-ISS",
    }
    data.update(over)
    return data


def test_001_8_2_panel_lead_is_the_chair_else_the_first() -> None:
    rows = [{"name": "a"}, {"name": "b", "chair": True}]
    assert ns.panel_lead(rows) == "b"
    assert ns.panel_lead([{"name": "a"}, {"name": "b"}]) == "a"
    assert ns.panel_lead([]) == ""


def test_001_8_2_matching_within_ratio_and_cap_set_by_the_bureau() -> None:
    """The seed fixes no number (按照有关政策): with 0/0 any amount decided is accepted; a ratio or cap the
    bureau sets in list_rules_dazu bounds the matching support, with the rule's source."""
    assert ns.matching_problems(case()) == []
    assert ns.matching_limit_fen(case()) is None
    over_ratio = ns.matching_problems(case(matching_ratio_pct=20))  # 20% of 2,000,000 = 400,000
    assert [p.field for p in over_ratio] == ["matching_fen"] and "400,000.00" in over_ratio[0].zh
    assert over_ratio[0].citation == "001 八(二)"
    assert ns.matching_problems(case(matching_ratio_pct=30)) == []
    over_cap = ns.matching_problems(case(matching_ratio_pct=50, matching_cap_fen=50_000_000))
    assert "500,000.00" in over_cap[0].zh


def test_001_8_2_matching_needs_the_municipal_award_and_publication() -> None:
    assert [p.field for p in ns.matching_problems(case(municipal_award_fen=None))] == ["municipal_award_fen"]
    assert [p.field for p in ns.matching_problems(case(municipal_published="no"))] == ["matching_fen"]
    assert ns.matching_problems(case(municipal_published="no", matching_fen=None)) == []


def test_001_8_2_matching_booked_bureau_to_issuer() -> None:
    (b,) = ns.matching_booking(case())
    assert (b.kind, b.payer, b.party, b.amount_fen, b.tranche) == (
        "disbursement",
        "bureau",
        "DAZU-ISS",
        60_000_000,
        ns.MATCHING_TRANCHE,
    )
    assert b.condition["municipal_award_fen"] == "200000000"
    assert ns.matching_plan_fen(case()) == 60_000_000
    assert ns.matching_plan_fen(case(municipal_published="no")) == 0
    assert ns.matching_booking(case(municipal_published="no")) == []
    assert ns.matching_booking(case(matching_fen=0)) == []


def test_001_8_2_list_review_refusal_needs_a_reason() -> None:
    assert ns.list_review_problems({"list_review": "approve"}) == []
    (p,) = ns.list_review_problems({"list_review": "return"})
    assert p.field == "list_review_opinion" and p.citation == "001 八(二)"
    assert ns.list_review_problems({"list_review": "return", "list_review_opinion": "重复"}) == []


def test_001_8_2_not_listed_reason_names_who_and_why() -> None:
    panel = {"need_listed_decision": "reject", "need_review_opinion": "应用面窄"}
    assert "专家组" in ns.not_listed_reason(panel) and "应用面窄" in ns.not_listed_reason(panel)
    gov = {
        "need_listed_decision": "list",
        "taken_municipal": "no",
        "list_review": "return",
        "list_review_opinion": "重复",
    }
    assert "区政府审议未通过" in ns.not_listed_reason(gov)
    assert ns.not_listed_reason(dict(gov, list_review="approve")) == ""
    assert ns.not_listed_reason(dict(panel, need_refusals=["x"])) == ""
