"""Karamay (003, 2025 measures): joint punishment, period 2–3 years, publicity in working days, late acceptance
request, revocation."""

from __future__ import annotations

from sqlalchemy import func, select

from engine.domain import books, ledger
from engine.lint import role_of_lane
from engine.models.domain import CreditRecord, Project

from .conftest import DOCS, PDF, application, need, panel, score_all
from .drivers import contract_paid

REVIEW = {"importance": 9, "feasibility": 8, "difficulty": 7, "need_listed_decision": "list"}
FISCAL_FEN = 400_000_000  # 4,000,000 CNY of a 10,000,000 contract, within the cap (003 §13(1))
FIRST_FEN = FISCAL_FEN * 40 // 100  # first of three stages (003 §13(1)); share a policy parameter


def to_review(flow, applications, category: str = "industry_common") -> None:  # type: ignore[no-untyped-def]
    # 行业共性 (003 §13(1)): fiscal money in three stages from the approval; 企业出题 (003 §13(2)) waits for
    # the issuer's payments, see test_003_s13_2_enterprise_fiscal_follows_issuer_payment
    flow.do("post_need", need(category=category))
    flow.do("need_review", REVIEW)
    flow.do("publish_list", {"list_published_on": "2026-06-20"})
    flow.do("collect_applications", {"applications": applications})


def flow_refused_at_collection(flow, applications) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Up to the bureau's record of the applications, which refuses ``applications`` beside the fields."""
    flow.do("post_need", need())
    flow.do("need_review", REVIEW)
    flow.do("publish_list", {"list_published_on": "2026-06-20"})
    return flow.refused("collect_applications", {"applications": applications})


def to_approval(flow, category: str = "industry_common", applications=None) -> None:  # type: ignore[no-untyped-def]
    to_review(flow, applications or [application("KARAMAY-S1", "KARAMAY-P1")], category)
    flow.do("form_panel", panel(["e1", "e2", "e3"], chair_by_issuer=True))
    score_all(flow, {"KARAMAY-S1": 88})
    # 003 §12(5): the third party proposes the list and fixes the total budget
    flow.do(
        "third_party_recommend",
        {"recommended_solvers": "KARAMAY-S1", "project_budget_fen": "10,000,000", "cost_opinion": "经费合理"},
    )
    flow.do(
        "select",
        {
            "mode": "single",
            "selected": "KARAMAY-S1",
            "contract_fen": "10,000,000",
            "fiscal_support_fen": "4,000,000",
            "selection_reason": "评分最高",
        },
    )


TASK_BOOK = {"ip_ownership": "约定", "disbursement_plan": "三阶段", "chief_expert": "KARAMAY-P1"}


def at_contract(start, category: str = "industry_common", applications=None):  # type: ignore[no-untyped-def]
    flow = start("karamay")
    to_approval(flow, category, applications)
    flow.do("approve", {"approval": "approve"})
    flow.at("2026-05-14T00:00:00+08:00")
    assert flow.ready() == ["sign_contract"]
    return flow


def pay_tranche(flow) -> None:  # type: ignore[no-untyped-def]
    """003 §13(1): the bureau's clerk pays a 行业共性 stage's tranche at the amount its form is prefilled with."""
    assert flow.ready() == ["pay_fiscal_tranche"]
    flow.do("pay_fiscal_tranche", {"tranche_paid_fen": flow.data["tranche_paid_fen"] / 100})


def implementing(start):  # type: ignore[no-untyped-def]
    flow = at_contract(start)
    flow.do("sign_contract", {"period_months": 24, **TASK_BOOK})
    assert flow.data["period_end"] == "2028-05-14"
    pay_tranche(flow)  # 003 §13(1): the approval stage
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == FIRST_FEN
    return flow


def due_times(flow) -> list[str]:  # type: ignore[no-untyped-def]
    return [t["due_at"] for t in flow.info()["timers"]]


def status(flow) -> str:  # type: ignore[no-untyped-def]
    return flow.s.scalar(select(Project.status).where(Project.code == flow.key))


