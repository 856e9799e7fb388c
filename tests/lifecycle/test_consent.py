"""The bureau's own decision on a termination and the agreement a termination or an extension needs besides
the bureau's, and their refusal (issue 11): 000 §14 / 001 八(八) / 003 §17 the bureau, 001 八(八) the Dazu
district government, 003 §17 the Karamay issuer (termination), 003 §19 the Karamay issuer (extension). A
refusal names its reason before submit; the project goes on unchanged and the requester is told."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from engine.domain import ledger
from engine.lint import role_of_lane
from engine.models.notification import Notification

from .conftest import DOCS, PDF, acceptance_panel
from .drivers import CONSENT, FIRST_FEN, JURISDICTIONS, dazu_settlement, implementing, status, terminate

PANEL_FIVE = "发榜单位负责人,行业主管专家,一线专家,区外专家,区内专家"
REQUEST = {"cause": "objective", "reason": "市场变化，技术路线不可行"}


def _to_consent(flow) -> None:  # type: ignore[no-untyped-def]
    flow.message("termination_request", dict(REQUEST, submitted_by=f"solver_{flow.j}"))
    flow.do(
        "audit",
        {
            "audit_report": PDF,
            "audit_unspent": [{"solver": f"{flow.j.upper()}-S1", "unspent_fen": "100,000"}],
        },
    )
    flow.do("decide", {"termination_decision": "approve", "termination_opinion": "同意终止"})


def _notices(flow, user: str, kind: str) -> list[Notification]:  # type: ignore[no-untyped-def]
    return list(
        flow.s.scalars(select(Notification).where(Notification.recipient == user, Notification.kind == kind))
    )


def _money(flow) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    b = ledger.balance(flow.s, flow.key)
    return b["disbursed_fen"], b["recovered_fen"]


def _after(iso: str, minutes: int = 60) -> str:
    return (datetime.fromisoformat(iso) + timedelta(minutes=minutes)).isoformat()


#: where the bureau's review of a termination is written (the citation its refusal message carries)
BUREAU_SOURCE = {"urumqi": "000 §14", "dazu": "001 八(八)", "karamay": "003 §17", "zhangye": "004 三(六)"}


@pytest.mark.parametrize("j", JURISDICTIONS)
def test_the_bureau_refuses_a_termination_with_its_reason_and_the_project_goes_on(start, j: str) -> None:  # type: ignore[no-untyped-def]
    """000 §14 经市科技局审核同意, 001 八(八) 区科技局审核, 003 §17: the bureau may refuse a termination. Refusing
    needs a reason (refused before submit, beside the field, citing the rule); refused, no one else is asked,
    nothing is recovered, the project stays in implementation waiting for its next checkpoint, the one who
    asked is told who refused and why, and a later request can still end it."""
    flow = implementing(start, j)
    flow.at("2027-03-01T09:00:00+08:00")
    flow.message("termination_request", dict(REQUEST, submitted_by=f"solver_{j}"))
    flow.do(
        "audit", {"audit_report": PDF, "audit_unspent": [{"solver": f"{j.upper()}-S1", "unspent_fen": "1"}]}
    )
    assert flow.ready() == ["decide"]
    missing = flow.refused("decide", {"termination_decision": "reject", "termination_opinion": "  "})
    assert "不同意终止的，须写明理由" in missing["termination_opinion"]
    assert BUREAU_SOURCE[j] in missing["termination_opinion"]
    flow.do("decide", {"termination_decision": "reject", "termination_opinion": "技术路线仍可调整，继续实施"})

    assert flow.info()["status"] == "running" and status(flow) == "ongoing"
    assert flow.ready() == []  # no consent asked (Dazu, Karamay), back to waiting for the next checkpoint
    assert flow.data["termination_result"] == "refused" and flow.data["requested_termination"] is None
    assert flow.data["termination_refusal"] == {"by": "bureau", "reason": "技术路线仍可调整，继续实施"}
    assert _money(flow) == (FIRST_FEN[j], 0)
    (notice,) = _notices(flow, f"solver_{j}", "termination_refused")
    assert "科技局不同意终止" in notice.body_zh and "技术路线仍可调整" in notice.body_zh
    assert "The bureau refused" in notice.body_en

    flow.at("2027-04-01T09:00:00+08:00")
    flow.message("termination_request", dict(REQUEST, submitted_by=f"solver_{j}"))
    flow.do(
        "audit", {"audit_report": PDF, "audit_unspent": [{"solver": f"{j.upper()}-S1", "unspent_fen": "1"}]}
    )
    terminate(flow)
    assert status(flow) == "terminated" and flow.data["termination_result"] == "terminated"
    assert flow.info()["status"] == "completed" and _money(flow) == (FIRST_FEN[j], 100)  # 1 元


def test_001_8_8_a_refusal_by_the_government_after_the_bureau_names_the_government(start) -> None:  # type: ignore[no-untyped-def]
    """001 八(八): the bureau agrees, the district government refuses: the refusal is the government's, with
    its reason (not the bureau's opinion)."""
    flow = implementing(start, "dazu")
    flow.at("2027-03-01T09:00:00+08:00")
    _to_consent(flow)
    flow.do(CONSENT["dazu"], {"consent_decision": "reject", "consent_opinion": "再观察三个月"})
    assert flow.data["termination_refusal"] == {"by": "approver", "reason": "再观察三个月"}


def test_001_8_8_dazu_termination_audit_needs_its_report(start) -> None:  # type: ignore[no-untyped-def]
    """001 八(八): 项目终止的，应根据财务审计结果 … 收回 — a Dazu termination audit without its report is refused
    beside the report field before submit."""
    row = {"solver": "DAZU-S1", "unspent_fen": "100,000"}
    dazu = implementing(start, "dazu")
    dazu.at("2027-03-01T09:00:00+08:00")
    dazu.message("termination_request", dict(REQUEST))
    missing = dazu.refused("audit", {"audit_unspent": [row]})
    assert list(missing) == ["audit_report"]
    assert "请上传审计报告" in missing["audit_report"] and "001 八(八)" in missing["audit_report"]
    dazu.do("audit", {"audit_report": PDF, "audit_unspent": [row]})
    assert dazu.ready() == ["decide"]


def test_the_termination_audit_report_is_asked_only_where_the_table_says(start) -> None:  # type: ignore[no-untyped-def]
    """Dazu's and Urumqi's termination tables ask for the audit report (001 八(八); 000 §14 for an objective
    cause); in Karamay (003 §17 the issuer
    recovers the balance) the audit's figures alone are enough."""
    flow = implementing(start, "karamay")
    flow.at("2027-03-01T09:00:00+08:00")
    flow.message("termination_request", dict(REQUEST))
    flow.do("audit", {"audit_unspent": [{"solver": "KARAMAY-S1", "unspent_fen": "100,000"}]})
    assert flow.ready() == ["decide"] and flow.data["termination_audit_report"] is False


def test_001_8_8_dazu_termination_refused_by_the_district_government_implementation_goes_on(
    start,  # type: ignore[no-untyped-def]
) -> None:
    """001 八(八): a Dazu termination takes effect only with the district government's consent. Refusing needs
    a reason (before submit); refused, nothing is recovered, the project stays ongoing, the solver is told,
    and the milestone and the acceptance come as planned."""
    milestone = {"title": "小试", "due_date": "2027-06-30", "indicators": "纯度 99.99%"}
    flow = implementing(start, "dazu", milestones=[milestone])
    flow.at("2027-03-01T09:00:00+08:00")
    _to_consent(flow)
    assert flow.ready() == ["gov_consent"]
    missing = flow.refused("gov_consent", {"consent_decision": "reject"}, role="approver")
    assert "须写明理由" in missing["consent_opinion"] and "001 八(八)" in missing["consent_opinion"]
    flow.do("gov_consent", {"consent_decision": "reject", "consent_opinion": "项目仍有望完成，继续实施"})

    assert flow.info()["status"] == "running" and status(flow) == "ongoing"
    assert flow.data["termination_result"] == "refused" and flow.data["requested_termination"] is None
    assert _money(flow) == (FIRST_FEN["dazu"], 0)  # no recovery booked
    (notice,) = _notices(flow, "solver_dazu", "termination_refused")
    assert "区政府不同意终止" in notice.body_zh and "项目仍有望完成" in notice.body_zh
    assert "district government refused" in notice.body_en
    assert _notices(flow, "bureau_dazu", "termination_refused")
    # back to waiting for the milestone of the task book
    assert flow.ready() == [] and flow.data["checkpoint_kind"] == "milestone"
    flow.at("2027-07-01T09:00:00+08:00")
    assert flow.ready() == ["milestone_check"]
    check = {"milestone_passed": "yes", "milestone_opinion": "现场核验达标", "milestone_panel": PANEL_FIVE}
    flow.do("milestone_check", check)
    if flow.ready() == ["issuer_stage_payment"]:  # 001 十(二): the issuer's 30 % after the stage review
        flow.do("issuer_stage_payment", {"stage_paid_fen": "900,000"})
    assert flow.ready() == [] and flow.data["checkpoint_kind"] == "period_end"
    flow.at(_after(flow.data["checkpoint_at"]))
    assert flow.ready() == ["request"]
    flow.do("request", DOCS)
    review = {
        "acceptance_outcome": "pass",
        "acceptance_opinion": "通过",
        "acceptance_panel": acceptance_panel(flow),
    }
    flow.do("review", review)
    dazu_settlement(flow)  # 001 十一(一), 十(二): the audit of fund use and the issuer's final payment
    assert status(flow) == "accepted" and ledger.balance(flow.s, flow.key)["recovered_fen"] == 0


def test_001_8_8_dazu_termination_after_a_refusal_can_be_asked_again(start) -> None:  # type: ignore[no-untyped-def]
    """001 八(八): a refused termination leaves the project open to a later request, which the district
    government may consent to: then the balance is recovered and the project terminated."""
    flow = implementing(start, "dazu")
    flow.at("2027-03-01T09:00:00+08:00")
    _to_consent(flow)
    flow.do("gov_consent", {"consent_decision": "reject", "consent_opinion": "再观察三个月"})
    assert flow.ready() == [] and status(flow) == "ongoing"
    flow.at("2027-06-01T09:00:00+08:00")
    _to_consent(flow)
    flow.do("gov_consent", {"consent_decision": "approve"})
    assert status(flow) == "terminated" and flow.data["termination_result"] == "terminated"
    assert ledger.balance(flow.s, flow.key)["recovered_fen"] > 0


def test_003_17_karamay_termination_refused_by_the_issuer_implementation_goes_on(
    start,  # type: ignore[no-untyped-def]
) -> None:
    """003 §17: the bureau and the issuer decide a Karamay termination jointly. The issuer refuses with a
    reason (required before submit): the project goes on, nothing is recovered, the solver and the bureau are
    told, and the acceptance at the end of the period comes as planned."""
    flow = implementing(start, "karamay")
    end = flow.data["checkpoint_at"]
    flow.at("2027-03-01T09:00:00+08:00")
    _to_consent(flow)
    (row,) = [t for t in flow.info()["ready_tasks"] if t["task"] == "issuer_consent"]
    assert role_of_lane(row["lane"]) == "issuer"
    missing = flow.refused("issuer_consent", {"consent_decision": "reject", "consent_opinion": " "})
    assert "003 §17" in missing["consent_opinion"]
    flow.do(
        "issuer_consent", {"consent_decision": "reject", "consent_opinion": "发榜方仍需要该技术，不同意终止"}
    )

    assert flow.info()["status"] == "running" and status(flow) == "ongoing"
    assert flow.data["termination_result"] == "refused"
    assert _money(flow) == (FIRST_FEN["karamay"], 0)
    (notice,) = _notices(flow, "solver_karamay", "termination_refused")
    assert "发榜方不同意终止" in notice.body_zh and "仍需要该技术" in notice.body_zh
    assert _notices(flow, "bureau_karamay", "termination_refused")
    # waiting again for the end of the period, which did not move
    assert flow.ready() == [] and flow.data["checkpoint_at"] == end
    flow.at(_after(end))
    assert flow.ready() == ["request"]


def test_003_19_karamay_extension_needs_the_issuer(start) -> None:  # type: ignore[no-untyped-def]
    """003 §19: the extension request goes to the bureau and the issuer; after the bureau agrees the issuer
    decides in its own task (policy value ext_needs_issuer). Refusing needs a reason; refused, the period
    stays and the solver is told why; a later request both agree to extends the period."""
    flow = implementing(start, "karamay")
    end = flow.data["period_end"]
    flow.at("2027-03-01T09:00:00+08:00")
    flow.message("extension_request", {"days": 90, "reason": "关键设备延迟到货"})
    flow.do("review", {"extension_decision": "approve", "extension_reason": "属客观原因"})
    (row,) = flow.info()["ready_tasks"]
    assert row["task"] == "issuer_approve" and role_of_lane(row["lane"]) == "issuer"
    missing = flow.refused("issuer_approve", {"issuer_decision": "reject"})
    assert "003 §19" in missing["issuer_reason"]
    flow.do("issuer_approve", {"issuer_decision": "reject", "issuer_reason": "设备可由发榜方调剂，无需延期"})
    assert flow.data["extension_result"] == "rejected" and flow.data["period_end"] == end
    (notice,) = _notices(flow, "solver_karamay", "extension_decided")
    assert "发榜方不同意。理由：设备可由发榜方调剂" in notice.body_zh
    assert "The issuer did not agree" in notice.body_en and "the issuer" not in notice.body_zh
    assert flow.ready() == [] and status(flow) == "ongoing"

    flow.message("extension_request", {"days": 90, "reason": "调剂设备仍未到货"})
    flow.do("review", {"extension_decision": "approve", "extension_reason": "属客观原因"})
    flow.do("issuer_approve", {"issuer_decision": "approve"})
    assert flow.data["extension_result"] == "granted" and flow.data["period_end"] > end


def test_003_19_only_karamay_asks_the_issuer_about_an_extension(start) -> None:  # type: ignore[no-untyped-def]
    """003 §19 is Karamay's: Dazu's extension goes from the bureau to the district government (001 八(八)),
    whose refusal also needs its reason; Urumqi's bureau (after the audit, 000 §14) decides alone."""
    dazu = implementing(start, "dazu")
    dazu.at("2027-03-01T09:00:00+08:00")
    dazu.message("extension_request", {"days": 90, "reason": "关键设备延迟到货"})
    dazu.do("review", {"extension_decision": "approve", "extension_reason": "属客观原因"})
    assert dazu.ready() == ["gov_approve"]
    missing = dazu.refused("gov_approve", {"gov_decision": "reject"})
    assert "须写明理由" in missing["gov_reason"]
    dazu.do("gov_approve", {"gov_decision": "reject", "gov_reason": "不属不可抗力"})
    assert dazu.data["extension_result"] == "rejected" and dazu.ready() == []


def test_001_8_8_dazu_stop_after_a_milestone_refused_goes_on_to_the_next(start) -> None:  # type: ignore[no-untyped-def]
    """001 八(七) a failed milestone may stop the project, but the stop is a termination, which takes effect
    only with the district government's consent (001 八(八)): refused, nothing is recovered and the milestone,
    not yet settled, comes back to its checkers, who record it and let the project go on to the next one."""
    milestones = [
        {"title": "小试", "due_date": "2026-11-30", "indicators": "纯度 99.99%"},
        {"title": "中试", "due_date": "2027-06-30", "indicators": "纯度 99.999%"},
    ]
    flow = implementing(start, "dazu", milestones=milestones)
    flow.at("2026-12-01T09:00:00+08:00")
    check = {"milestone_passed": "no", "milestone_panel": PANEL_FIVE, "milestone_opinion": "关键指标差距大"}
    flow.do("milestone_check", dict(check, milestone_action="stop", milestone_stop_cause="objective"))
    flow.do(
        "audit", {"audit_report": PDF, "audit_unspent": [{"solver": "DAZU-S1", "unspent_fen": "200,000"}]}
    )
    flow.do("decide", {"termination_decision": "approve"})
    flow.do("gov_consent", {"consent_decision": "reject", "consent_opinion": "给予整改机会，中试再考核"})
    assert status(flow) == "ongoing" and _money(flow) == (FIRST_FEN["dazu"], 0)
    assert flow.ready() == ["milestone_check"] and flow.data["next_milestone"]["title"] == "小试"
    flow.do("milestone_check", dict(check, milestone_action="continue"))
    assert flow.ready() == [] and flow.data["next_milestone"]["title"] == "中试"
    assert [m.get("passed") for m in flow.data["milestones"]] == [False, None]
    assert _money(flow) == (FIRST_FEN["dazu"], 0)
    flow.at("2027-07-01T09:00:00+08:00")
    assert flow.ready() == ["milestone_check"]
