"""Drivers that take a challenge of any jurisdiction to a given stage with valid data (shared by tests)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from engine.domain import ledger
from engine.domain.problems import yuan
from engine.models.domain import Project

from .conftest import (
    DOCS,
    PDF,
    Flow,
    acceptance_panel,
    application,
    need,
    panel,
    register_contract,
    score_all,
)

JURISDICTIONS = ("urumqi", "dazu", "karamay", "zhangye")
REVIEW = {"importance": 9, "feasibility": 8, "difficulty": 7, "need_listed_decision": "list"}
#: (contract / paid to the solver, fiscal support) within each jurisdiction's ratio and cap (§3)
MONEY = {
    "urumqi": ("6,000,000", "2,000,000"),  # 002 五(二)1: ≤40% of the payment, ≤3,000,000
    "dazu": ("3,000,000", "900,000"),  # 001 十(一): ≤30% of the total, ≤1,000,000
    "karamay": ("10,000,000", "4,000,000"),  # 003 §13(2): ≤40% of the contract
    "zhangye": ("4,000,000", "800,000"),  # 004 四(一): 20% of the award, ≤1,000,000
}
#: the first fiscal tranche in fen: Urumqi 50% (policy parameter), Dazu 50% (001 十(二)), Karamay 40%
#: (003 §13(1), share a policy parameter), Zhangye 50% (004 四(一))
FIRST_FEN = {"urumqi": 100_000_000, "dazu": 45_000_000, "karamay": 160_000_000, "zhangye": 40_000_000}
#: what the issuer pays the solver before the first fiscal tranche: 001 十(二) 40% of the 3,000,000 contract;
#: 004 四(一) 30% of the total project investment (need() posts 8,000,000)
PREPAY = {"dazu": "1,200,000", "zhangye": "2,400,000"}
#: the publicity window (000 §12(5) 7 days; 001 八(五), 003 §12(6) 5 working days; Zhangye a policy parameter)
PUBLICITY = {"urumqi": (7, "days"), "dazu": (5, "working_days"), "karamay": (5, "working_days")}
PUBLICITY["zhangye"] = (5, "working_days")
#: who must approve an extension besides the bureau (001 八(八) district government; 004 三(五) group leader)
#: the task book's fields of one jurisdiction only (001 八(六) confidentiality, 003 §12(7) chief expert,
#: 004 五(一) service commissioner); the form shows each only where it applies
TASK_BOOK_EXTRA: dict[str, dict[str, Any]] = {
    "dazu": {"confidentiality": True, "integrity_pledge": True},
    "karamay": {"chief_expert": "KARAMAY-P1"},
    "zhangye": {"commissioner": "ZHANGYE-G1"},
}
#: Dazu's need-selection panel (001 八(二): ≥5, odd) and the district government's approval of the list
NEED_PANEL = ["e1", "e2", "e3", "e4", "e5"]
LIST_APPROVED = {"list_review": "approve", "list_review_opinion": "同意发布"}
NEEDS_APPROVER = {"urumqi": False, "dazu": True, "karamay": False, "zhangye": True}
#: where the issuer agrees to an extension after the bureau (003 §19: the request goes to both)
NEEDS_ISSUER = {"urumqi": False, "dazu": False, "karamay": True, "zhangye": False}
#: who consents to a termination after the bureau (001 八(八) the district government; 003 §17 the issuer)
CONSENT = {"dazu": "gov_consent", "karamay": "issuer_consent"}
#: the third-party audit an extension waits for (000 §14, Urumqi)
EXTENSION_AUDIT = {
    "extension_audit_report": PDF,
    "extension_audit_opinion": "延期理由属客观原因，资金使用合规",
}


def dazu_settlement(flow: Flow, used: str = "450,000") -> None:
    """After a Dazu acceptance: the commissioned third-party audit of fund use (001 十一(一)), then — after a
    pass or 结题 — the issuer's payment of the rest of the contract with its proof (001 十(二): 项目验收通过后，需求
    单位拨付剩余经费给揭榜单位), which releases the fiscal rest."""
    assert flow.ready() == ["fund_audit"], flow.ready()
    flow.do(
        "fund_audit",
        {"fund_audit_report": PDF, "fund_audit_used_fen": used, "fund_audit_opinion": "资金使用合规"},
    )
    if flow.ready() == ["issuer_final_payment"]:
        owed = yuan(flow.data["settlement_figures"]["final_owed_fen"])
        flow.do("issuer_final_payment", {"final_paid_fen": owed, "final_payment_proof": PDF})


def contract_paid(flow: Flow, paid_on: str | None = None) -> None:
    """After an acceptance (Urumqi 002 五(二)1, Karamay 003 §13(2), Zhangye 004 三(五)): the issuer pays the
    solver what it still owes under the contract in one payment with its day and proof, so the project can be
    settled (bpmn/shared/contract_payment.bpmn). ``paid_on``: the payment day, by default the simulated today."""
    if "issuer_contract_payment" in flow.ready():
        owed = yuan(flow.data["contract_figures"]["owed_fen"])
        paid_on = paid_on or flow.sim.now().date().isoformat()
        flow.do(
            "issuer_contract_payment",
            {"contract_paid_fen": owed, "contract_paid_on": paid_on, "contract_payment_proof": PDF},
        )


def terminate(flow: Flow) -> None:
    """The bureau's confirmation of a termination, then the consent the jurisdiction asks for."""
    flow.do("decide", {"termination_decision": "approve"})
    if flow.j in CONSENT:
        assert flow.ready() == [CONSENT[flow.j]]
        flow.do(CONSENT[flow.j], {"consent_decision": "approve", "consent_opinion": "同意"})


