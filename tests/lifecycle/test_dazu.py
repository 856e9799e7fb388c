"""Dazu (001, 2023 measures): accident rule, issuer-led milestone checks, 50% after closure, termination."""

from __future__ import annotations

from sqlalchemy import select

from engine.domain import books, ledger
from engine.lint import role_of_lane
from engine.models.domain import CreditRecord

from .conftest import PDF, application, need
from .drivers import (
    DAZU_FISCAL_FEN,
    MILESTONE_FAILED_CONTINUE,
    MILESTONE_PASSED,
    MILESTONES,
    PANEL_FIVE,
    PANEL_SIX,
    REVIEW,
    accept,
    dazu_settlement,
    signed,
    status,
    to_review_refused,
)


def test_accident_within_three_years_refused_only_in_dazu(start) -> None:  # type: ignore[no-untyped-def]
    """001 五(一)5, 五(二)4: a major safety or quality accident within 3 years refuses the application in Dazu;
    Urumqi (000, 002) has no such rule, so URUMQI-ACC (same accident in 2024) stays eligible there."""
    flow = start("dazu")
    # the bureau's record of applications neither offers nor takes DAZU-ACC: the table's row beside the field
    with_acc = [application("DAZU-ACC", "DAZU-P1", partners="DAZU-S1"), application("DAZU-S2", "DAZU-P4")]
    refused = to_review_refused(flow, with_acc)
    assert list(refused) == ["applications.0.solver"]
    assert (
        "近三年内发生重大安全事故或重大质量事故（001 五(一)5, 五(二)4）" in refused["applications.0.solver"]
    )
    flow.do("collect_applications", {"applications": with_acc[1:]})
    assert flow.data["candidates"] == ["DAZU-S2"]
    assert flow.ready() == ["form_panel"]

    urumqi = start("urumqi")
    urumqi.do("post_need", need())
    urumqi.do("recommend", {"recommended": "yes"})
    urumqi.do("need_review", REVIEW)
    urumqi.do("publish_list", {"list_published_on": "2026-06-20"})
    urumqi.do(
        "collect_applications",
        {
            "applications": [
                application("URUMQI-ACC", "URUMQI-P1", partners="URUMQI-S1"),
                application("URUMQI-S2", "URUMQI-P4"),
                application("URUMQI-S3", "URUMQI-P7"),
            ]
        },
    )
    assert urumqi.data["application_refusals"] == []
    assert urumqi.data["candidates"] == ["URUMQI-ACC", "URUMQI-S2", "URUMQI-S3"]
    assert urumqi.ready() == ["form_panel"]


def test_issuer_led_milestones_pay_tranches_then_acceptance(start) -> None:  # type: ignore[no-untyped-def]
    """001 八(七), 九(二): the issuer checks the milestones of the task book (no self-managed projects in
    Dazu); 001 十(二): fiscal money is not staged by milestone (50% after the task book, the rest after
    closure); then acceptance at the period end."""
    flow = signed(start, milestones=MILESTONES)
    assert flow.data["self_managed"] is False
    # the first checkpoint is the first milestone, not the period end (2028-05-13)
    assert flow.data["checkpoint_at"] == "2026-12-01T00:00:00+08:00"
    flow.at("2026-11-30T23:59:00+08:00")
    assert flow.ready() == []
    flow.at("2026-12-01T00:00:00+08:00")
    ready = flow.info()["ready_tasks"]
    assert [(t["task"], role_of_lane(t["lane"])) for t in ready] == [("milestone_check", "issuer")]
    assert flow.data["next_milestone"]["title"] == "小试"
    flow.do("milestone_check", {"milestone_passed": "yes", "milestone_opinion": "现场核验达标"})
    # 001 八(七): the checking panel is at least 5 and odd
    assert flow.ready() == ["milestone_check"] and "001 八(七)" in flow.data["milestone_problem"]
    flow.do("milestone_check", {"milestone_passed": "yes", "milestone_panel": PANEL_SIX})
    assert flow.ready() == ["milestone_check"] and "奇数" in flow.data["milestone_problem"]
    flow.do("milestone_check", MILESTONE_PASSED)
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == DAZU_FISCAL_FEN // 2
    # 001 十(二): after the stage review the issuer pays the solver 30% (cumulative 70% of 3,000,000)
    assert flow.ready() == ["issuer_stage_payment"]
    # too little is refused before anything is recorded, with what is owed and its source
    owed = flow.refused("issuer_stage_payment", {"stage_paid_fen": "600,000"})["stage_paid_fen"]
    assert "2,100,000.00" in owed and "900,000.00" in owed and "001 十(二)" in owed
    assert ledger.balance(flow.s, flow.key)["issuer_paid_fen"] == 120_000_000
    flow.do("issuer_stage_payment", {"stage_paid_fen": "900,000"})
    assert ledger.balance(flow.s, flow.key)["issuer_paid_fen"] == 210_000_000
    # next milestone
    assert flow.ready() == []
    assert flow.data["checkpoint_at"] == "2027-07-01T00:00:00+08:00"
    flow.at("2027-07-01T09:00:00+08:00")
    assert flow.ready() == ["milestone_check"] and flow.data["next_milestone"]["title"] == "中试"
    flow.do("milestone_check", MILESTONE_FAILED_CONTINUE)
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == DAZU_FISCAL_FEN // 2
    assert [m["passed"] for m in flow.data["milestones"]] == [True, False]
    # then the period end: acceptance
    assert flow.data["checkpoint_at"] == "2028-05-14T00:00:00+08:00"
    flow.at("2028-05-14T09:00:00+08:00")
    assert flow.ready() == ["request"]
    accept(flow)
    dazu_settlement(flow)  # 001 十一(一) audit; 001 十(二) the issuer pays the rest of the contract
    assert flow.info()["status"] == "completed"
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == DAZU_FISCAL_FEN
    assert ledger.balance(flow.s, flow.key)["issuer_paid_fen"] == 300_000_000
    assert status(flow) == "accepted"


