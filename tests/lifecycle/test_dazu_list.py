"""Dazu 遴选发榜 (001 八(二)): the need-selection panel (≥ 5, odd) drawn by the bureau, its lead recording the
panel's opinion, the district government's review of the list before publication, and the district's matching
support for a need the municipal list publishes."""

from __future__ import annotations

from engine.domain import ledger
from engine.domain.need_selection import MATCHING_TRANCHE, not_listed_reason
from engine.models.task import HumanTask

from .conftest import need, panel
from .drivers import LIST_APPROVED, NEED_PANEL, REVIEW


def listed(start, municipal: str = "no"):  # type: ignore[no-untyped-def]
    """A Dazu need accepted, assessed by its panel and recommended for the list."""
    flow = start("dazu")
    flow.do("post_need", need())
    flow.do("form_need_panel", panel(NEED_PANEL))
    flow.do("need_review", REVIEW)
    flow.do("municipal_check", {"taken_municipal": municipal})
    return flow


def test_001_8_2_need_panel_at_least_five_and_odd(start) -> None:  # type: ignore[no-untyped-def]
    """001 八(二): 专家组成员原则上不少于5名且人数为奇数 — a need-selection panel of 4 or 6 goes back to the
    bureau with the reason; five experts assess the need, and the panel's lead (the chair) records the
    panel's opinion."""
    flow = start("dazu")
    flow.do("post_need", need())
    assert flow.ready() == ["form_need_panel"]
    assert flow.data["need_panel_min"] == 5 and flow.data["need_panel_odd"] is True
    flow.do("form_need_panel", panel(NEED_PANEL[:4]))
    assert flow.ready() == ["form_need_panel"]
    assert "不少于 5" in flow.data["need_panel_problem"] and "001 八(二)" in flow.data["need_panel_problem"]
    flow.do("form_need_panel", panel([*NEED_PANEL, "e6"]))
    assert flow.ready() == ["form_need_panel"] and "奇数" in flow.data["need_panel_problem"]
    flow.do("form_need_panel", panel(NEED_PANEL))
    assert flow.ready() == ["need_review"] and flow.data["need_panel_problem"] == ""
    assert flow.data["need_panel_lead"] == "e1"  # the chair of the drawn panel
    assert flow.data["need_panel_experts"] == NEED_PANEL  # who sat on it, by name
    flow.do("need_review", dict(REVIEW, need_listed_decision="reject", need_review_opinion="带动性不强"))
    # not listed: the challenge ends, and the issuer is told why
    assert flow.info()["status"] == "completed"
    assert flow.data["need_listed_decision"] == "reject"
    reason = not_listed_reason(flow.data)
    assert "专家组未将该需求列入榜单" in reason and "带动性不强" in reason


def test_001_8_2_need_review_is_the_panel_leads_task(start) -> None:  # type: ignore[no-untyped-def]
    """001 八(二): the assessment is the panel's: the need_review task is assigned to the panel's lead, not to
    any expert of the jurisdiction."""
    flow = start("dazu")
    flow.do("post_need", need())
    flow.do("form_need_panel", panel(["e3", "e1", "e2", "e4", "e5"]))
    (row,) = [t for t in flow.info()["ready_tasks"] if t["task"] == "need_review"]
    task = flow.s.get(HumanTask, row["id"])
    assert task is not None and task.assignee == "e3"


def test_001_8_2_district_government_returns_the_list(start) -> None:  # type: ignore[no-untyped-def]
    """001 八(二): 形成项目榜单提请区政府审议。审议通过后…公开发布 — the list goes to the district government
    (approver) before publication; without a reason a refusal is sent back before submit; a returned list
    is not published and the challenge ends as not listed, with the reason for the issuer."""
    flow = listed(start)
    ready = flow.info()["ready_tasks"]
    assert [(t["task"], t["lane"]) for t in ready] == [("list_review", "区政府 (approver)")]
    refused = flow.refused("list_review", {"list_review": "return"})
    assert "理由" in refused["list_review_opinion"] and "001 八(二)" in refused["list_review_opinion"]
    flow.do("list_review", {"list_review": "return", "list_review_opinion": "与区产业规划重复"})
    assert flow.info()["status"] == "completed"
    assert "publish_list" not in [t["task"] for t in flow.info()["ready_tasks"]]
    reason = not_listed_reason(flow.data)
    assert "区政府审议未通过" in reason and "与区产业规划重复" in reason and "001 八(二)" in reason


def test_001_8_2_approved_list_is_published(start) -> None:  # type: ignore[no-untyped-def]
    """001 八(二): only after the district government's approval does the bureau publish the list."""
    flow = listed(start)
    assert flow.ready() == ["list_review"]
    flow.do("list_review", LIST_APPROVED)
    assert flow.ready() == ["publish_list"]
    flow.do("publish_list", {"list_published_on": "2026-06-20"})
    assert flow.ready() == ["collect_applications"]


def test_001_8_2_municipal_list_project_gets_district_matching(start) -> None:  # type: ignore[no-untyped-def]
    """001 八(二): 纳入市级榜单的项目不在区级发布；对获市级榜单发布的项目…区财政按照有关政策给予配套支持 — the
    need leaves the district list (no government review, no district publication); when the municipal list
    publishes it the bureau records the municipal award and the district matching support, booked in the
    ledger from the bureau to the issuer with the award as its condition."""
    flow = listed(start, municipal="yes")
    assert flow.ready() == ["municipal_award"]
    assert flow.data["district_list_status"] == "moved_to_municipal"
    # the policy sets no ratio or cap (0: the amount decided is entered) — the award itself is required
    assert flow.data["matching_ratio_pct"] == 0 and flow.data["matching_cap_fen"] == 0
    refused = flow.refused("municipal_award", {"municipal_published": "yes", "matching_fen": "300,000"})
    assert (
        "市级立项支持金额" in refused["municipal_award_fen"]
        and "001 八(二)" in refused["municipal_award_fen"]
    )
    flow.do(
        "municipal_award",
        {"municipal_published": "yes", "municipal_award_fen": "2,000,000", "matching_fen": "500,000"},
    )
    assert flow.info()["status"] == "completed"
    (entry,) = ledger.entries(flow.s, flow.key)
    assert entry["tranche"] == MATCHING_TRANCHE and entry["amount_fen"] == 50_000_000
    assert entry["payer"] == "bureau" and entry["party"] == "DAZU-ISS"
    assert "2,000,000.00" in str(entry["reason"]) and "001 八(二)" in str(entry["source"])
    assert flow.data["fiscal_support_fen"] == 50_000_000  # the plan of the project's books


def test_001_8_2_no_matching_when_the_municipal_list_does_not_publish(start) -> None:  # type: ignore[no-untyped-def]
    """001 八(二): matching support only for a project the municipal list published."""
    flow = listed(start, municipal="yes")
    refused = flow.refused("municipal_award", {"municipal_published": "no", "matching_fen": "100,000"})
    assert "未发布" in refused["matching_fen"]
    flow.do("municipal_award", {"municipal_published": "no"})
    assert flow.info()["status"] == "completed" and ledger.entries(flow.s, flow.key) == []