def test_joint_punishment_list_refused(start) -> None:  # type: ignore[no-untyped-def]
    """003 §8–9: a unit on a joint-punishment list (KARAMAY-PUN, until 2027) cannot take a challenge; the
    refusal names the rule and its source."""
    flow = start("karamay")
    with_pun = [application("KARAMAY-PUN", "KARAMAY-P1", partners="KARAMAY-S1")]
    refused = flow_refused_at_collection(flow, with_pun)
    assert (
        "“克拉玛依惩戒企业”不能作为揭榜单位：列入联合惩戒名单（003 §8–9）" in refused["applications.0.solver"]
    )
    flow.do("collect_applications", {"applications": [application("KARAMAY-S1", "KARAMAY-P1")]})
    assert flow.data["candidates"] == ["KARAMAY-S1"]
    assert flow.ready() == ["form_panel"]


def test_solvers_come_from_the_third_partys_list(start) -> None:  # type: ignore[no-untyped-def]
    """003 §12(5): the bureau, with the issuer, commissions a third party that organises the experts, proposes
    the list of solvers and fixes the total budget; the bureau chooses from that list within that budget."""
    flow = start("karamay")
    to_review(flow, [application("KARAMAY-S1", "KARAMAY-P1"), application("KARAMAY-S2", "KARAMAY-P4")])
    flow.do("form_panel", panel(["e1", "e2", "e3"], chair_by_issuer=True))
    score_all(flow, {"KARAMAY-S1": 88, "KARAMAY-S2": 80})
    ready = flow.info()["ready_tasks"]
    assert [(t["task"], role_of_lane(t["lane"])) for t in ready] == [("third_party_recommend", "third_party")]
    flow.do(
        "third_party_recommend",
        {
            "recommended_solvers": "KARAMAY-S1",
            "project_budget_fen": "8,000,000",
            "cost_opinion": "S2 经费偏高",
        },
    )
    choice = {
        "mode": "single",
        "selected": "KARAMAY-S2",
        "contract_fen": "8,000,000",
        "fiscal_support_fen": "3,200,000",
        "selection_reason": "试选",
    }
    assert "003 §12(5)" in flow.refused("select", choice)["selected"]
    flow.do("select", dict(choice, selected="KARAMAY-S1"))
    assert flow.ready() == ["approve"]


def test_consortium_partner_on_the_list_refused(start) -> None:  # type: ignore[no-untyped-def]
    """003 §8–9, §9(3): a consortium whose partner is on a joint-punishment list, or has a serious dishonesty
    record within 3 years (000 §10), cannot take the challenge."""
    flow = start("karamay")
    refused = flow_refused_at_collection(
        flow,
        [
            application("KARAMAY-S1", "KARAMAY-P1", partners="KARAMAY-PUN"),
            application("KARAMAY-S2", "KARAMAY-P4", partners="KARAMAY-BAD"),
            application("KARAMAY-S3", "KARAMAY-P7", partners="KARAMAY-S4"),
        ],
    )
    assert "不能作为合作单位：列入联合惩戒名单（003 §8–9）" in refused["applications.0.partners"]
    assert (
        "联合体成员近三年内有严重失信或违法记录（000 §10, 003 §9(3)）" in refused["applications.1.partners"]
    )
    assert "applications.2.partners" not in refused


def test_publicity_five_working_days_across_national_day(start) -> None:  # type: ignore[no-untyped-def]
    """003 §12(6): 5 working days of publicity. Approved on Tue 2026-09-29: 29, 30, (1–7 October National Day),
    8, 9 and Sat 10 (调休 make-up working day) → the window ends at 24:00 on 2026-10-10."""
    flow = start("karamay")
    to_approval(flow)
    flow.at("2026-09-29T15:00:00+08:00")
    flow.do("approve", {"approval": "approve"})
    assert (flow.data["publicity_length"], flow.data["publicity_unit"]) == (5, "working_days")
    assert "2026-10-10T16:00:00+00:00" in due_times(flow)
    assert flow.at("2026-10-10T23:00:00+08:00") == 0 and flow.ready() == []
    flow.at("2026-10-11T00:00:00+08:00")
    assert flow.ready() == ["sign_contract"] and flow.data["publicity_result"] == "passed"


