"""Urumqi (000 draft measures, 002 2026 call guide): the whole lifecycle through the engine."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import tasks
from engine.domain import books, ledger
from engine.domain.problems import yuan
from engine.errors import ValidationFailed
from engine.models.domain import Project
from engine.models.instance import ProcessInstance

from .conftest import DOCS, PDF, application, need, panel, register_contract, registration, score_all
from .drivers import EXTENSION_AUDIT, contract_paid, status


def to_contract(
    flow,
    solvers=("URUMQI-S1", "URUMQI-S2", "URUMQI-S3"),
    mode="single",
    selected="URUMQI-S1",
    support="2,000,000",
    contract="6,000,000",
    stage_due=None,
):  # type: ignore[no-untyped-def]
    flow.do("post_need", need(race_wanted=mode == "race"))  # 000 §12(1): the race is the need's proposal
    flow.do("recommend", {"recommended": "yes"})
    flow.do(
        "need_review", {"importance": 90, "feasibility": 80, "difficulty": 70, "need_listed_decision": "list"}
    )
    flow.do("publish_list", {"list_published_on": "2026-06-20"})
    members = {
        s: f"{s.split('-')[0]}-P{i * 3 + 1},{s.split('-')[0]}-P{i * 3 + 2}" for i, s in enumerate(solvers)
    }
    flow.do("collect_applications", {"applications": [application(s, members[s]) for s in solvers]})
    flow.do("form_panel", panel(["expert_urumqi", "expert2", "expert3"]))
    score_all(flow, {s: 90 - i for i, s in enumerate(solvers)})
    data = {
        "mode": mode,
        "selected": selected,
        "contract_fen": contract,
        "fiscal_support_fen": support,
        "selection_reason": "评分最高",
    }
    if stage_due:
        data.update({"stage_due": stage_due, "stage_task": "样机"})
    flow.do("select", data)
    flow.do("approve", {"approval": "approve"})


def test_happy_path_to_acceptance(start) -> None:  # type: ignore[no-untyped-def]
    """000 §12 whole flow; 000 §12(5) publicity 7 days; 002 五(二)1 fiscal ≤40% of the payment, ≤3,000,000."""
    flow = start("urumqi")
    to_contract(flow)
    assert flow.ready() == []  # in publicity
    assert flow.info()["timers"][0]["due_at"].startswith("2026-05-12T16:00")  # 7 calendar days from 05-06
    assert flow.at("2026-05-13T00:00:00+08:00") == 1
    flow.do(
        "sign_contract",
        {
            "period_months": 24,
            "ip_ownership": "发榜方",
            "disbursement_plan": "50/50",
            "milestones": [{"title": "中试", "due_date": "2027-05-01", "indicators": "纯度"}],
        },
    )
    register_contract(flow)  # 002 五(二)6
    bal = ledger.balance(flow.s, flow.key)
    assert bal["disbursed_fen"] == 100_000_000  # first 50% of 2,000,000 CNY
    # under 3 years: self-managed, no milestone checks (000 §12(7)): the only deadline is the period end,
    # 2028-05-13; the reminder comes 14 days before it (policy parameter reminder_days)
    assert flow.info()["timers"][0]["due_at"].startswith("2028-04-28T16:00")
    assert flow.at("2028-04-29T08:00:00+08:00") == 1
    assert flow.ready() == [] and flow.info()["timers"][0]["due_at"].startswith("2028-05-13T16:00")
    flow.at("2028-05-14T01:00:00+08:00")
    flow.do("request", DOCS)
    flow.do("review", {"acceptance_outcome": "pass", "acceptance_opinion": "通过"})
    contract_paid_in_two(flow)
    assert flow.info()["status"] == "completed"
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == 200_000_000


def contract_paid_in_two(flow) -> None:  # type: ignore[no-untyped-def]
    """002 五(二)1: the issuer pays the solver the contract (揭榜金额). After acceptance the case waits for the
    issuer's payments; the books read 已结算 only when nothing is owed."""
    assert flow.ready() == ["issuer_contract_payment"]
    contract = flow.data["contract_fen"]
    assert flow.data["contract_figures"] == {
        "contracts_fen": contract,
        "issuer_paid_fen_so_far": 0,
        "owed_fen": contract,
    }
    # the project's status stays 实施中 until the settlement: the books still owe the fiscal rest too
    kept = books.books(flow.data, ledger.rows(flow.s, flow.key), status(flow))
    assert not kept.settled and kept.issuer_owed_fen == contract and kept.balanced
    assert kept.fiscal_owed_fen == 100_000_000
    payment = {"contract_paid_on": "2028-05-14", "contract_payment_proof": PDF}
    over = flow.refused("issuer_contract_payment", {**payment, "contract_paid_fen": yuan(contract + 1)})
    assert yuan(contract) in over["contract_paid_fen"] and "002 五(二)1" in over["contract_paid_fen"]
    late = flow.refused(
        "issuer_contract_payment", {**payment, "contract_paid_fen": "1", "contract_paid_on": "2028-05-15"}
    )
    assert "2028-05-14" in late["contract_paid_on"]
    flow.do("issuer_contract_payment", {**payment, "contract_paid_fen": yuan(contract - 100_000_000)})
    # part paid: the case still waits and the books say the issuer owes the last 1,000,000 元
    assert flow.ready() == ["issuer_contract_payment"] and flow.info()["status"] == "running"
    kept = books.books(flow.data, ledger.rows(flow.s, flow.key), status(flow))
    assert (kept.issuer_owed_fen, kept.settled) == (100_000_000, False)
    flow.do("issuer_contract_payment", {**payment, "contract_paid_fen": "1,000,000"})
    assert status(flow) == "accepted"
    kept = books.books(flow.data, ledger.rows(flow.s, flow.key), status(flow))
    assert kept.issuer_paid_fen == contract and kept.issuer_owed_fen == 0 and kept.fiscal_owed_fen == 0
    assert kept.settled and kept.balanced
    paid = [e for e in ledger.rows(flow.s, flow.key) if e.kind == "issuer_payment"]
    assert [(e.tranche, e.payer, e.amount_fen) for e in paid] == [
        ("contract", "URUMQI-ISS", contract - 100_000_000),
        ("contract", "URUMQI-ISS", 100_000_000),
    ]
    assert all(e.evidence and "2028-05-14" in (e.condition or "") for e in paid)


