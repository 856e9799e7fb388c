"""Zhangye (004, 2021 pilot measures): publicity from the policy table, 50% after approval and the rest after
acceptance, failed acceptance recovers part or all."""

from __future__ import annotations

from sqlalchemy import select

from engine.domain import ledger
from engine.models.domain import CreditRecord, Project

from .conftest import DOCS
from .drivers import contract_paid, to_approve

FISCAL_FEN = 80_000_000  # 800,000 CNY = 20% of the 4,000,000 award (004 四(一))


def due_times(flow) -> list[str]:  # type: ignore[no-untyped-def]
    return [t["due_at"] for t in flow.info()["timers"]]


def implementing(start):  # type: ignore[no-untyped-def]
    """A 24-month Zhangye project after the issuer's 30% of the total investment and the first 50% of the
    subsidy (paid to the issuer, whose payment proof it follows: 004 四(一))."""
    flow = start("zhangye")
    to_approve(flow, published_on="2026-06-20")
    flow.do("approve", {"approval": "approve"})
    flow.at("2026-05-14T00:00:00+08:00")
    flow.do(
        "sign_contract",
        {
            "period_months": 24,
            "ip_ownership": "约定",
            "disbursement_plan": "50/50",
            "commissioner": "ZHANGYE-G1",
        },
    )
    # 004 四(一): ≥ 30% of the total project investment (8,000,000 → 2,400,000), not of the award
    flow.do("issuer_payment", {"issuer_paid_fen": "2,400,000"})
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == FISCAL_FEN // 2
    assert flow.data["period_end"] == "2028-05-14"
    flow.at("2028-05-15T09:00:00+08:00")
    flow.do("request", DOCS)
    return flow


def status(flow) -> str:  # type: ignore[no-untyped-def]
    return flow.s.scalar(select(Project.status).where(Project.code == flow.key))


def test_publicity_length_comes_from_the_policy_table(start) -> None:  # type: ignore[no-untyped-def]
    """004 三(五) says only 公示无异议: the length is a policy parameter of policy_zhangye (5 working days),
    counted on the State Council calendar. Approved on Thu 2026-06-18: 18, (19–21 Dragon Boat holiday and
    weekend), 22, 23, 24, 25 → the window ends at 24:00 on 2026-06-25."""
    flow = start("zhangye")
    to_approve(flow, published_on="2026-06-20")
    flow.at("2026-06-18T10:00:00+08:00")
    flow.do("approve", {"approval": "approve"})
    assert (flow.data["publicity_length"], flow.data["publicity_unit"]) == (5, "working_days")
    assert flow.ready() == []
    assert "2026-06-25T16:00:00+00:00" in due_times(flow)
    assert flow.at("2026-06-25T23:59:00+08:00") == 0 and flow.ready() == []
    flow.at("2026-06-26T00:00:00+08:00")
    assert flow.ready() == ["sign_contract"] and flow.data["publicity_result"] == "passed"


def test_pass_pays_the_rest(start) -> None:  # type: ignore[no-untyped-def]
    """004 四(一): 50% of the subsidy after approval, the rest after the acceptance is passed — once the issuer has
    paid the solver the rest of the agreement (004 三(五), a reading to confirm); the failures below end the
    agreement and ask for no payment."""
    flow = implementing(start)
    flow.do("review", {"acceptance_outcome": "pass", "acceptance_opinion": "通过"})
    assert flow.ready() == ["issuer_contract_payment"] and status(flow) == "paying"
    contract_paid(flow)
    assert flow.info()["status"] == "completed"
    bal = ledger.balance(flow.s, flow.key)
    assert bal["disbursed_fen"] == FISCAL_FEN and bal["held_fen"] == FISCAL_FEN
    assert status(flow) == "accepted"


def test_fail_objective_recovers_the_part_fixed(start) -> None:  # type: ignore[no-untyped-def]
    """004 三(六): a failed acceptance recovers part of the subsidy (objective cause: the amount the panel
    fixes); the rest is not paid."""
    flow = implementing(start)
    flow.do(
        "review",
        {
            "acceptance_outcome": "fail",
            "acceptance_fail_cause": "objective",
            "acceptance_recover_fen": "100,000",
            "acceptance_opinion": "原材料断供，部分指标未达到",
        },
    )
    assert flow.info()["status"] == "completed"
    bal = ledger.balance(flow.s, flow.key)
    assert bal == {
        "disbursed_fen": FISCAL_FEN // 2,
        "recovered_fen": 10_000_000,
        "held_fen": FISCAL_FEN // 2 - 10_000_000,
        "issuer_paid_fen": 240_000_000,
    }
    assert status(flow) == "failed"


def test_fail_non_objective_recovers_all(start) -> None:  # type: ignore[no-untyped-def]
    """004 三(六): a failure for non-objective causes recovers all the subsidy and is recorded."""
    flow = implementing(start)
    flow.do(
        "review",
        {
            "acceptance_outcome": "fail",
            "acceptance_fail_cause": "non_objective",
            "acceptance_opinion": "擅自降低指标",
        },
    )
    assert flow.info()["status"] == "completed"
    bal = ledger.balance(flow.s, flow.key)
    assert bal["recovered_fen"] == FISCAL_FEN // 2 and bal["held_fen"] == 0
    assert status(flow) == "failed"
    assert (
        flow.s.scalars(select(CreditRecord).where(CreditRecord.subject == "ZHANGYE-S1")).first() is not None
    )


def test_004_s4_1_issuer_pays_30_percent_of_total_investment(start) -> None:  # type: ignore[no-untyped-def]
    """004 四(一): before the first subsidy the issuer has paid the solver ≥ 30% of the total project investment
    (项目投入总额 8,000,000 → 2,400,000). 30% of the 4,000,000 award is refused before anything is recorded,
    saying what is owed and citing the rule; then the subsidy's first half goes to the issuer."""
    flow = start("zhangye")
    to_approve(flow, published_on="2026-06-20")
    flow.do("approve", {"approval": "approve"})
    flow.at("2026-05-14T00:00:00+08:00")
    flow.do(
        "sign_contract",
        {
            "period_months": 24,
            "ip_ownership": "约定",
            "disbursement_plan": "50/50",
            "commissioner": "ZHANGYE-G1",
        },
    )
    refused = flow.refused("issuer_payment", {"issuer_paid_fen": "1,200,000"})["issuer_paid_fen"]
    assert "2,400,000.00" in refused and "项目投入总额" in refused and "004 四(一)" in refused
    assert ledger.balance(flow.s, flow.key) == {
        "disbursed_fen": 0,
        "recovered_fen": 0,
        "held_fen": 0,
        "issuer_paid_fen": 0,
    }
    flow.do("issuer_payment", {"issuer_paid_fen": "2,400,000"})
    assert ledger.balance(flow.s, flow.key, "ZHANGYE-ISS")["disbursed_fen"] == FISCAL_FEN // 2
    assert ledger.balance(flow.s, flow.key, "ZHANGYE-S1")["issuer_paid_fen"] == 240_000_000
