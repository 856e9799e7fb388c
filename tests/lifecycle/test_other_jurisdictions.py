"""Dazu (001), Karamay (003) and Zhangye (004): where their flows differ from Urumqi."""

from __future__ import annotations

import pytest

from engine.domain import ledger
from engine.errors import ValidationFailed

from .conftest import DOCS, application, need, panel, score_all
from .drivers import NEED_PANEL, REVIEW, contract_paid, select_and_approve, to_approve, to_review


def test_dazu_need_in_municipal_list_leaves_district_list(start) -> None:  # type: ignore[no-untyped-def]
    """001 八(二): a need taken into the Chongqing municipal list is not published at district level."""
    flow = start("dazu")
    flow.do("post_need", need())
    flow.do("form_need_panel", panel(NEED_PANEL))  # 001 八(二)
    flow.do("need_review", REVIEW)
    flow.do("municipal_check", {"taken_municipal": "yes"})
    flow.do("municipal_award", {"municipal_published": "no"})
    assert flow.info()["status"] == "completed"
    assert flow.data["district_list_status"] == "moved_to_municipal"


def test_dazu_panel_must_be_five_and_odd_and_issuer_prepays(start) -> None:  # type: ignore[no-untyped-def]
    """001 八(四): panel ≥5 and odd; 001 十(一) ≤30%, ≤1,000,000; 001 十(二): the issuer pays 40% before
    the first fiscal tranche (50% after the task book); 001 八(五) 5 working days of publicity."""
    flow = start("dazu")
    to_review(flow, [application("DAZU-S1", "DAZU-P1")])
    flow.do("form_panel", panel(["e1", "e2", "e3", "e4"]))
    assert "至少 5" in flow.data["panel_problem"] or "不少于 5" in flow.data["panel_problem"]
    flow.do("form_panel", panel(["e1", "e2", "e3", "e4", "e5", "e6"]))
    assert "奇数" in flow.data["panel_problem"]
    flow.do("form_panel", panel(["e1", "e2", "e3", "e4", "e5"]))
    score_all(flow, {"DAZU-S1": 88})
    select_and_approve(flow)
    # 5 working days from Wed 05-06: 06, 07, 08, Sat 09 (调休 make-up working day), 11
    assert flow.info()["timers"][0]["due_at"].startswith("2026-05-11T16:00")
    flow.at("2026-05-13T00:00:00+08:00")
    book = {"period_months": 24, "ip_ownership": "需求单位", "disbursement_plan": "50/50"}
    # 001 八(六): the task book comes with a confidentiality agreement and the integrity pledge
    refused = flow.refused("sign_contract", book)
    assert "001 八(六)" in refused["confidentiality"] and "001 八(六)" in refused["integrity_pledge"]
    flow.do("sign_contract", dict(book, confidentiality=True, integrity_pledge=True))
    owed = flow.refused("issuer_payment", {"issuer_paid_fen": "1,000,000"})["issuer_paid_fen"]
    assert "1,200,000.00" in owed and ledger.balance(flow.s, flow.key)["issuer_paid_fen"] == 0
    flow.do("issuer_payment", {"issuer_paid_fen": "1,200,000"})
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == 45_000_000