def test_late_need_refused_with_deadline(start) -> None:  # type: ignore[no-untyped-def]
    """002 五(一)1/3: online window closes 2026-06-10 19:30; late submissions are not accepted."""
    flow = start("urumqi")
    flow.at("2026-06-10T19:31:00+08:00")
    reason = flow.refused("post_need", need())["need_title"]  # told before submitting
    assert "申报已截止（截止时间 2026-06-10 19:30）" in reason and "002 五(一)1" in reason


def test_missing_pledge_refused(start) -> None:  # type: ignore[no-untyped-def]
    """002 五(二)4: without the integrity pledges of unit and leader the need is not accepted."""
    flow = start("urumqi")
    assert "002 五(二)4" in flow.refused("post_need", need(pledge_leader=False))["pledge_leader"]


def test_late_recommendation_refused(start) -> None:  # type: ignore[no-untyped-def]
    """002 五(一)2: recommendation deadline 2026-06-12 19:30."""
    flow = start("urumqi")
    flow.do("post_need", need())
    flow.at("2026-06-13T09:00:00+08:00")
    flow.do("recommend", {"recommended": "yes"})
    assert flow.info()["status"] == "completed" and "002 五(一)2" in flow.data["rec_refusal"]


def test_eligibility_refusals_name_rule_and_source(start) -> None:  # type: ignore[no-untyped-def]
    """000 §8, 002 二(三)5, 000 §10, 002 四(一)(二)(三): each refused application names the rule and source. What
    refuses a unit itself refuses it already in the bureau's form, beside the field (the pickers never offer
    it); what depends on the team is the diagram's eligibility table's."""
    flow = start("urumqi")
    flow.do("post_need", need())
    flow.do("recommend", {"recommended": "yes"})
    flow.do(
        "need_review", {"importance": 9, "feasibility": 8, "difficulty": 7, "need_listed_decision": "list"}
    )
    flow.do("publish_list", {"list_published_on": "2026-06-20"})
    units = [
        application("URUMQI-ISS", "URUMQI-PISS"),
        application("URUMQI-AFF", "URUMQI-P1", partners="URUMQI-S1"),
        application("URUMQI-BAD", "URUMQI-P1", partners="URUMQI-S1"),
        application("URUMQI-LATE", "URUMQI-P1", partners="URUMQI-S1"),
        application("URUMQI-BUSY", "URUMQI-P1", partners="URUMQI-S1"),
        application("URUMQI-S3", "URUMQI-P7", partners="URUMQI-ISS"),
    ]
    refused = flow.refused("collect_applications", {"applications": units})
    assert "发榜方与揭榜方不得为同一单位（000 §8）" in refused["applications.0.solver"]
    assert "（002 二(三)5, 003 §10, 001 五(二)）" in refused["applications.1.solver"]
    assert "（000 §10, 002 二(三)2, 001 五(二)4）" in refused["applications.2.solver"]
    assert "（002 四(一)）" in refused["applications.3.solver"]
    assert "（002 四(二)）" in refused["applications.4.solver"]
    assert "发榜方不得作为揭榜方的合作单位（000 §8）" in refused["applications.5.partners"]
    apps = [  # PBUSY and PPUN are researchers of URUMQI-S4, here a partner
        application("URUMQI-S1", "URUMQI-PBUSY", partners="URUMQI-S4"),
        application("URUMQI-S2", "URUMQI-P6,URUMQI-PPUN", partners="URUMQI-S4"),
        application("URUMQI-S4", "URUMQI-P8", partners="URUMQI-S3"),
    ]
    flow.do("collect_applications", {"applications": apps})
    data = flow.data
    rules = {(r["solver"], r["rule"], r["source"]) for r in data["application_refusals"]}
    assert ("URUMQI-S1", "limit_person_load", "002 四(二)") in rules
    assert ("URUMQI-S2", "misconduct_penalty", "002 四(三)") in rules
    assert data["candidates"] == ["URUMQI-S4"]
    # 000 §12(3): fewer than 3 teams -> the bureau extends or proceeds with a reason
    assert flow.ready() == ["few_teams"]


