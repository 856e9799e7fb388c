"""Rules shared by several jurisdictions or contrasted between them: need attachments and end user (002, 003),
minimum investment (000 §6), project period (000 §6, 001 七), 结题 without the rest of the money."""

from __future__ import annotations

from sqlalchemy import select

from engine.domain import ledger
from engine.models.domain import Project

from .conftest import DOCS, PDF, application, need, panel, register_contract, score_all
from .drivers import contract_paid, to_approve

REVIEW = {"importance": 9, "feasibility": 8, "difficulty": 7, "need_listed_decision": "list"}


def test_urumqi_issuer_not_end_user_refused(start) -> None:  # type: ignore[no-untyped-def]
    """002 二(一)2(5): a need from a unit that is not the end user of the technology is not supported; the
    issuer is told beside the field before the need is submitted."""
    flow = start("urumqi")
    refused = flow.refused("post_need", need(issuer_end_user=False))
    assert "002 二(一)2(5)" in refused["issuer_end_user"] and "最终用户" in refused["issuer_end_user"]


def test_karamay_issuer_not_end_user_refused(start) -> None:  # type: ignore[no-untyped-def]
    """003 §12(1): the enterprise posing the need must be its end user."""
    flow = start("karamay")
    assert "003 §12(1)" in flow.refused("post_need", need(issuer_end_user=False))["issuer_end_user"]
    flow.do("post_need", need())
    assert flow.ready() == ["need_review"]


def test_urumqi_breakthrough_needs_audits_transfer_does_not(start) -> None:  # type: ignore[no-untyped-def]
    """002 五(二)5: a tech-breakthrough need comes with the audited reports of 2024 and 2025; an
    achievement-transfer need brings other evidence and is accepted without them."""
    breakthrough = start("urumqi")
    assert (
        "002 五(二)5"
        in breakthrough.refused("post_need", need(audit_prev=None, audit_last=None))["audit_prev"]
    )
    assert "002 五(二)5" in breakthrough.refused("post_need", need(audit_last=None))["audit_last"]
    transfer = start("urumqi")
    transfer.do("post_need", need(category="transfer", audit_prev=None, audit_last=None))
    assert transfer.ready() == ["recommend"]
    assert transfer.data["need_refusals"] == []


def test_urumqi_ethics_review_required(start) -> None:  # type: ignore[no-untyped-def]
    """002 五(二)9: life science, medicine or AI work involving humans or animals submits an ethics review."""
    flow = start("urumqi")
    assert "002 五(二)9" in flow.refused("post_need", need(ethics_field=True))["ethics_review"]
    flow.do("post_need", need(ethics_field=True, ethics_review=PDF))
    assert flow.ready() == ["recommend"]


def test_urumqi_minimum_total_investment(start) -> None:  # type: ignore[no-untyped-def]
    """000 §6, 002 五(二)1: a single project's total investment is at least 5,000,000 CNY."""
    flow = start("urumqi")
    reason = flow.refused("post_need", need(need_total_fen="4,999,999.99"))["need_total_fen"]
    assert "5000000" in reason and "002 五(二)1" in reason
    flow.do("post_need", need(need_total_fen="5,000,000"))
    assert flow.ready() == ["recommend"]
    # no minimum elsewhere (Dazu 001, Karamay 003, Zhangye 004)
    dazu = start("dazu")
    dazu.do("post_need", need(need_total_fen="100,000"))
    assert dazu.ready() == ["form_need_panel"]  # accepted: the need-selection panel next (001 八(二))


def test_several_missing_items_are_all_named(start) -> None:  # type: ignore[no-untyped-def]
    """002 二(一)2(5), 五(二)4, 五(二)5, 五(二)9, 000 §6: every missing item is named beside its field, not only
    the first."""
    flow = start("urumqi")
    refused = flow.refused(
        "post_need",
        need(
            issuer_end_user=False,
            pledge_unit=False,
            audit_prev=None,
            ethics_field=True,
            need_total_fen="1,000,000",
        ),
    )
    assert set(refused) == {"issuer_end_user", "pledge_unit", "audit_prev", "ethics_review", "need_total_fen"}
    joined = " | ".join(refused.values())
    for source in ("002 二(一)2(5)", "002 五(二)4", "002 五(二)5", "002 五(二)9", "002 五(二)1"):
        assert source in joined


