"""The same situations in all four jurisdictions, each with its own rules: an objection during publicity
(continue with a new full window, or stop), an extension granted then a second refused and a late one refused,
termination for each cause with that jurisdiction's recovery, and failed acceptance."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from engine.domain import ledger
from engine.models.domain import CreditRecord

from .conftest import DOCS, PDF, acceptance_panel
from .drivers import (
    EXTENSION_AUDIT,
    FIRST_FEN,
    JURISDICTIONS,
    NEEDS_APPROVER,
    NEEDS_ISSUER,
    PUBLICITY,
    dazu_settlement,
    end_of_publicity,
    implementing,
    status,
    terminate,
    to_approve,
)


@pytest.mark.parametrize("j", JURISDICTIONS)
def test_objection_continue_opens_a_new_full_window(start, j: str) -> None:  # type: ignore[no-untyped-def]
    """000 §12(5), 001 八(五), 003 §12(6), 004 三(五): an objection filed during publicity interrupts it; when
    it is found groundless the publicity starts again with a full window of the jurisdiction's length."""
    flow = start(j)
    to_approve(flow)
    flow.do("approve", {"approval": "approve"})
    assert (flow.data["publicity_length"], flow.data["publicity_unit"]) == PUBLICITY[j]
    first_end = end_of_publicity(flow)
    flow.at("2026-05-07T10:00:00+08:00")
    flow.message("objection", {"text": "该单位与发榜方存在关联"})
    assert flow.ready() == ["handle_objection"] and flow.info()["timers"] == []
    flow.at("2026-05-08T15:00:00+08:00")
    flow.do("handle_objection", {"objection_decision": "continue", "objection_reason": "经核实无关联"})
    second_end = end_of_publicity(flow)
    assert second_end > first_end
    flow.at((datetime.fromisoformat(second_end) + timedelta(minutes=1)).isoformat())
    assert flow.ready() == ["sign_contract"] and flow.data["publicity_result"] == "passed"


@pytest.mark.parametrize("j", JURISDICTIONS)
def test_objection_upheld_stops_the_project(start, j: str) -> None:  # type: ignore[no-untyped-def]
    """公示无异议的予以立项 (000 §12(5), 001 八(五), 003 §12(6), 004 三(五)): an upheld objection stops it."""
    flow = start(j)
    to_approve(flow)
    flow.do("approve", {"approval": "approve"})
    flow.message("objection", {"text": "申报材料造假"})
    flow.do("handle_objection", {"objection_decision": "stop", "objection_reason": "经核实属实"})
    assert flow.info()["status"] == "completed" and flow.data["publicity_result"] == "stopped"
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == 0


@pytest.mark.parametrize("j", JURISDICTIONS)
def test_extension_granted_then_second_refused(start, j: str) -> None:  # type: ignore[no-untyped-def]
    """003 §19 (and the policy parameters where 000, 001, 004 are silent): once, ≤1 year; Dazu's district
    government (001 八(八)) and Zhangye's group leader (004 三(五)) approve after the bureau, Karamay's issuer
    agrees after the bureau (003 §19)."""
    flow = implementing(start, j)
    end = flow.data["period_end"]
    flow.message("extension_request", {"days": 365, "reason": "关键设备延迟到货"})
    if j == "urumqi":  # 000 §14: the third-party audit report first
        flow.do("ext_audit", EXTENSION_AUDIT)
    flow.do("review", {"extension_decision": "approve", "extension_reason": "客观原因"})
    if NEEDS_ISSUER[j]:  # 003 §19: the issuer agrees too
        assert flow.ready() == ["issuer_approve"]
        flow.do("issuer_approve", {"issuer_decision": "approve"})
    if NEEDS_APPROVER[j]:
        assert flow.ready() == ["gov_approve"]
        flow.do("gov_approve", {"gov_decision": "approve"})
    assert flow.data["extension_result"] == "granted"
    assert flow.data["period_end"] == (datetime.fromisoformat(end) + timedelta(days=365)).date().isoformat()
    flow.message("extension_request", {"days": 30, "reason": "再次延期"})
    assert flow.data["extension_result"] == "refused" and "1 次" in flow.data["extension_refusal"]
    assert flow.ready() == []


@pytest.mark.parametrize("j", JURISDICTIONS)
def test_extension_too_long_or_too_late_refused(start, j: str) -> None:  # type: ignore[no-untyped-def]
    """003 §19 / 001 八(八): more than a year is refused; a request later than 30 days before the end is
    refused with the last admissible date; the period is unchanged."""
    flow = implementing(start, j)
    end = flow.data["period_end"]
    flow.message("extension_request", {"days": 400, "reason": "太长"})
    assert flow.data["extension_result"] == "refused" and "365" in flow.data["extension_refusal"]
    flow.at(f"{(datetime.fromisoformat(end) - timedelta(days=20)).date().isoformat()}T09:00:00+08:00")
    flow.message("extension_request", {"days": 90, "reason": "临近期满"})
    last_day = (datetime.fromisoformat(end) - timedelta(days=30)).date().isoformat()
    assert flow.data["extension_result"] == "refused" and last_day in flow.data["extension_refusal"]
    assert flow.data["period_end"] == end