def test_fewer_than_three_teams_extend_then_proceed(start) -> None:  # type: ignore[no-untyped-def]
    """000 §12(3): in principle ≥3 teams; extend the window, then proceed with a recorded reason."""
    flow = start("urumqi")
    flow.do("post_need", need())
    flow.do("recommend", {"recommended": "yes"})
    flow.do(
        "need_review", {"importance": 9, "feasibility": 8, "difficulty": 7, "need_listed_decision": "list"}
    )
    flow.do("publish_list", {"list_published_on": "2026-06-20"})
    flow.do("collect_applications", {"applications": [application("URUMQI-S1", "URUMQI-P1")]})
    flow.do("few_teams", {"few_teams_choice": "extend", "few_teams_reason": "延长两周"})
    flow.do(
        "collect_applications",
        {"applications": [application("URUMQI-S1", "URUMQI-P1"), application("URUMQI-S2", "URUMQI-P4")]},
    )
    flow.do("few_teams", {"few_teams_choice": "proceed", "few_teams_reason": "领域冷门"})
    assert flow.ready() == ["form_panel"]
    assert flow.data["few_teams_reason"] == "领域冷门"


def test_fiscal_cap_refused_then_corrected(start) -> None:  # type: ignore[no-untyped-def]
    """002 五(二)1: fiscal support ≤40% of the payment to the solver and ≤3,000,000 CNY."""
    flow = start("urumqi")
    with pytest.raises(ValidationFailed) as caught:
        to_contract(flow, support="2,400,001", contract="6,000,000")
    flow.s.rollback()
    (msg,) = caught.value.details["fields"]["fiscal_support_fen"]
    assert "2,400,000.00" in msg and "002 五(二)1" in msg
    assert flow.ready() == ["select"]
    choice = {
        "mode": "single",
        "selected": "URUMQI-S1",
        "contract_fen": "6,000,000",
        "selection_reason": "评分最高",
    }
    flow.do("select", dict(choice, fiscal_support_fen="2,400,000"))
    assert flow.ready() == ["approve"] and flow.data["fiscal_support_fen"] == 240_000_000