def to_scoring(flow: Flow, published_on: str = "2026-05-06") -> list[str]:
    """A started challenge (any start data) of ``flow.j`` through the need, the list published on
    ``published_on`` and ``<J>-S1``'s application to the panel's scoring; returns the panel's experts."""
    j, code = flow.j, flow.j.upper()
    flow.do("post_need", need())
    if j == "urumqi":
        flow.do("recommend", {"recommended": "yes"})
    if j == "dazu":
        flow.do("form_need_panel", panel(NEED_PANEL))  # 001 八(二): the need-selection panel
    flow.do("need_review", REVIEW)
    if j == "dazu":
        flow.do("municipal_check", {"taken_municipal": "no"})
        flow.do("list_review", LIST_APPROVED)  # 001 八(二): the district government approves the list
    flow.do("publish_list", {"list_published_on": published_on})
    flow.do("collect_applications", {"applications": [application(f"{code}-S1", f"{code}-P1")]})
    if j == "urumqi":
        flow.do("few_teams", {"few_teams_choice": "proceed", "few_teams_reason": "领域冷门"})
    experts = ["e1", "e2", "e3", "e4", "e5"] if j == "dazu" else ["e1", "e2", "e3"]
    flow.do("form_panel", panel(experts, chair_by_issuer=j == "karamay"))
    return experts


def to_approve(flow: Flow, published_on: str = "2026-05-06") -> None:
    """A started challenge (any start data) of ``flow.j`` through the need, the list published on
    ``published_on``, ``<J>-S1``'s application, the panel's scores and the selection, to the approval."""
    j, code = flow.j, flow.j.upper()
    to_scoring(flow, published_on)
    score_all(flow, {f"{code}-S1": 90})
    contract, fiscal = MONEY[j]
    if j == "karamay":
        flow.do(
            "third_party_recommend",
            {"recommended_solvers": f"{code}-S1", "project_budget_fen": contract, "cost_opinion": "合理"},
        )
    flow.do(
        "select",
        {
            "mode": "single",
            "selected": f"{code}-S1",
            "contract_fen": contract,
            "fiscal_support_fen": fiscal,
            "selection_reason": "评分最高",
        },
    )
    assert flow.ready() == ["approve"]


def end_of_publicity(flow: Flow) -> str:
    (timer,) = flow.info()["timers"]
    return timer["due_at"]


