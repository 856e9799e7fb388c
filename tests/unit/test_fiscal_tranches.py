"""003 §13(1): the three stages of a Karamay 行业共性 project's fiscal money (engine.domain.fiscal_tranches), with
the shares of the policy table (first_pct 40, staged_milestone_pct 30: 003 gives none, policy parameters)."""

from __future__ import annotations

from typing import Any

from engine.domain import disbursement, fiscal_tranches, funding_checks
from engine.domain.disbursement import Held

from .test_money_rules import case

SUPPORT = 90_000_000


def common(**over: Any) -> dict[str, Any]:
    return case("karamay", category="industry_common", **over)


def held(net: int) -> Held:
    return Held(disbursed_fen=net, net_by_solver={"S1": net}, paid_by_solver={"S1": net})


def test_only_karamay_industry_common_is_staged() -> None:
    assert disbursement.staged(common())
    assert not disbursement.staged(case("karamay", category="enterprise_posed"))  # 003 §13(2)
    assert not disbursement.staged(common(mode="race"))  # 003 §13(3) has its own rule
    for j in ("urumqi", "dazu", "zhangye"):
        assert not disbursement.staged(case(j, category="industry_common"))


def test_the_stage_reached_and_its_share() -> None:
    assert fiscal_tranches.stage_of(common()) == "approval"
    passed = [{"title": "中期", "passed": True}]
    assert fiscal_tranches.stage_of(common(milestones=passed)) == "milestone"
    assert fiscal_tranches.stage_of(common(milestones=[{"title": "中期", "passed": False}])) == "approval"
    assert fiscal_tranches.stage_of(common(milestones=passed, acceptance_pay_rest=True)) == "acceptance"
    assert fiscal_tranches.stage_of(common(acceptance_pay_rest=False)) == "closed"
    d = common()
    assert [fiscal_tranches.stage_pct(d, s) for s in ("approval", "milestone", "acceptance", "closed")] == [
        d["first_pct"],
        d["first_pct"] + d["staged_milestone_pct"],
        100,
        0,
    ]


def test_figures_prefill_what_the_stage_allows_less_what_is_paid() -> None:
    f = fiscal_tranches.figures(common(milestones=[{"passed": True}]), held(20_000_000))
    assert (f["stage"], f["due_fen"], f["rest_fen"], f["asked"]) == (
        "milestone",
        43_000_000,
        70_000_000,
        True,
    )
    # after the acceptance the rest; nothing left, nothing asked
    f = fiscal_tranches.figures(common(acceptance_pay_rest=True), held(SUPPORT))
    assert (f["due_fen"], f["rest_fen"], f["asked"]) == (0, 0, False)
    # a failed acceptance pays nothing more
    assert not fiscal_tranches.figures(common(acceptance_pay_rest=False), held(0))["asked"]


def refusal(d: dict[str, Any], net: int, amount: int) -> str:
    d = {**d, "tranche_figures": fiscal_tranches.figures(d, held(net)), "tranche_paid_fen": amount}
    return "；".join(p.text("zh") for p in fiscal_tranches.problems(d))


def test_refusals_cite_003_s13_1() -> None:
    d = common()
    assert refusal(d, 0, 36_000_000) == ""
    early = refusal(d, 0, 36_000_001)
    assert "立项阶段累计至多拨付财政资金的 40%" in early and "003 §13(1)" in early
    late = refusal(common(acceptance_pay_rest=True), 80_000_000, 10_000_001)
    assert "尚余 100,000.00 元" in late
    assert "大于 0" in refusal(d, 0, 0)
    en = fiscal_tranches.problems(
        {**d, "tranche_figures": fiscal_tranches.figures(d, held(0)), "tranche_paid_fen": 1}
    )
    assert en == []


def test_booking_goes_to_the_undertaker_as_its_stage() -> None:
    d = common(milestones=[{"passed": True}], tranche_paid_fen=27_000_000)
    [b] = fiscal_tranches.booking(d, held(36_000_000))
    assert (b.party, b.solver, b.amount_fen, b.tranche, b.payer) == (
        "S1",
        "S1",
        27_000_000,
        "stage_milestone",
        "bureau",
    )
    assert b.source.startswith("003 §13(1)")
    # more than the stage allows is never booked, even past the form
    assert fiscal_tranches.booking({**d, "tranche_paid_fen": 27_000_001}, held(36_000_000)) == []


def test_automatic_payments_leave_a_staged_case_alone() -> None:
    d = common(
        next_milestone={"title": "中期", "tranche_pct": 30},
        milestone_passed="yes",
        acceptance_pay_rest=True,
    )
    assert disbursement.first_tranche(d, Held()) == []
    assert disbursement.milestone_tranche(d, held(36_000_000)) == []
    assert disbursement.acceptance_settlement(d, held(63_000_000)) == []


def test_003_s13_1_task_book_leaves_the_stage_shares_to_the_policy() -> None:
    """The task book of a staged case names the three stages' shares and refuses a typed milestone share."""
    d = common(period_months=24, chief_expert="P1", milestones=[{"title": "中期", "tranche_pct": 30}])
    [problem] = [p for p in funding_checks.task_book_problems(d) if p.field == "milestones"]
    assert "立项 40%、“里程碑”考核后 30%、验收后 30%" in problem.text("zh")
    assert "003 §13(1)" in problem.text("zh") and "leave the milestone shares empty" in problem.text("en")
    assert not [
        p
        for p in funding_checks.task_book_problems(dict(d, milestones=[{"title": "中期"}]))
        if p.field == "milestones"
    ]
    [hint] = [h for h in funding_checks.task_book_hints(d) if h.field == "milestones"]
    assert "三个阶段" in hint.text("zh")
    # 企业出题 keeps its milestone shares (003 §13(2))
    posed = case(
        "karamay",
        category="enterprise_posed",
        period_months=24,
        chief_expert="P1",
        milestones=d["milestones"],
    )
    assert not [p for p in funding_checks.task_book_problems(posed) if p.field == "milestones"]
