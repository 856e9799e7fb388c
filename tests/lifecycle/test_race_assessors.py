"""Each 赛马 team's stage assessment goes to one member of the drawn panel in Karamay and Dazu too, as in
Urumqi: their documents stage the race — Karamay holds the milestone assessment after the race stage (003
§12(8)3, §13(3)), Dazu has the expert panel assess every team at the stage checkpoint (001 八(四), 十(二))."""

from __future__ import annotations

from typing import Any

from engine import tasks

from .conftest import Flow, application, need, panel, score_all
from .drivers import REVIEW, dazu_published


def _assessors(flow: Flow) -> dict[str, str]:
    """Each open stage assessment: the team it assesses → the expert it is assigned to."""
    from engine.models.instance import ProcessInstance

    instance = flow.s.get(ProcessInstance, flow.id)
    return {
        tasks.task_data(flow.s, instance, t.id)["team"]["solver"]: t.assignee
        for t in tasks.list_tasks(flow.s, instance_id=flow.id)
        if t.task_spec == "stage_review"
    }


def _report_stage(flow: Flow, when: str) -> None:
    flow.at(when)
    for _ in range(2):
        flow.do("stage_report", {"achieved": "完成"})


def test_003_12_8_karamay_race_assessments_go_to_the_panel_in_turn(start: Any) -> None:
    flow = start("karamay")
    flow.do("post_need", need())
    flow.do("need_review", REVIEW)
    flow.do("publish_list", {"list_published_on": "2026-06-20"})
    flow.do(
        "collect_applications",
        {"applications": [application("KARAMAY-S1", "KARAMAY-P1"), application("KARAMAY-S2", "KARAMAY-P4")]},
    )
    flow.do("form_panel", panel(["e1", "e2", "e3"], chair_by_issuer=True))
    score_all(flow, {"KARAMAY-S1": 88, "KARAMAY-S2": 87})
    flow.do(
        "third_party_recommend",
        {
            "recommended_solvers": "KARAMAY-S1,KARAMAY-S2",
            "project_budget_fen": "10,000,000",
            "cost_opinion": "合理",
        },
    )
    flow.do(
        "select",
        {
            "mode": "race",
            "selected": "KARAMAY-S1,KARAMAY-S2",
            "contract_fen": "10,000,000",
            "fiscal_support_fen": "4,000,000",
            "stage_due": "2026-12-31",
            "selection_reason": "接近",
        },
    )
    flow.do("approve", {"approval": "approve"})
    flow.at("2026-05-14T00:00:00+08:00")
    flow.do(
        "sign_contract",
        {
            "period_months": 24,
            "ip_ownership": "约定",
            "disbursement_plan": "三阶段",
            "chief_expert": "KARAMAY-P1",
        },
    )
    _report_stage(flow, "2027-01-01T00:00:00+08:00")
    assert _assessors(flow) == {"KARAMAY-S1": "e1", "KARAMAY-S2": "e2"}
    for _ in range(2):
        flow.do("stage_review", {"stage_passed": "yes", "stage_score": 80})
    assert flow.ready() == ["race_outcome"]


def test_001_10_2_dazu_race_assessments_go_to_the_panel_in_turn(start: Any) -> None:
    flow = start("dazu")
    dazu_published(flow, race_wanted=True)  # 001 八(四): the need agrees to a race
    flow.do(
        "collect_applications",
        {"applications": [application("DAZU-S1", "DAZU-P1"), application("DAZU-S2", "DAZU-P4")]},
    )
    flow.do("form_panel", panel(["e1", "e2", "e3", "e4", "e5"]))
    score_all(flow, {"DAZU-S1": 88, "DAZU-S2": 87})
    flow.do(
        "select",
        {
            "mode": "race",
            "selected": "DAZU-S1,DAZU-S2",
            "contract_fen": "3,000,000",
            "fiscal_support_fen": "900,000",
            "stage_due": "2026-12-31",
            "selection_reason": "路线不同",
            "race_first_pct_case": 25,
        },
    )
    flow.do("approve", {"approval": "approve"})
    flow.at("2026-05-13T00:00:00+08:00")
    flow.do(
        "sign_contract",
        {
            "period_months": 24,
            "ip_ownership": "需求单位",
            "disbursement_plan": "赛马",
            "confidentiality": True,
            "integrity_pledge": True,
        },
    )
    while "issuer_payment" in flow.ready():
        flow.do("issuer_payment", {"issuer_paid_fen": "1,200,000"})
    _report_stage(flow, "2027-01-01T00:00:00+08:00")
    assert _assessors(flow) == {"DAZU-S1": "e1", "DAZU-S2": "e2"}