def implementing(
    start: Any, j: str, milestones: list[dict[str, Any]] | None = None, prepayment_proof: str | None = None
) -> Flow:
    """A 24-month project of ``j`` with ``<J>-S1`` after publicity, the task book, the issuer's prepayment
    where the policy asks for it (with its proof, a PDF of that name, given ``prepayment_proof``), and the
    first fiscal tranche."""
    flow = start(j)
    to_approve(flow)
    flow.do("approve", {"approval": "approve"})
    due = datetime.fromisoformat(end_of_publicity(flow))
    flow.at((due + timedelta(minutes=1)).isoformat())
    flow.do(
        "sign_contract",
        {
            "period_months": 24,
            "ip_ownership": "发榜方所有",
            "disbursement_plan": "按政策分期",
            "milestones": milestones or [],
            **TASK_BOOK_EXTRA.get(j, {}),
        },
    )
    register_contract(flow)  # 002 五(二)6 (Urumqi only)
    if j in PREPAY:
        proof = {"payment_proof": dict(PDF, name=prepayment_proof)} if prepayment_proof else {}
        flow.do("issuer_payment", {"issuer_paid_fen": PREPAY[j], **proof})
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == FIRST_FEN[j]
    return flow


def accept(flow: Flow, outcome: str = "pass", opinion: str = "通过", **review: Any) -> None:
    """The solver sends the acceptance documents, then the panel of five (001 八(八): at least 5, an odd
    number) gives ``outcome`` with ``opinion`` (and any other ``review`` fields)."""
    flow.do("request", DOCS)
    flow.do(
        "review",
        {
            "acceptance_outcome": outcome,
            "acceptance_opinion": opinion,
            "acceptance_panel": acceptance_panel(flow),
            **review,
        },
    )


def passed(start: Any, j: str) -> Flow:
    """A project of ``j`` (``implementing``) whose acceptance passed at the end of its period — in Karamay
    after the issuer's user evaluation (003 §12(9)2), in Dazu followed by the settlement — before any payment
    the issuer owes the solver."""
    return passed_at_the_end(implementing(start, j), j)


def passed_at_the_end(flow: Flow, j: str) -> Flow:
    """A project of ``j`` in its period whose acceptance passes at the end of it (as ``passed``)."""
    flow.at(flow.data["checkpoint_at"])
    if j == "karamay":  # 003 §12(9)2: the issuer's user evaluation before the panel
        flow.do("request", DOCS)
        flow.do("user_eval", {"user_rating": "basically"})
        flow.do("review", {"acceptance_outcome": "pass", "acceptance_opinion": "通过"})
    else:
        accept(flow)
    if j == "dazu":
        dazu_settlement(flow)
    return flow


def pass_acceptance(flow: Flow) -> Flow:
    """At the end of the period: the acceptance documents, then a passed acceptance."""
    flow.at(flow.data["checkpoint_at"])
    accept(flow)
    if flow.data.get("jurisdiction") in ("urumqi", "karamay", "zhangye"):
        contract_paid(flow)
    return flow


def status(flow: Flow) -> str:
    return flow.s.scalar(select(Project.status).where(Project.code == flow.key))


#: Dazu's fiscal support in the lifecycle tests: 900,000 CNY, ≤30% of the 3,000,000 contract (001 十(一))
DAZU_FISCAL_FEN = 90_000_000
#: a milestone-checking panel of five (001 八(七): at least 5 and odd)
PANEL_FIVE = "发榜单位负责人,行业主管专家,一线专家,区外专家,区内专家"
PANEL_SIX = PANEL_FIVE + ",备选专家"
#: the first milestone passes; the second fails and the project goes on (001 八(七))
MILESTONE_PASSED = {
    "milestone_passed": "yes",
    "milestone_opinion": "现场核验达标",
    "milestone_panel": PANEL_FIVE,
}
MILESTONE_FAILED_CONTINUE = {
    "milestone_passed": "no",
    "milestone_opinion": "中试未达指标",
    "milestone_panel": PANEL_FIVE,
    "milestone_action": "continue",
}
MILESTONES = [
    {"title": "小试", "due_date": "2026-11-30", "indicators": "纯度 99.99%"},
    {"title": "中试", "due_date": "2027-06-30", "indicators": "纯度 99.999%"},
]


def dazu_published(flow: Flow, published_on: str = "2026-06-20", **need_over: Any) -> None:
    """A Dazu need (``need(**need_over)``) from its posting through the need panel, the district's list
    approval and publication on ``published_on`` (001 八(二)), to the bureau's record of the applications."""
    flow.do("post_need", need(**need_over))
    flow.do("form_need_panel", panel(NEED_PANEL))  # 001 八(二)
    flow.do("need_review", REVIEW)
    flow.do("municipal_check", {"taken_municipal": "no"})
    flow.do("list_review", LIST_APPROVED)  # 001 八(二)
    flow.do("publish_list", {"list_published_on": published_on})
    assert flow.ready() == ["collect_applications"], flow.ready()