def test_failing_milestone_stops_the_project(start) -> None:  # type: ignore[no-untyped-def]
    """001 八(七): 实施不力的将及时叫停 — a failed milestone can stop the project; the stop goes through the
    termination procedure (001 八(八): audit, recover the balance and the non-research money)."""
    flow = signed(start, milestones=MILESTONES)
    flow.at("2026-12-01T09:00:00+08:00")
    check = {"milestone_passed": "no", "milestone_panel": PANEL_FIVE, "milestone_opinion": "关键指标差距大"}
    flow.do("milestone_check", dict(check, milestone_action="stop"))
    assert flow.ready() == ["milestone_check"] and "原因" in flow.data["milestone_problem"]
    flow.do("milestone_check", dict(check, milestone_action="stop", milestone_stop_cause="objective"))
    assert flow.ready() == ["audit"] and flow.data["requested_termination"]["cause"] == "objective"
    flow.do(
        "audit", {"audit_report": PDF, "audit_unspent": [{"solver": "DAZU-S1", "unspent_fen": "200,000"}]}
    )
    flow.do("decide", {"termination_decision": "approve"})
    assert flow.ready() == ["gov_consent"]  # 001 八(八): the district government consents
    flow.do("gov_consent", {"consent_decision": "approve"})
    assert flow.info()["status"] == "completed" and status(flow) == "terminated"
    assert ledger.balance(flow.s, flow.key)["recovered_fen"] == 20_000_000


def test_milestone_shares_of_fiscal_money_refused(start) -> None:  # type: ignore[no-untyped-def]
    """001 十(二): Dazu pays fiscal money 50% after the task book and 50% after closure; a task book that
    stages fiscal money by milestone is sent back with the reason and nothing is paid."""
    flow = signed(start, milestones=[dict(MILESTONES[0], tranche_pct=20)], expect_ok=False)
    assert flow.ready() == ["sign_contract"] and "001 十(二)" in flow.problems["milestones"]
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == 0


def test_closed_pays_the_second_half(start) -> None:  # type: ignore[no-untyped-def]
    """001 十(二): fiscal money to the issuer 50% after the task book, 50% after closure (结题): in Dazu the
    acceptance result 结题 pays the rest (final_on_closed) and the project is closed."""
    flow = signed(start)
    assert flow.data["self_managed"] is False and flow.data["checkpoint_at"] == "2028-05-14T00:00:00+08:00"
    flow.at("2028-05-14T09:00:00+08:00")
    accept(flow, "closed", "结题")
    dazu_settlement(flow)
    assert flow.info()["status"] == "completed"
    bal = ledger.balance(flow.s, flow.key)
    assert bal["disbursed_fen"] == DAZU_FISCAL_FEN and bal["held_fen"] == DAZU_FISCAL_FEN
    assert status(flow) == "closed"