# --- period ≤ 3 years (000 §6, 001 七) ---------------------------------------------------------------------


def urumqi_to_contract(flow, wait: bool = True) -> None:  # type: ignore[no-untyped-def]
    """Approved on 2026-05-06; with ``wait`` the 7-day publicity has passed (2026-05-13)."""
    flow.do("post_need", need())
    flow.do("recommend", {"recommended": "yes"})
    flow.do("need_review", REVIEW)
    flow.do("publish_list", {"list_published_on": "2026-06-20"})
    solvers = ("URUMQI-S1", "URUMQI-S2", "URUMQI-S3")
    members = ("URUMQI-P1", "URUMQI-P4", "URUMQI-P7")
    flow.do(
        "collect_applications",
        {"applications": [application(s, m) for s, m in zip(solvers, members, strict=True)]},
    )
    flow.do("form_panel", panel(["expert_urumqi", "expert2", "expert3"]))
    score_all(flow, {"URUMQI-S1": 90, "URUMQI-S2": 85, "URUMQI-S3": 80})
    flow.do(
        "select",
        {
            "mode": "single",
            "selected": "URUMQI-S1",
            "contract_fen": "6,000,000",
            "fiscal_support_fen": "2,000,000",
            "selection_reason": "评分最高",
        },
    )
    flow.do("approve", {"approval": "approve"})
    if wait:
        flow.at("2026-05-13T00:00:00+08:00")


def dazu_to_contract(flow) -> None:  # type: ignore[no-untyped-def]
    to_approve(flow, published_on="2026-06-20")
    flow.do("approve", {"approval": "approve"})
    flow.at("2026-05-12T00:00:00+08:00")


TASK_BOOK = {"ip_ownership": "发榜方", "disbursement_plan": "50/50"}


def test_urumqi_period_over_three_years_refused(start) -> None:  # type: ignore[no-untyped-def]
    """000 §6, 002 五(二)1: the period is in principle at most 3 years; 37 months are refused and the task
    book is filled in again; 36 months are accepted."""
    flow = start("urumqi")
    urumqi_to_contract(flow)
    assert "1–36" in flow.refused("sign_contract", {"period_months": 37, **TASK_BOOK})["period_months"]
    assert flow.ready() == ["sign_contract"]
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == 0
    flow.do("sign_contract", {"period_months": 36, **TASK_BOOK})
    assert flow.data["contract_problem"] == "" and flow.data["period_end"] == "2029-05-13"
    register_contract(flow)  # 002 五(二)6: the first tranche waits for the registration
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == 100_000_000


def test_dazu_period_over_three_years_refused(start) -> None:  # type: ignore[no-untyped-def]
    """001 七: the period is at most 3 years; 37 months are refused and the task book is ready again."""
    flow = start("dazu")
    dazu_to_contract(flow)
    book = dict(TASK_BOOK, confidentiality=True, integrity_pledge=True)  # 001 八(六)
    assert "1–36" in flow.refused("sign_contract", {"period_months": 37, **book})["period_months"]
    flow.do("sign_contract", {"period_months": 36, **book})
    assert flow.ready() == ["issuer_payment"]


# --- 结题 in Urumqi (final_on_closed False) ------------------------------------------------------------------