def to_review(flow: Flow, applications: list[dict[str, Any]]) -> None:
    """A Dazu need published (``dazu_published``) and its applications recorded."""
    dazu_published(flow)
    flow.do("collect_applications", {"applications": applications})


#: the Dazu bureau selects DAZU-S1 alone (001 十(一): fiscal support ≤30% of the 3,000,000 contract, ≤1,000,000)
DAZU_SELECTION = {
    "mode": "single",
    "selected": "DAZU-S1",
    "contract_fen": "3,000,000",
    "fiscal_support_fen": "900,000",
    "selection_reason": "唯一",
}


def select_and_approve(flow: Flow) -> None:
    """After the scores: the Dazu bureau selects DAZU-S1 (``DAZU_SELECTION``), the district government approves."""
    flow.do("select", DAZU_SELECTION)
    flow.do("approve", {"approval": "approve"})


def to_review_refused(flow: Flow, applications: list[dict[str, Any]]) -> dict[str, str]:
    """As ``to_review``, but the bureau's record of ``applications`` is refused beside the fields (nothing is
    saved; the task stays open). Returns the Chinese messages by field."""
    dazu_published(flow)
    return flow.refused("collect_applications", {"applications": applications})


def signed(
    start: Any,
    milestones: list[dict[str, Any]] | None = None,
    period_months: int = 24,
    expect_ok: bool = True,
) -> Flow:
    """A Dazu project with DAZU-S1 after the task book, the issuer's 40% and the first fiscal 50%."""
    flow = start("dazu")
    to_review(flow, [application("DAZU-S1", "DAZU-P1")])
    flow.do("form_panel", panel(["e1", "e2", "e3", "e4", "e5"]))
    score_all(flow, {"DAZU-S1": 88})
    select_and_approve(flow)
    flow.at("2026-05-13T00:00:00+08:00")
    book: dict[str, Any] = {
        "period_months": period_months,
        "ip_ownership": "需求单位",
        "disbursement_plan": "50/50",
        "confidentiality": True,  # 001 八(六)
        "integrity_pledge": True,  # 001 八(六)
    }
    if milestones:
        book["milestones"] = milestones
    if not expect_ok:
        flow.problems = flow.refused("sign_contract", book)  # type: ignore[attr-defined]
        return flow
    flow.do("sign_contract", book)
    flow.do("issuer_payment", {"issuer_paid_fen": "1,200,000"})
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == DAZU_FISCAL_FEN // 2
    return flow


def dazu_milestones_to_acceptance(flow: Flow) -> None:
    """A signed Dazu project with ``MILESTONES`` to its acceptance request: the first milestone passes and the
    issuer pays its stage share (001 八(七), 十(二)), the second fails and the project continues, then the
    period ends."""
    flow.at("2026-12-01T00:00:00+08:00")
    flow.do("milestone_check", MILESTONE_PASSED)
    flow.do("issuer_stage_payment", {"stage_paid_fen": "900,000"})
    flow.at("2027-07-01T09:00:00+08:00")
    flow.do("milestone_check", MILESTONE_FAILED_CONTINUE)
    flow.at("2028-05-14T09:00:00+08:00")


def dazu_milestones_to_settlement(flow: Flow) -> None:
    """A signed Dazu project with ``MILESTONES`` to its end: the two milestones
    (``dazu_milestones_to_acceptance``), acceptance at the period end passes, then the audit and the issuer's
    final payment (001 十一(一), 十(二))."""
    dazu_milestones_to_acceptance(flow)
    accept(flow)
    dazu_settlement(flow)
    assert flow.info()["status"] == "completed", flow.info()["status"]


def dazu_lifecycle(start: Any) -> Flow:
    """The whole Dazu lifecycle of a project with two milestones, need to settlement (the benchmark's)."""
    flow = signed(start, milestones=MILESTONES)
    dazu_milestones_to_settlement(flow)
    return flow