def test_objection_during_publicity_then_continue(start) -> None:  # type: ignore[no-untyped-def]
    """000 §12(5): an objection interrupts the 7-day publicity; continuing opens a new full window."""
    flow = start("urumqi")
    to_contract(flow)
    flow.at("2026-05-08T10:00:00+08:00")
    flow.message("objection", {"text": "存在关联"})
    flow.do("handle_objection", {"objection_decision": "continue", "objection_reason": "经核实无关联"})
    assert flow.info()["timers"][0]["due_at"].startswith("2026-05-14T16:00")


def test_objection_upheld_stops(start) -> None:  # type: ignore[no-untyped-def]
    """000 §12(5): 公示无异议的予以立项 — an upheld objection stops the project."""
    flow = start("urumqi")
    to_contract(flow)
    flow.message("objection", {"text": "造假"})
    flow.do("handle_objection", {"objection_decision": "stop", "objection_reason": "属实"})
    assert flow.info()["status"] == "completed" and flow.data["publicity_result"] == "stopped"


def implementing(start, **kw):  # type: ignore[no-untyped-def]
    flow = start("urumqi")
    to_contract(flow, **kw)
    flow.at("2026-05-13T00:00:00+08:00")
    flow.do("sign_contract", {"period_months": 24, "ip_ownership": "发榜方", "disbursement_plan": "50/50"})
    register_contract(flow)
    return flow


def test_extension_granted_then_second_refused(start) -> None:  # type: ignore[no-untyped-def]
    """003 §19 (policy parameters for 000 §14): ≥30 days before the end, once, ≤1 year."""
    flow = implementing(start)
    flow.message("extension_request", {"days": 180, "reason": "设备延迟到货"})
    flow.do("ext_audit", EXTENSION_AUDIT)  # 000 §14: the third-party audit report first
    flow.do("review", {"extension_decision": "approve", "extension_reason": "客观原因"})
    assert flow.data["extension_result"] == "granted" and flow.data["period_end"] == "2028-11-09"
    flow.message("extension_request", {"days": 30, "reason": "再延"})
    data = flow.data
    assert data["extension_result"] == "refused" and "只能申请 1 次" in data["extension_refusal"]


def test_late_extension_refused(start) -> None:  # type: ignore[no-untyped-def]
    """003 §19: an extension request later than 30 days before the end is refused with the reason."""
    flow = implementing(start)
    flow.at("2028-04-20T09:00:00+08:00")
    flow.message("extension_request", {"days": 90, "reason": "迟交"})
    data = flow.data
    assert data["extension_result"] == "refused" and "2028-04-13" in data["extension_refusal"]


def test_termination_objective_recovers_unspent(start) -> None:  # type: ignore[no-untyped-def]
    """000 §14: objective cause, 委托第三方出具审计报告 + bureau approval, recover the remaining money; the audit
    without its report is refused beside the report field."""
    flow = implementing(start)
    flow.message("termination_request", {"cause": "objective", "reason": "不可抗力"})
    row = {"solver": "URUMQI-S1", "unspent_fen": "300,000"}
    missing = flow.refused("audit", {"audit_unspent": [row]})
    assert list(missing) == ["audit_report"] and "000 §14" in missing["audit_report"]
    flow.do("audit", {"audit_report": PDF, "audit_unspent": [row]})
    flow.do("decide", {"termination_decision": "approve"})
    assert flow.info()["status"] == "completed"
    assert ledger.balance(flow.s, flow.key)["recovered_fen"] == 30_000_000