def test_period_two_to_three_years(start) -> None:  # type: ignore[no-untyped-def]
    """003 §12(7): the implementation period is 2–3 years: 12 months are refused (the task book is ready
    again, no money paid), 37 months too, 24 months are accepted."""
    flow = at_contract(start)
    assert "24–36" in flow.refused("sign_contract", {"period_months": 12, **TASK_BOOK})["period_months"]
    assert flow.ready() == ["sign_contract"]
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == 0
    assert "24–36" in flow.refused("sign_contract", {"period_months": 37, **TASK_BOOK})["period_months"]
    flow.do("sign_contract", {"period_months": 24, **TASK_BOOK})
    assert flow.data["contract_problem"] == "" and flow.ready() == ["pay_fiscal_tranche"]
    pay_tranche(flow)
    assert flow.ready() == [] and ledger.balance(flow.s, flow.key)["disbursed_fen"] == FIRST_FEN
    assert status(flow) == "ongoing"


def test_acceptance_request_later_than_30_days_flagged(start) -> None:  # type: ignore[no-untyped-def]
    """003 §12(9)1: the solver applies for acceptance within 30 days after the period ends; a later request is
    flagged for the panel with the rule."""
    flow = implementing(start)
    flow.at("2028-06-20T09:00:00+08:00")  # 37 days after 2028-05-14
    assert flow.ready() == ["request"]
    flow.do("request", DOCS)
    assert flow.ready() == ["user_eval"]  # 003 §12(9)2: the issuer's user evaluation first
    data = flow.data
    assert data["acceptance_late"] is True and "003 §12(9)" in data["acceptance_note"]
    flow.do("user_eval", {"user_rating": "basically"})
    flow.do("review", {"acceptance_outcome": "pass", "acceptance_opinion": "通过"})
    pay_tranche(flow)  # 003 §13(1): the acceptance stage
    assert status(flow) == "paying"  # 003 §13(2): the issuer still owes the solver part of its contract
    contract_paid(flow)
    assert flow.info()["status"] == "completed" and status(flow) == "accepted"


def test_acceptance_request_within_30_days_not_flagged(start) -> None:  # type: ignore[no-untyped-def]
    """003 §12(9)1: a request on the 30th day after the end is in time."""
    flow = implementing(start)
    flow.at("2028-06-13T09:00:00+08:00")  # 30 days after 2028-05-14
    flow.do("request", DOCS)
    assert flow.data["acceptance_late"] is False and flow.data["acceptance_note"] == ""


def test_revocation_recovers_all_without_credit_record(start) -> None:  # type: ignore[no-untyped-def]
    """003 §17: a revoked project returns all the fiscal money disbursed (whatever the audit says is unspent);
    the termination_karamay row 'revocation' adds no credit record; the project is revoked."""
    flow = implementing(start)
    flow.at("2027-02-01T09:00:00+08:00")
    flow.message("termination_request", {"cause": "revocation", "reason": "擅自变更揭榜方"})
    assert flow.ready() == ["audit"]
    flow.do("audit", {"audit_unspent": [{"solver": "KARAMAY-S1", "unspent_fen": "100,000"}]})
    assert flow.data["recovery_mode"] == "all" and "003 §17" in flow.data["termination_source"]
    flow.do("decide", {"termination_decision": "approve"})
    assert flow.ready() == ["issuer_consent"]  # 003 §17: reviewed jointly with the issuer
    flow.do("issuer_consent", {"consent_decision": "approve", "consent_opinion": "同意撤销"})
    assert flow.info()["status"] == "completed"
    bal = ledger.balance(flow.s, flow.key)
    assert bal["recovered_fen"] == FIRST_FEN and bal["held_fen"] == 0
    assert status(flow) == "revoked"
    count = select(func.count()).select_from(CreditRecord).where(CreditRecord.subject == "KARAMAY-S1")
    assert flow.s.scalar(count) == 0