def test_objective_termination_recovers_balance_and_non_research(start) -> None:  # type: ignore[no-untyped-def]
    """001 八(八): terminated for an objective cause, the audit fixes the balance and the money not used for
    research; both are recovered, no misconduct record, the project is terminated."""
    flow = signed(start)
    flow.at("2027-03-01T09:00:00+08:00")
    flow.message("termination_request", {"cause": "objective", "reason": "市场变化，技术路线不可行"})
    assert flow.ready() == ["audit"]
    flow.do(
        "audit",
        {
            "audit_report": PDF,
            "audit_unspent": [
                {"solver": "DAZU-S1", "unspent_fen": "100,000", "non_research_fen": "50,000"},
            ],
            "liability": "客观原因",
        },
    )
    flow.do("decide", {"termination_decision": "approve"})
    assert flow.ready() == ["gov_consent"]  # 001 八(八): the district government consents
    flow.do("gov_consent", {"consent_decision": "approve"})
    assert flow.info()["status"] == "completed"
    bal = ledger.balance(flow.s, flow.key)
    assert bal["recovered_fen"] == 15_000_000 and bal["held_fen"] == 45_000_000 - 15_000_000
    assert status(flow) == "terminated"
    assert flow.s.scalars(select(CreditRecord).where(CreditRecord.subject == "DAZU-S1")).first() is None


def accepted(start):  # type: ignore[no-untyped-def]
    """A Dazu project after the task book (issuer paid 40 %, fiscal 50 % to the issuer) and a passed acceptance."""
    flow = signed(start)
    flow.at("2028-05-14T09:00:00+08:00")
    accept(flow)
    return flow


def test_001_s11_1_commissioned_audit_of_fund_use_before_settlement(start) -> None:  # type: ignore[no-untyped-def]
    """001 十一(一): 经费使用管理的审计工作由区科技局委托第三方审计机构进行 — after acceptance the third-party
    auditor uploads its report and states the fiscal money used; more than the project received is refused
    before submit; the books show the audited remainder."""
    flow = accepted(start)
    (task,) = flow.info()["ready_tasks"]
    assert (task["task"], role_of_lane(task["lane"])) == ("fund_audit", "third_party")
    assert flow.data["settlement_figures"]["fiscal_held_fen"] == DAZU_FISCAL_FEN // 2
    too_much = flow.refused("fund_audit", {"fund_audit_report": PDF, "fund_audit_used_fen": "450,000.01"})
    assert (
        "450,000.00" in too_much["fund_audit_used_fen"] and "001 十一(一)" in too_much["fund_audit_used_fen"]
    )
    no_report = flow.refused("fund_audit", {"fund_audit_used_fen": "400,000"})
    assert "fund_audit_report" in no_report
    flow.do("fund_audit", {"fund_audit_report": PDF, "fund_audit_used_fen": "400,000"})
    kept = books.books(flow.data, ledger.rows(flow.s, flow.key), "accepted")
    assert kept.audited_used_fen == 40_000_000 and kept.audited_remainder_fen == 5_000_000
    # the audit's base is what the project held when audited, not what it holds after the settlement
    audited = flow.data
    flow.do("issuer_final_payment", {"final_paid_fen": "1,800,000", "final_payment_proof": PDF})
    kept = books.books(flow.data, ledger.rows(flow.s, flow.key), "accepted")
    assert kept.fiscal_net_fen == DAZU_FISCAL_FEN and kept.audited_remainder_fen == 5_000_000
    assert audited["settlement_figures"]["fiscal_held_fen"] == DAZU_FISCAL_FEN // 2