def test_termination_subjective_recovers_all_and_records_credit(start) -> None:  # type: ignore[no-untyped-def]
    """000 §15–16: subjective cause, recover the fiscal money, misconduct record restricts future applications."""
    from sqlalchemy import select

    from engine.models.domain import CreditRecord

    flow = implementing(start)
    flow.message("termination_request", {"cause": "subjective", "reason": "擅自变更技术路线"})
    flow.do("audit", {"audit_unspent": [{"solver": "URUMQI-S1", "unspent_fen": "1"}]})
    flow.do("decide", {"termination_decision": "approve"})
    assert ledger.balance(flow.s, flow.key)["held_fen"] == 0
    assert (
        flow.s.scalars(select(CreditRecord).where(CreditRecord.subject == "URUMQI-S1")).first().kind
        == "misconduct"
    )


def test_acceptance_failure_non_objective_recovers_all(start) -> None:  # type: ignore[no-untyped-def]
    """003 §20 / 004 三(六): failed acceptance for non-objective causes recovers the fiscal money."""
    flow = implementing(start)
    flow.at("2028-05-14T01:00:00+08:00")
    flow.do("request", DOCS)
    flow.do(
        "review",
        {
            "acceptance_outcome": "fail",
            "acceptance_fail_cause": "non_objective",
            "acceptance_opinion": "未达指标",
        },
    )
    bal = ledger.balance(flow.s, flow.key)
    assert bal["disbursed_fen"] == 100_000_000 and bal["held_fen"] == 0


def race(start, outcome: str, continuing: str, passes: dict[str, str]):  # type: ignore[no-untyped-def]
    flow = start("urumqi")
    to_contract(flow, mode="race", selected="URUMQI-S1,URUMQI-S2,URUMQI-S3", stage_due="2026-11-30")
    flow.at("2026-05-13T00:00:00+08:00")
    flow.do("sign_contract", {"period_months": 36, "ip_ownership": "发榜方", "disbursement_plan": "赛马"})
    register_contract(flow)
    # 000 §12(6): first tranche of each race project ≤20% of the total fiscal support — paid to the issuer
    # (技术攻关: the city subsidises the issuer, 000 §7(1), §12(6)), booked for each team
    assert ledger.balance(flow.s, flow.key, solver="URUMQI-S2")["disbursed_fen"] == 40_000_000
    assert ledger.balance(flow.s, flow.key, "URUMQI-ISS")["disbursed_fen"] == 120_000_000
    assert ledger.balance(flow.s, flow.key, "URUMQI-S2")["disbursed_fen"] == 0
    flow.at("2026-12-01T00:00:00+08:00")
    for _ in range(3):
        flow.do("stage_report", {"achieved": "完成"})
    for _ in range(3):
        rows = [t for t in flow.ready() if t == "stage_review"]
        assert rows
        solver = flow.data["team"]["solver"] if "team" in flow.data else None
        flow.do(
            "stage_review",
            {"stage_passed": passes.get(solver, "yes") if solver else "yes", "stage_score": 80},
        )
    flow.do("race_outcome", {"race_outcome": outcome, "continuing": continuing, "exit_application": "退出"})
    return flow