#: cause → what each jurisdiction recovers (from the 40 / 50% first tranche; the audit reports 300,000 CNY
#: unspent and 100,000 CNY not used for research) and whether a misconduct record follows
RECOVERY = {
    "objective": {
        "urumqi": (30_000_000, False),  # 000 §14: the remaining money
        "dazu": (40_000_000, False),  # 001 八(八): the balance and the non-research money
        "karamay": (30_000_000, False),  # 003 §17: the issuer returns the fiscal balance
        "zhangye": (30_000_000, False),  # 004 三(六): recover part
    },
    "subjective": {j: (None, True) for j in JURISDICTIONS},  # 000 §15–16, 001 八(八), 003 §20, 004 三(六)
    "revocation": {
        "urumqi": (None, True),
        "dazu": (None, True),
        "karamay": (None, False),  # 003 §17: revocation recovers all disbursed fiscal money
        "zhangye": (None, True),
    },
}


@pytest.mark.parametrize("cause", ("objective", "subjective", "revocation"))
@pytest.mark.parametrize("j", JURISDICTIONS)
def test_termination_recovers_by_cause(start, j: str, cause: str) -> None:  # type: ignore[no-untyped-def]
    """Termination and revocation (POLICIES.md §3): the jurisdiction's termination table decides what is
    recovered (None = everything disbursed) and whether a credit record follows."""
    flow = implementing(start, j)
    flow.at("2027-03-01T09:00:00+08:00")
    flow.message("termination_request", {"cause": cause, "reason": "终止测试"})
    flow.do(
        "audit",
        {
            "audit_report": PDF,
            "audit_unspent": [
                {"solver": f"{j.upper()}-S1", "unspent_fen": "300,000", "non_research_fen": "100,000"}
            ],
        },
    )
    terminate(flow)
    expected, misconduct = RECOVERY[cause][j]
    bal = ledger.balance(flow.s, flow.key)
    assert bal["recovered_fen"] == (FIRST_FEN[j] if expected is None else expected)
    assert status(flow) == ("revoked" if cause == "revocation" else "terminated")
    records = flow.s.scalars(select(CreditRecord).where(CreditRecord.subject == f"{j.upper()}-S1")).all()
    assert any(r.kind == "misconduct" for r in records) is misconduct


@pytest.mark.parametrize("j", JURISDICTIONS)
def test_acceptance_failure_recovers_per_the_acceptance_table(start, j: str) -> None:  # type: ignore[no-untyped-def]
    """003 §20, 004 三(六), 000 §15–16, 001 八(八): a failure for non-objective causes recovers all the fiscal
    money and leaves a credit record (Karamay: an integrity investigation); the project is failed."""
    flow = implementing(start, j)
    flow.at(f"{flow.data['period_end']}T23:00:00+08:00")
    flow.at((datetime.fromisoformat(flow.data["checkpoint_at"]) + timedelta(hours=9)).isoformat())
    flow.do("request", DOCS)
    if j == "karamay":
        flow.do("user_eval", {"user_rating": "unsatisfied"})
    flow.do(
        "review",
        {
            "acceptance_outcome": "fail",
            "acceptance_fail_cause": "non_objective",
            "acceptance_opinion": "未达指标",
            "acceptance_panel": acceptance_panel(flow),
        },
    )
    if j == "dazu":
        dazu_settlement(flow)  # 001 十一(一): the audit of fund use; no final payment after a failure
    assert flow.info()["status"] == "completed" and status(flow) == "failed"
    assert ledger.balance(flow.s, flow.key)["held_fen"] == 0
    kinds = {
        r.kind for r in flow.s.scalars(select(CreditRecord).where(CreditRecord.subject == f"{j.upper()}-S1"))
    }
    assert kinds == ({"integrity_investigation"} if j == "karamay" else {"misconduct"})


@pytest.mark.parametrize("j", JURISDICTIONS)
def test_change_requests(start, j: str) -> None:  # type: ignore[no-untyped-def]
    """003 §17: the issuer and the solver cannot be changed (a policy parameter elsewhere); 003 §18: a new unit
    name, a new leader or a major budget change takes effect only when approved; the project goes on."""
    flow = implementing(start, j)
    flow.message("change_request", {"kind": "solver", "detail": "改由另一单位承担", "reason": "人手不足"})
    assert flow.ready() == [] and "cannot be changed" in flow.data["change_refusal"]
    assert ("未作规定" in flow.data["change_refusal"]) is (j != "karamay")  # only 003 states it
    flow.message("change_request", {"kind": "leader", "detail": "负责人改为 P2", "reason": "调离"})
    assert flow.ready() == ["approve_change"]
    approve: dict[str, object] = {"change_decision": "approve", "change_opinion": "同意"}
    if j == "dazu":  # 001 五(二): the leader may not leave as a rule; approving is confirming the exception
        assert "001 五(二)" in flow.refused("approve_change", approve)["leader_exception"]
        approve["leader_exception"] = True
    flow.do("approve_change", approve)
    flow.message("change_request", {"kind": "budget", "detail": "设备费调减 30%", "reason": "采购降价"})
    flow.do("approve_change", {"change_decision": "reject", "change_opinion": "调整幅度过大"})
    recorded = [(c["kind"], c["decision"], c["major"]) for c in flow.data["changes_recorded"]]
    assert recorded == [("leader", "approve", j == "dazu"), ("budget", "reject", False)]
    assert flow.ready() == [] and flow.info()["status"] == "running"