def test_001_s10_2_issuer_pays_the_rest_before_the_fiscal_rest(start) -> None:  # type: ignore[no-untyped-def]
    """001 十(二): 项目验收通过后，需求单位拨付剩余经费给揭榜单位；需求单位资金拨付凭据作为区财政拨付资金的凭证之一 —
    after acceptance the issuer (需求单位) pays the solver the rest of the 3,000,000 contract (1,800,000 after its
    40 %), with its proof; a part payment or no proof is refused before submit; only then does the district pay
    the second fiscal half to the issuer, and the books are settled to the fen."""
    flow = accepted(start)
    flow.do("fund_audit", {"fund_audit_report": PDF, "fund_audit_used_fen": "450,000"})
    (task,) = flow.info()["ready_tasks"]
    assert (task["task"], role_of_lane(task["lane"])) == ("issuer_final_payment", "issuer")
    assert flow.data["settlement_figures"]["final_owed_fen"] == 180_000_000
    # nothing of the second half before the issuer's proof
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == DAZU_FISCAL_FEN // 2
    kept = books.books(flow.data, ledger.rows(flow.s, flow.key), "accepted")
    assert kept.fiscal_owed_fen == DAZU_FISCAL_FEN // 2 and kept.fiscal_lapsed_fen == 0 and kept.balanced
    part = flow.refused("issuer_final_payment", {"final_paid_fen": "1,000,000", "final_payment_proof": PDF})
    assert "1,800,000.00" in part["final_paid_fen"] and "001 十(二)" in part["final_paid_fen"]
    over = flow.refused("issuer_final_payment", {"final_paid_fen": "2,000,000", "final_payment_proof": PDF})
    assert "1,800,000.00" in over["final_paid_fen"]
    assert "final_payment_proof" in flow.refused("issuer_final_payment", {"final_paid_fen": "1,800,000"})
    assert ledger.balance(flow.s, flow.key)["issuer_paid_fen"] == 120_000_000
    flow.do("issuer_final_payment", {"final_paid_fen": "1,800,000", "final_payment_proof": PDF})
    assert flow.info()["status"] == "completed" and status(flow) == "accepted"
    bal = ledger.balance(flow.s, flow.key)
    assert bal["issuer_paid_fen"] == 300_000_000 and bal["disbursed_fen"] == DAZU_FISCAL_FEN
    kept = books.books(flow.data, ledger.rows(flow.s, flow.key), "accepted")
    assert kept.fiscal_owed_fen == 0 and kept.issuer_owed_fen == 0 and kept.fiscal_lapsed_fen == 0
    assert kept.balanced and kept.settled
    final = [e for e in ledger.rows(flow.s, flow.key) if e.tranche == "issuer_final"]
    assert [(e.payer, e.party, e.amount_fen) for e in final] == [("DAZU-ISS", "DAZU-S1", 180_000_000)]
    assert final[0].source.startswith("001 十(二)")
    rest = [e for e in ledger.rows(flow.s, flow.key) if e.tranche == "final"]
    assert [(e.party, e.amount_fen) for e in rest] == [("DAZU-ISS", DAZU_FISCAL_FEN // 2)]
    assert rest[0].id > final[0].id  # the fiscal rest after the issuer's receipt


def test_001_s8_8_failed_acceptance_asks_no_final_payment(start) -> None:  # type: ignore[no-untyped-def]
    """001 八(八): a failed acceptance (non-objective) recovers the fiscal money; the audit of fund use still
    runs (001 十一(一)) but the issuer is not asked for the rest of the contract (001 十(二) asks it only after
    acceptance passes)."""
    flow = signed(start)
    flow.at("2028-05-14T09:00:00+08:00")
    accept(flow, "fail", "弄虚作假", acceptance_fail_cause="non_objective")
    assert flow.data["settlement_figures"]["final_owed_fen"] == 0
    dazu_settlement(flow, used="300,000")
    assert flow.info()["status"] == "completed" and status(flow) == "failed"
    bal = ledger.balance(flow.s, flow.key)
    assert bal["issuer_paid_fen"] == 120_000_000 and bal["held_fen"] == 0


def test_001_s8_8_termination_recovers_the_audited_remainder(start) -> None:  # type: ignore[no-untyped-def]
    """001 八(八): 项目终止的，应根据财务审计结果，及时将结余资金及用于项目科研以外的财政资金收回; 001 十一(一): the
    audit is the commissioned third party's — it states the fiscal money used (more than the issuer holds is
    refused before submit); the recovery is the audited remainder (450,000 − 300,000) plus the 50,000 not used
    for research."""
    flow = signed(start)
    flow.at("2027-03-01T09:00:00+08:00")
    flow.message("termination_request", {"cause": "objective", "reason": "市场变化，技术路线不可行"})
    (task,) = flow.info()["ready_tasks"]
    assert (task["task"], role_of_lane(task["lane"])) == ("audit", "third_party")
    row = {"solver": "DAZU-S1", "used_fen": "450,000.01"}
    assert "450,000.00" in flow.refused("audit", {"audit_unspent": [row]})["audit_unspent"]
    row = {"solver": "DAZU-S1", "used_fen": "300,000", "non_research_fen": "50,000"}
    flow.do("audit", {"audit_report": PDF, "audit_unspent": [row], "liability": "客观原因"})
    flow.do("decide", {"termination_decision": "approve"})
    flow.do("gov_consent", {"consent_decision": "approve", "consent_opinion": "同意"})
    assert flow.info()["status"] == "completed" and status(flow) == "terminated"
    bal = ledger.balance(flow.s, flow.key)
    assert bal["recovered_fen"] == 20_000_000 and bal["held_fen"] == 25_000_000