def test_race_best_chosen_exits_cleared(start) -> None:  # type: ignore[no-untyped-def]
    """000 §12(7): several pass → best route chosen; 000 §12(6): exits cleared, balance recovered."""
    flow = race(start, "best", "URUMQI-S1", {})
    flow.do(
        "approve_exits",
        {
            "exit_clearing": [
                {"solver": "URUMQI-S2", "unspent_fen": "100,000"},
                {"solver": "URUMQI-S3", "unspent_fen": "400,000"},
            ],
            "exits_approved": True,
        },
    )
    # recovered from the issuer, which received the teams' money (000 §12(6))
    assert ledger.balance(flow.s, flow.key, solver="URUMQI-S2")["recovered_fen"] == 10_000_000
    assert ledger.balance(flow.s, flow.key, solver="URUMQI-S3")["recovered_fen"] == 40_000_000
    assert ledger.balance(flow.s, flow.key, "URUMQI-ISS")["recovered_fen"] == 50_000_000
    assert flow.data["solvers"] == ["URUMQI-S1"]
    # 000 §12(7): the exiting teams' projects end (the winner's stays selected)
    states = {
        p.solver: p.status for p in flow.s.scalars(select(Project).where(Project.code.like(f"{flow.key}/%")))
    }
    assert states == {"URUMQI-S1": "selected", "URUMQI-S2": "race_exited", "URUMQI-S3": "race_exited"}
    # an exited team asks nothing for the winner's project (no extension, termination or change)
    from engine import project_requests
    from engine.errors import InvalidState
    from engine.users import get_user

    loser = get_user(flow.s, flow.member_of("URUMQI-S2", "solver"))
    with pytest.raises(InvalidState):
        project_requests.submit(flow.s, loser, flow.key, "termination", {"cause": "objective", "reason": "x"})


def test_race_several_continue(start) -> None:  # type: ignore[no-untyped-def]
    """000 §12(7): comparable teams keep being funded until the next stage or the end."""
    flow = race(start, "several", "URUMQI-S1,URUMQI-S2", {})
    flow.do(
        "approve_exits",
        {"exit_clearing": [{"solver": "URUMQI-S3", "unspent_fen": "0"}], "exits_approved": True},
    )
    assert flow.data["solvers"] == ["URUMQI-S1", "URUMQI-S2"]


def test_race_merge(start) -> None:  # type: ignore[no-untyped-def]
    """000 §12(7): complementary teams that met the targets are merged into one joint team led by the unit the
    issuer names; 000 §12(6) 评估后决定继续支持的，依程序给予后续支持资金: the partners are supported on with
    the lead (race_merge_keeps_support), so none exits and none's unpaid support lapses."""
    from engine.domain import books

    flow = race(start, "merge", "URUMQI-S1", {})
    assert flow.data["exits"] == []
    flow.do("approve_exits", {"exit_clearing": [], "exits_approved": True})
    teams = ["URUMQI-S1", "URUMQI-S2", "URUMQI-S3"]
    assert flow.data["race_outcome"] == "merge" and flow.data["solvers"] == teams
    kept = books.books(flow.data, ledger.rows(flow.s, flow.key))
    # each team's own 2,000,000 元 less its first 400,000 元 is still owed; nothing lapses
    assert kept.balanced and (kept.fiscal_owed_fen, kept.fiscal_lapsed_fen) == (3 * 160_000_000, 0)


def test_000_12_7_race_invalid_outcome_is_refused_before_submit(start) -> None:  # type: ignore[no-untyped-def]
    """000 §12(7): 'only one passed' applies only when exactly one team met the targets: refused beside the
    field before anything is completed."""
    with pytest.raises(ValidationFailed) as caught:
        race(start, "single", "URUMQI-S1", {})
    (msg,) = caught.value.details["fields"]["race_outcome"]
    assert "恰好一家达到考核要求" in msg and "000 §12(7)" in msg