def test_jiebang_projects_are_kept_apart_for_other_plans_limits(start, world) -> None:  # type: ignore[no-untyped-def]
    """003 §11: 揭榜挂帅 projects are not counted in the limits of other city S&T plans. The system records
    every project with scheme 'jiebang', and the facts it gives other checks count them apart."""
    from engine.domain.date_helpers import today_local
    from engine.domain.eligibility import applicant_facts

    flow = implementing(start)
    row = flow.s.scalar(select(Project).where(Project.code == flow.key))
    assert (row.scheme, row.status, row.solver) == ("jiebang", "ongoing", "KARAMAY-S1")
    facts = applicant_facts(
        world,
        jurisdiction="karamay",
        issuer="KARAMAY-ISS",
        solver="KARAMAY-S1",
        members=[],
        today=today_local(),
    )
    assert facts["solver_ongoing"] >= 1 and facts["solver_ongoing_non_jiebang"] == facts["solver_ongoing"] - 1


def test_003_s13_2_enterprise_fiscal_follows_issuer_payment(start) -> None:  # type: ignore[no-untyped-def]
    """003 §13(2): 企业出题 support goes to the issuer according to its payments to the solver — none at the task
    book before the issuer has paid; the books show the whole support as still owed to the issuer."""
    flow = at_contract(start, "enterprise_posed")
    flow.do("sign_contract", {"period_months": 24, **TASK_BOOK})
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == 0
    kept = books.books(flow.data, ledger.rows(flow.s, flow.key), "ongoing")
    owed = {p.party: p.fiscal_owed_fen for p in kept.parties}
    assert owed["KARAMAY-ISS"] == FISCAL_FEN and owed.get("KARAMAY-S1", 0) == 0 and kept.balanced
    # the issuer records its payment to the undertaker in its own task; the fiscal money then follows it: 30 % of
    # the contract paid lets at most 30 % of the support go out (less than the first tranche's 40 %)
    assert flow.ready() == ["issuer_payment"]
    flow.do("issuer_payment", {"issuer_paid_fen": "3,000,000"})
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == FISCAL_FEN * 30 // 100
    kept = books.books(flow.data, ledger.rows(flow.s, flow.key), "ongoing")
    owed = {p.party: p.fiscal_owed_fen for p in kept.parties}
    assert owed["KARAMAY-ISS"] == FISCAL_FEN - FISCAL_FEN * 30 // 100 and kept.balanced
    assert "issuer_payment" not in flow.ready()


def test_003_s13_1_industry_common_paid_in_stages_to_the_undertaker(start) -> None:  # type: ignore[no-untyped-def]
    """003 §13(1): 行业共性 is mainly fiscal, paid from the approval on; the support is not limited to 40 % of the
    contract (a support of 60 % is accepted); the first stage goes to the project undertaker."""
    flow = start("karamay")
    to_review(flow, [application("KARAMAY-S1", "KARAMAY-P1")])
    flow.do("form_panel", panel(["e1", "e2", "e3"], chair_by_issuer=True))
    score_all(flow, {"KARAMAY-S1": 88})
    flow.do(
        "third_party_recommend",
        {"recommended_solvers": "KARAMAY-S1", "project_budget_fen": "10,000,000", "cost_opinion": "经费合理"},
    )
    flow.do(
        "select",
        {
            "mode": "single",
            "selected": "KARAMAY-S1",
            "contract_fen": "10,000,000",
            "fiscal_support_fen": "6,000,000",
            "selection_reason": "评分最高",
        },
    )
    assert flow.ready() == ["approve"] and flow.data["fiscal_support_fen"] == 600_000_000
    flow.do("approve", {"approval": "approve"})
    flow.at("2026-05-14T00:00:00+08:00")
    flow.do("sign_contract", {"period_months": 24, **TASK_BOOK})
    pay_tranche(flow)  # the approval stage, by the bureau's clerk
    assert ledger.balance(flow.s, flow.key, "KARAMAY-S1")["disbursed_fen"] == 600_000_000 * 40 // 100