def test_urumqi_closed_does_not_pay_the_rest(start) -> None:  # type: ignore[no-untyped-def]
    """000 §12(7) acceptance result 结题 (closed, a policy parameter for Urumqi): the project is closed but the
    rest of the fiscal support is not paid (only a pass pays it, 000 §12(6)–(7))."""
    flow = start("urumqi")
    urumqi_to_contract(flow)
    flow.do("sign_contract", {"period_months": 24, **TASK_BOOK})
    register_contract(flow)  # 002 五(二)6
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == 100_000_000
    flow.at("2028-05-14T01:00:00+08:00")
    flow.do("request", DOCS)
    flow.do("review", {"acceptance_outcome": "closed", "acceptance_opinion": "结题"})
    # 002 五(二)1: a closed project's contract still runs — the issuer pays the solver before the settlement
    assert flow.ready() == ["issuer_contract_payment"]
    contract_paid(flow)
    assert flow.info()["status"] == "completed"
    bal = ledger.balance(flow.s, flow.key)
    assert bal["disbursed_fen"] == 100_000_000 and bal["recovered_fen"] == 0
    project = flow.s.scalar(select(Project).where(Project.code == flow.key))
    assert project.status == "closed"


# --- Urumqi: milestone checks from 3 years on; revocation -----------------------------------------------------


def test_urumqi_three_year_project_gets_expert_milestone_checks(start) -> None:  # type: ignore[no-untyped-def]
    """000 §12(7): projects under 3 years are self-managed; a 36-month project has process checks: the
    milestone of the task book comes to the expert lane and a pass pays its tranche."""
    from engine.lint import role_of_lane

    milestone = {"title": "中试", "due_date": "2027-05-01", "indicators": "纯度", "tranche_pct": 25}
    short = start("urumqi")
    urumqi_to_contract(short, wait=False)
    flow = start("urumqi")
    urumqi_to_contract(flow)
    short.do("sign_contract", {"period_months": 35, "milestones": [milestone], **TASK_BOOK})
    register_contract(short)  # 002 五(二)6
    assert short.data["self_managed"] is True and short.data["checkpoint_kind"] == "period_end"
    flow.do("sign_contract", {"period_months": 36, "milestones": [milestone], **TASK_BOOK})
    register_contract(flow)
    assert flow.data["self_managed"] is False and flow.data["checkpoint_kind"] == "milestone"
    flow.at("2027-05-01T12:00:00+08:00")
    assert flow.ready() == []
    flow.at("2027-05-02T09:00:00+08:00")
    ready = flow.info()["ready_tasks"]
    assert [(t["task"], role_of_lane(t["lane"])) for t in ready] == [("milestone_check", "expert")]
    flow.do("milestone_check", {"milestone_passed": "yes", "milestone_opinion": "达标"})
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == 100_000_000 + 50_000_000
    assert flow.ready() == [] and flow.data["checkpoint_kind"] == "period_end"


def test_urumqi_revocation_recovers_all_and_records_misconduct(start) -> None:  # type: ignore[no-untyped-def]
    """000 §15–16 (termination_urumqi row 'revocation'): all disbursed fiscal money is recovered, the solver
    gets a misconduct record with a penalty period, the project is revoked."""
    from engine.models.domain import CreditRecord

    flow = start("urumqi")
    urumqi_to_contract(flow)
    flow.do("sign_contract", {"period_months": 24, **TASK_BOOK})
    register_contract(flow)  # 002 五(二)6
    flow.at("2027-01-10T09:00:00+08:00")
    flow.message("termination_request", {"cause": "revocation", "reason": "弄虚作假"})
    flow.do("audit", {"audit_unspent": [{"solver": "URUMQI-S1", "unspent_fen": "10,000"}]})
    flow.do("decide", {"termination_decision": "approve"})
    assert flow.info()["status"] == "completed"
    bal = ledger.balance(flow.s, flow.key)
    assert bal["recovered_fen"] == 100_000_000 and bal["held_fen"] == 0
    assert flow.s.scalar(select(Project.status).where(Project.code == flow.key)) == "revoked"
    record = flow.s.scalars(select(CreditRecord).where(CreditRecord.subject == "URUMQI-S1")).one()
    assert record.kind == "misconduct" and record.penalty_until.isoformat() == "2030-01-10"