def test_versions_2025_then_2026(start, world) -> None:  # type: ignore[no-untyped-def]
    """000 §6 (2025: 40% of the total) vs 002 五(二)1 (2026: 40% of the payment, call window, recommendation):
    an instance started on v1 stays on it while a new one takes v2."""
    from pathlib import Path

    from engine.bundle import BundleFile, collect_paths
    from engine.deploy import deploy_bundle

    from .conftest import BPMN

    # v1 is the 2025 edition: the current bundle with the archived 2025 tables swapped in
    edition = Path(BPMN / "urumqi" / "editions" / "2025")
    files = [
        f
        for f in collect_paths([BPMN])
        if f.name not in ("bpmn/urumqi/policy_urumqi.dmn", "bpmn/urumqi/eligibility_urumqi.dmn")
    ]
    files += [
        BundleFile(f"bpmn/urumqi/{p.name.removesuffix('.edition')}", p.read_bytes())
        for p in sorted(edition.glob("*.edition"))
    ]
    v_old = deploy_bundle(world, files)
    old_version = {p.key: p.version for p in v_old.processes}["urumqi_challenge"]
    old = start("urumqi", version=old_version)
    v_new = deploy_bundle(world, collect_paths([BPMN]))
    new_version = {p.key: p.version for p in v_new.processes}["urumqi_challenge"]
    assert new_version == old_version + 1
    new = start("urumqi")
    old.do("post_need", need(pledge_unit=False))
    assert old.info()["version"] == old_version and old.data["policy_edition"].startswith("2025")
    assert old.ready() == ["need_review"]  # 2025: no pledge rule, no recommendation step
    assert "002 五(二)4" in new.refused("post_need", need(pledge_unit=False))["pledge_unit"]


def test_002_5_2_6_first_tranche_waits_for_the_contract_registration(start) -> None:  # type: ignore[no-untyped-def]
    """002 五(二)6: once the project is opened the technology contract is registered in time; the bureau pays
    on the registered contract (000 §12(6)). The issuer's unit registers it (number, date, certificate); a date
    before the opening or in the future is refused before anything is stored; no fiscal money moves before."""
    flow = start("urumqi")
    to_contract(flow)
    flow.at("2026-07-20T09:00:00+08:00")
    flow.do("sign_contract", {"period_months": 24, "ip_ownership": "发榜方", "disbursement_plan": "50/50"})
    assert flow.ready() == ["register_contract"]
    assert flow.data["opened_on"] == "2026-07-20"
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == 0  # the first tranche waits
    early = flow.refused("register_contract", registration("2026-07-19"))["contract_reg_date"]
    assert "早于立项" in early and "002 五(二)6" in early
    future = flow.refused("register_contract", registration("2026-07-21"))["contract_reg_date"]
    assert "晚于今天" in future
    assert "contract_reg_certificate" in flow.refused(
        "register_contract",
        {k: v for k, v in registration("2026-07-20").items() if k != "contract_reg_certificate"},
    )
    flow.do("register_contract", registration("2026-07-20"))
    data = flow.data
    assert (data["contract_reg_number"], data["contract_reg_date"]) == ("2026650100000123", "2026-07-20")
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == 100_000_000  # then the first 50%


def test_000_12_7_each_teams_stage_assessment_goes_to_one_panel_member(start) -> None:  # type: ignore[no-untyped-def]
    """000 §12(7): the panel drawn for the case assesses the race stage; each team's assessment is assigned to
    one member, in the panel's order, and only that member's queue holds it."""
    from engine.access import task_visibility_clause
    from engine.tasks import queue_query
    from engine.users import get_user
    from engine.workqueue import ready_lanes

    flow = start("urumqi")
    to_contract(flow, mode="race", selected="URUMQI-S1,URUMQI-S2,URUMQI-S3", stage_due="2026-11-30")
    flow.at("2026-05-13T00:00:00+08:00")
    flow.do("sign_contract", {"period_months": 36, "ip_ownership": "发榜方", "disbursement_plan": "赛马"})
    register_contract(flow)
    flow.at("2026-12-01T00:00:00+08:00")
    for _ in range(3):
        flow.do("stage_report", {"achieved": "完成"})
    reviews = [t for t in tasks.list_tasks(flow.s, instance_id=flow.id) if t.task_spec == "stage_review"]
    assert sorted((t.assignee, t.assigned_by) for t in reviews) == [
        ("expert2", "process"),
        ("expert3", "process"),
        ("expert_urumqi", "process"),
    ]
    instance = flow.s.get(ProcessInstance, flow.id)
    team_of = {t.assignee: tasks.task_data(flow.s, instance, t.id)["team"]["solver"] for t in reviews}
    assert team_of == {"expert_urumqi": "URUMQI-S1", "expert2": "URUMQI-S2", "expert3": "URUMQI-S3"}
    lanes = ready_lanes(flow.s)
    for name in ("expert_urumqi", "expert2", "expert3"):
        user = get_user(flow.s, name)
        query = queue_query(
            instance_id=flow.id,
            roles=[(g.role, g.jurisdiction) for g in user.roles],
            assigned_to=name,
            lanes=lanes,
        ).where(task_visibility_clause(user, lanes))
        assert [t.assignee for t in flow.s.scalars(query) if t.task_spec == "stage_review"] == [name]


