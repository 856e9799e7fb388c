"""Dazu contest-won projects (001 十二(一)): 通过中国创新挑战赛等专项赛事活动中揭榜的项目…可按本方案直接签订揭榜项目
任务书。该类项目“资金管理”“结题验收”按本方案执行。"""

from __future__ import annotations

from sqlalchemy import select

from engine.domain import ledger
from engine.models.task import HumanTask

from .conftest import DOCS, PDF, acceptance_panel
from .drivers import dazu_settlement

CONTEST = {"entry_route": "contest", "contest_name": "中国创新挑战赛（重庆）", "contest_solver": "DAZU-S1"}
TERMS = {
    "contest_members": "DAZU-P1,DAZU-P2",
    "contest_award": PDF,
    "need_total_fen": "3,000,000",
    "contract_fen": "3,000,000",
    "fiscal_support_fen": "900,000",
}
BOOK = {
    "period_months": 12,
    "ip_ownership": "需求单位",
    "disbursement_plan": "50/50",
    "confidentiality": True,
    "integrity_pledge": True,
}


def test_001_12_1_contest_winner_goes_straight_to_the_task_book(start) -> None:  # type: ignore[no-untyped-def]
    """001 十二(一): no need, list, applications, review or publicity — the bureau records the contest's terms
    (the fiscal support checked against 001 十(一) before submit) and the task book follows; money and
    acceptance as every Dazu project (001 十(二): the issuer's 40 %, fiscal 50 % to the issuer, the rest after
    acceptance)."""
    flow = start("dazu", **CONTEST)
    assert flow.ready() == ["contest_terms"]
    assert flow.data["entry_route"] == "contest" and flow.data["candidates"] == ["DAZU-S1"]
    refused = flow.refused("contest_terms", dict(TERMS, fiscal_support_fen="1,000,000"))
    assert "001 十(一)" in refused["fiscal_support_fen"] and "900,000.00" in refused["fiscal_support_fen"]
    flow.do("contest_terms", TERMS)
    assert flow.ready() == ["sign_contract"]
    assert flow.data["solvers"] == ["DAZU-S1"] and flow.data["mode"] == "single"
    # the human steps so far: the contest's terms and the task book — none of the call, list, review, publicity
    steps = set(flow.s.scalars(select(HumanTask.task_spec).where(HumanTask.instance_id == flow.id)))
    assert steps == {"contest_terms", "sign_contract"}
    flow.do("sign_contract", BOOK)
    flow.do("issuer_payment", {"issuer_paid_fen": "1,200,000"})
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == 45_000_000
    assert flow.data["checkpoint_at"].startswith("2027-0")
    flow.at(flow.data["checkpoint_at"])
    assert flow.ready() == ["request"]
    flow.do("request", DOCS)
    flow.do(
        "review",
        {
            "acceptance_outcome": "pass",
            "acceptance_opinion": "通过",
            "acceptance_panel": acceptance_panel(flow),
        },
    )
    dazu_settlement(flow)  # 001 十二(一): 资金管理 and 结题验收 as for any Dazu project
    assert flow.info()["status"] == "completed"
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == 90_000_000


def test_001_12_1_a_need_of_the_call_still_goes_through_the_list(start) -> None:  # type: ignore[no-untyped-def]
    """001 八(一)(二), 十二(一): without the contest route a challenge starts with the need (no shortcut)."""
    flow = start("dazu")
    assert flow.ready() == ["post_need"] and flow.data["entry_route"] == "call"