def test_003_s13_2_fiscal_tranches_follow_the_issuers_payments_during_implementation(start) -> None:  # type: ignore[no-untyped-def]
    """003 §13(2): 市财政科研项目资金根据发榜方拨款进度给予支持 — the issuer pays 30 % of its 10,000,000 contract at
    the task book (fiscal 1,200,000 = 30 % of the 4,000,000 support, less than the first 40 %); after the first
    milestone it pays nothing more, so no fiscal share moves although the milestone passed; after the second it
    pays the other 70 % (7,000,000, with proof; more than the contract or no proof is refused before submit) and
    the support catches up with the schedule (40 % + 20 % + 20 % = 3,200,000); acceptance pays the last 800,000."""
    flow = at_contract(start, "enterprise_posed")
    milestones = [
        {"title": "小试", "due_date": "2026-12-31", "indicators": "样机", "tranche_pct": 20},
        {"title": "中试", "due_date": "2027-06-30", "indicators": "中试线", "tranche_pct": 20},
    ]
    flow.do("sign_contract", {"period_months": 24, "milestones": milestones, **TASK_BOOK})
    flow.do("issuer_payment", {"issuer_paid_fen": "3,000,000", "payment_proof": PDF})
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == FISCAL_FEN * 30 // 100
    check = {"milestone_passed": "yes", "milestone_opinion": "达标"}
    flow.at("2027-01-01T09:00:00+08:00")
    flow.do("milestone_check", check)
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == FISCAL_FEN * 30 // 100  # waits for the issuer
    (task,) = flow.info()["ready_tasks"]
    assert (task["task"], role_of_lane(task["lane"])) == ("issuer_progress_payment", "issuer")
    flow.do("issuer_progress_payment", {"progress_paid_fen": "0"})
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == FISCAL_FEN * 30 // 100
    flow.at("2027-07-01T09:00:00+08:00")
    flow.do("milestone_check", check)
    over = flow.refused(
        "issuer_progress_payment", {"progress_paid_fen": "7,000,000.01", "progress_payment_proof": PDF}
    )
    assert "7,000,000.00" in over["progress_paid_fen"] and "003 §13(2)" in over["progress_paid_fen"]
    assert "progress_payment_proof" in flow.refused(
        "issuer_progress_payment", {"progress_paid_fen": "7,000,000"}
    )
    flow.do("issuer_progress_payment", {"progress_paid_fen": "7,000,000", "progress_payment_proof": PDF})
    bal = ledger.balance(flow.s, flow.key)
    assert bal["issuer_paid_fen"] == 1_000_000_000 and bal["disbursed_fen"] == FISCAL_FEN * 80 // 100
    follow = [e for e in ledger.rows(flow.s, flow.key) if e.tranche == "follow"]
    # each fiscal movement follows an issuer payment: 30 % at the task book, the catch-up after the other 70 %
    assert [(e.party, e.amount_fen) for e in follow] == [
        ("KARAMAY-ISS", 120_000_000),
        ("KARAMAY-ISS", 200_000_000),
    ]
    assert "10,000,000.00" in (follow[-1].condition or "")
    # the issuer has paid the whole contract: no further payment task, the acceptance pays the rest
    flow.at(flow.data["checkpoint_at"])
    assert flow.ready() == ["request"]
    flow.do("request", DOCS)
    flow.do("user_eval", {"user_rating": "satisfied"})
    flow.do("review", {"acceptance_outcome": "pass", "acceptance_opinion": "通过"})
    assert flow.info()["status"] == "completed"
    kept = books.books(flow.data, ledger.rows(flow.s, flow.key), "accepted")
    assert kept.fiscal_paid_fen == FISCAL_FEN and kept.fiscal_owed_fen == 0 and kept.issuer_owed_fen == 0
    assert kept.balanced