def test_000_12_6_race_winner_is_paid_the_rest_of_its_own_support(start) -> None:  # type: ignore[no-untyped-def]
    """000 §12(6): each team's first tranche is 20% of its own 2,000,000 元 (400,000); the losers' balance is
    recovered; the winner, continuing, is paid the rest of its own support (1,600,000) at acceptance — 2,000,000
    for it in all — and its books owe it its own contract only."""
    from engine.domain import books

    flow = race(start, "best", "URUMQI-S1", {})
    # during the race (000 §12(7), 003 §13(3)) the issuer owes each team its race-stage share of its own
    # 6,000,000 元 contract — 20%, 1,200,000 each, 3,600,000 in all, not 18,000,000; the rest waits for the review
    during = books.books(flow.data, ledger.rows(flow.s, flow.key))
    assert {p.party: p.issuer_owes_fen for p in during.parties if p.role == "solver"} == {
        f"URUMQI-S{i}": 120_000_000 for i in (1, 2, 3)
    }
    assert (during.issuer_owed_fen, during.issuer_conditional_fen) == (360_000_000, 1_440_000_000)
    clearing = [
        {"solver": "URUMQI-S2", "unspent_fen": "100,000"},
        {"solver": "URUMQI-S3", "unspent_fen": "250,000"},
    ]
    flow.do("approve_exits", {"exit_clearing": clearing, "exits_approved": True})
    kept = books.books(flow.data, ledger.rows(flow.s, flow.key))
    assert kept.balanced
    assert (kept.fiscal_plan_fen, kept.fiscal_net_fen, kept.fiscal_owed_fen, kept.fiscal_lapsed_fen) == (
        600_000_000,  # 3 teams × 2,000,000
        85_000_000,  # 1,200,000 paid − 350,000 recovered
        160_000_000,  # the winner's own rest
        320_000_000,  # the two losers' unpaid 1,600,000 each
    )
    assert kept.issuer_owed_fen == 600_000_000  # the winner's own contract (the case's 6,000,000 per team)
    flow.at("2029-05-14T01:00:00+08:00")
    flow.do("request", DOCS)
    flow.do("review", {"acceptance_outcome": "pass", "acceptance_opinion": "通过"})
    # 002 五(二)1: the issuer pays the winner its contract; only the winner — the losers' contracts ended
    assert flow.data["contract_figures"]["owed_fen"] == 600_000_000
    contract_paid(flow, "2029-05-14")
    kept = books.books(flow.data, ledger.rows(flow.s, flow.key), status(flow))
    assert kept.settled and kept.issuer_owed_fen == 0 and kept.fiscal_owed_fen == 0 and kept.balanced
    assert ledger.balance(flow.s, flow.key, solver="URUMQI-S1")["disbursed_fen"] == 200_000_000
    assert ledger.balance(flow.s, flow.key, solver="URUMQI-S2")["disbursed_fen"] == 40_000_000
