"""003 §13(1): a Karamay 行业共性 project's fiscal money is paid in three stages — approval (立项), after the
milestone review (“里程碑”考核) and after the acceptance (验收) — each a task of the bureau's clerk, to the project's
undertaker, within the stage's share (policy parameters first_pct, staged_milestone_pct) and the rest."""

from __future__ import annotations

from engine.domain import ledger
from engine.domain.problems import yuan

from .conftest import DOCS
from .drivers import contract_paid
from .test_karamay import FISCAL_FEN, TASK_BOOK, at_contract, status

MILESTONE = {"title": "中期", "due_date": "2027-05-14", "indicators": "中试完成", "method": "现场"}
CHECKED = {
    "milestone_panel": "专家甲, 专家乙, 专家丙",
    "milestone_passed": "yes",
    "milestone_action": "continue",
    "milestone_opinion": "达到里程碑指标",
}


def disbursed(flow) -> list[tuple[str, str, int, str]]:  # type: ignore[no-untyped-def]
    return [
        (e["party"], e["solver"], e["amount_fen"], e["tranche"])
        for e in ledger.entries(flow.s, flow.key)
        if e["kind"] == "disbursement"
    ]


def signed(start):  # type: ignore[no-untyped-def]
    flow = at_contract(start)
    flow.do("sign_contract", {"period_months": 24, **TASK_BOOK, "milestones": [MILESTONE]})
    return flow


def pay(flow, amount_fen: int | None = None) -> None:  # type: ignore[no-untyped-def]
    """The clerk pays what the form is prefilled with (or ``amount_fen``)."""
    figures = flow.data["tranche_figures"]
    flow.do(
        "pay_fiscal_tranche",
        {"tranche_paid_fen": yuan(figures["due_fen"] if amount_fen is None else amount_fen)},
    )


def test_003_s13_1_industry_common_paid_in_three_stages_by_the_clerk(start) -> None:  # type: ignore[no-untyped-def]
    """Approval 40%, after the milestone review 30%, after the acceptance the rest (policy parameters, 003 gives
    no shares): three ledger rows to the undertaker KARAMAY-S1 that sum to the approved support."""
    flow = signed(start)
    # nothing is paid by itself: the clerk's task, prefilled with 40% of the support
    assert flow.ready() == ["pay_fiscal_tranche"] and disbursed(flow) == []
    figures = flow.data["tranche_figures"]
    assert (figures["stage"], figures["due_fen"], figures["rest_fen"]) == (
        "approval",
        160_000_000,
        FISCAL_FEN,
    )
    assert flow.data["tranche_paid_fen"] == 160_000_000  # the form's prefilled amount
    pay(flow)
    assert flow.ready() == [] and status(flow) == "ongoing"
    assert disbursed(flow) == [("KARAMAY-S1", "KARAMAY-S1", 160_000_000, "stage_approval")]

    flow.at("2027-05-15T09:00:00+08:00")
    flow.do("milestone_check", CHECKED)
    assert flow.ready() == ["pay_fiscal_tranche"]
    figures = flow.data["tranche_figures"]
    assert (figures["stage"], figures["due_fen"], figures["rest_fen"]) == (
        "milestone",
        120_000_000,
        240_000_000,
    )
    pay(flow)
    assert flow.ready() == []

    flow.at("2028-05-20T09:00:00+08:00")
    flow.do("request", DOCS)
    flow.do("user_eval", {"user_rating": "satisfied"})
    flow.do("review", {"acceptance_outcome": "pass", "acceptance_opinion": "通过"})
    assert flow.ready() == ["pay_fiscal_tranche"]
    assert flow.data["tranche_figures"]["due_fen"] == 120_000_000
    pay(flow)
    contract_paid(flow)
    assert flow.info()["status"] == "completed" and status(flow) == "accepted"
    rows = disbursed(flow)
    assert rows == [
        ("KARAMAY-S1", "KARAMAY-S1", 160_000_000, "stage_approval"),
        ("KARAMAY-S1", "KARAMAY-S1", 120_000_000, "stage_milestone"),
        ("KARAMAY-S1", "KARAMAY-S1", 120_000_000, "stage_acceptance"),
    ]
    assert sum(r[2] for r in rows) == FISCAL_FEN == flow.data["fiscal_support_fen"]
    sources = {e["source"] for e in ledger.entries(flow.s, flow.key) if e["kind"] == "disbursement"}
    assert len(sources) == 1 and sources.pop().startswith("003 §13(1)")


def test_003_s13_1_no_more_than_the_stage_allows(start) -> None:  # type: ignore[no-untyped-def]
    """Paying the milestone's share at the approval is refused beside the field with the rule; nothing is booked
    and the task stays; a smaller amount is taken and the rest of the stage waits for the next one."""
    flow = signed(start)
    refused = flow.refused("pay_fiscal_tranche", {"tranche_paid_fen": "2,800,000"})
    assert "立项阶段累计至多拨付财政资金的 40%，本次至多 1,600,000.00 元" in refused["tranche_paid_fen"]
    assert "003 §13(1)" in refused["tranche_paid_fen"]
    assert disbursed(flow) == []
    pay(flow, 100_000_000)  # the clerk pays less now
    flow.at("2027-05-15T09:00:00+08:00")
    flow.do("milestone_check", CHECKED)
    # by the milestone stage 70% in all: 2,800,000 less the 1,000,000 paid
    assert flow.data["tranche_figures"]["due_fen"] == 180_000_000


def test_003_s13_1_no_more_than_the_rest(start) -> None:  # type: ignore[no-untyped-def]
    """After the acceptance the clerk cannot pay more than is left of the support, nor nothing."""
    flow = signed(start)
    pay(flow)
    flow.at("2027-05-15T09:00:00+08:00")
    flow.do("milestone_check", CHECKED)
    pay(flow)
    flow.at("2028-05-20T09:00:00+08:00")
    flow.do("request", DOCS)
    flow.do("user_eval", {"user_rating": "satisfied"})
    flow.do("review", {"acceptance_outcome": "pass", "acceptance_opinion": "通过"})
    refused = flow.refused("pay_fiscal_tranche", {"tranche_paid_fen": "1,200,000.01"})
    assert "财政资金尚余 1,200,000.00 元未拨付，本次至多 1,200,000.00 元" in refused["tranche_paid_fen"]
    assert "大于 0" in flow.refused("pay_fiscal_tranche", {"tranche_paid_fen": "0"})["tranche_paid_fen"]
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == 280_000_000


def test_003_s13_1_no_milestone_tranche_before_a_passed_review(start) -> None:  # type: ignore[no-untyped-def]
    """A milestone that fails (and is not stopped) pays nothing: the milestone's share waits for its stage."""
    flow = signed(start)
    pay(flow)
    flow.at("2027-05-15T09:00:00+08:00")
    flow.do("milestone_check", dict(CHECKED, milestone_passed="no", milestone_opinion="未达指标，限期整改"))
    assert flow.ready() == [] and ledger.balance(flow.s, flow.key)["disbursed_fen"] == 160_000_000


def test_003_s13_2_enterprise_posed_keeps_following_the_issuer(start) -> None:  # type: ignore[no-untyped-def]
    """企业出题 has no clerk's tranche task: the support still follows the issuer's payments (003 §13(2))."""
    flow = at_contract(start, "enterprise_posed")
    flow.do("sign_contract", {"period_months": 24, **TASK_BOOK})
    assert flow.ready() == ["issuer_payment"]
    assert "pay_fiscal_tranche" not in flow.ready()