def test_karamay_one_solver_continues_and_user_evaluation(start) -> None:  # type: ignore[no-untyped-def]
    """003 §12(5) chair from the issuer, ≤3 race teams; 003 §13(3) exactly one continues; 003 §12(9) user
    technical evaluation before acceptance."""
    flow = start("karamay")
    flow.do("post_need", need())
    flow.do("need_review", REVIEW)
    flow.do("publish_list", {"list_published_on": "2026-06-20"})
    flow.do(
        "collect_applications",
        {"applications": [application("KARAMAY-S1", "KARAMAY-P1"), application("KARAMAY-S2", "KARAMAY-P4")]},
    )
    flow.do("form_panel", panel(["e1", "e2", "e3"]))
    assert "发榜方推荐" in flow.data["panel_problem"]
    flow.do("form_panel", panel(["e1", "e2", "e3"], chair_by_issuer=True))
    score_all(flow, {"KARAMAY-S1": 88, "KARAMAY-S2": 87})
    # 003 §12(5): a third party organises the review, proposes the list and fixes the total budget
    flow.do(
        "third_party_recommend",
        {
            "recommended_solvers": "KARAMAY-S1,KARAMAY-S2",
            "project_budget_fen": "10,000,000",
            "cost_opinion": "合理",
        },
    )
    race = {
        "mode": "race",
        "selected": "KARAMAY-S1,KARAMAY-S2",
        "contract_fen": "12,000,000",
        "fiscal_support_fen": "4,000,000",
        "stage_due": "2026-12-31",
        "selection_reason": "接近",
    }
    assert "10,000,000.00" in flow.refused("select", race)["contract_fen"]
    flow.do(
        "select",
        {
            "mode": "race",
            "selected": "KARAMAY-S1,KARAMAY-S2",
            "contract_fen": "10,000,000",
            "fiscal_support_fen": "4,000,000",
            "stage_due": "2026-12-31",
            "selection_reason": "接近",
        },
    )
    flow.do("approve", {"approval": "approve"})
    flow.at("2026-05-14T00:00:00+08:00")
    book = {"period_months": 24, "ip_ownership": "约定", "disbursement_plan": "三阶段"}
    # 003 §12(8): a chief expert leads the project
    assert "003 §12(8)" in flow.refused("sign_contract", book)["chief_expert"]
    flow.do(
        "sign_contract",
        {
            "period_months": 24,
            "ip_ownership": "约定",
            "disbursement_plan": "三阶段",
            "chief_expert": "KARAMAY-P1",
        },
    )
    flow.at("2027-01-01T00:00:00+08:00")
    for _ in range(2):
        flow.do("stage_report", {"achieved": "完成"})
    for _ in range(2):
        flow.do("stage_review", {"stage_passed": "yes", "stage_score": 80})
    with pytest.raises(ValidationFailed) as caught:  # refused before submit, beside the field
        flow.do("race_outcome", {"race_outcome": "best", "continuing": "KARAMAY-S1,KARAMAY-S2"})
    flow.s.rollback()
    assert "003 §13(3)" in caught.value.details["fields"]["continuing"][0]
    flow.do("race_outcome", {"race_outcome": "best", "continuing": "KARAMAY-S1"})
    flow.do(
        "approve_exits",
        {"exit_clearing": [{"solver": "KARAMAY-S2", "unspent_fen": "50,000"}], "exits_approved": True},
    )
    flow.at("2028-05-20T09:00:00+08:00")
    flow.do("request", DOCS)
    flow.do("user_eval", {"user_rating": "satisfied"})
    flow.do("review", {"acceptance_outcome": "pass", "acceptance_opinion": "通过"})
    # 003 §13(2): the issuer pays the winner what it still owes under the contract before the settlement
    assert flow.ready() == ["issuer_contract_payment"]
    contract_paid(flow)
    assert flow.info()["status"] == "completed"
    bal = ledger.balance(flow.s, flow.key)
    assert bal["held_fen"] == 400_000_000 and bal["recovered_fen"] == 5_000_000


def test_zhangye_issuer_picks_before_review_and_prepays_30(start) -> None:  # type: ignore[no-untyped-def]
    """004 三(四): the issuer picks the team before the review; 004 四(一): 20% of the award, ≤1,000,000, the
    issuer pays ≥30% before the first subsidy (50%); 004 三(六): ≤2 years self-managed."""
    flow = start("zhangye")
    to_approve(flow, published_on="2026-06-20")
    flow.do("approve", {"approval": "approve"})
    flow.at("2026-05-14T00:00:00+08:00")
    book = {
        "period_months": 24,
        "ip_ownership": "约定",
        "disbursement_plan": "50/50",
        "milestones": [{"title": "中期", "due_date": "2027-05-01", "indicators": "x", "tranche_pct": 10}],
    }
    # 004 五(一): a service commissioner (驻企特派员) for each project
    assert "004 五(一)" in flow.refused("sign_contract", book)["commissioner"]
    flow.do(
        "sign_contract",
        {
            "period_months": 24,
            "ip_ownership": "约定",
            "disbursement_plan": "50/50",
            "commissioner": "ZHANGYE-G1",
            "milestones": [{"title": "中期", "due_date": "2027-05-01", "indicators": "x", "tranche_pct": 10}],
        },
    )
    # 004 四(一): 30% of the total project investment (8,000,000), not of the 4,000,000 award
    flow.do("issuer_payment", {"issuer_paid_fen": "2,400,000"})
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == 40_000_000
    assert flow.data["self_managed"] is True  # 24 months ≤ 2 years: no milestone checks
