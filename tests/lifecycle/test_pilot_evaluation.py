"""Zhangye's comprehensive evaluation at the end of the pilot (004 五(三)): the pilot years' figures, the
bureau's evaluation, the group leader's decision (promote, keep piloting, or return), the stored report."""

from __future__ import annotations

from engine import instances

from .conftest import Flow
from .drivers import FIRST_FEN, implementing

EVALUATION = {
    "pilot_results": "一个项目完成首期攻关。",
    "pilot_mechanism": "发榜方自主选定团队，效率较高。",
    "pilot_problems": "配套资金到位偏慢。",
    "pilot_improvements": "明确拨付时限。",
}


def test_pilot_evaluation_returned_then_promoted(start, world, sim) -> None:  # type: ignore[no-untyped-def]
    """004 五(三): 试点结束后，由市科技局牵头进行综合评估。评估通过后，进一步完善机制，正式推广施行。"""
    implementing(start, "zhangye")
    inst = instances.start_instance(
        world,
        "zhangye_pilot_evaluation",
        business_key="ZHANGYE-PILOT",
        data={"jurisdiction": "zhangye", "from_year": 2025, "to_year": 2026},
        actor="bureau_zhangye",
    )
    flow = Flow(world, sim, "zhangye", inst.id, "ZHANGYE-PILOT")
    assert flow.ready() == ["write_evaluation"]
    figures = flow.data["figures"]
    assert figures["projects"]["funded"] == 1 and figures["money"]["disbursed_fen"] == FIRST_FEN["zhangye"]
    assert [f["year"] for f in flow.data["per_year"]] == [2025, 2026]
    assert (
        "2025: 需求 needs 0," in flow.data["figures_text"]
        and "2026: 需求 needs 1," in flow.data["figures_text"]
    )
    # 004 二: the pilot supports 3–5 projects; with one so far the bureau is warned beside its results
    from engine import tasks

    (hint,) = tasks.check_hints(flow.s, ["pilot_count"], flow.data, "zh")["pilot_results"]
    assert (
        "试点期间已支持 1 个项目（试点方案支持 3–5 个）" in hint
        and "尚少于 3 个" in hint
        and "004 二" in hint
    )
    flow.do("write_evaluation", EVALUATION)
    flow.do("review", {"review_decision": "return", "review_opinion": "补充人才团队引进情况"})
    assert flow.ready() == ["write_evaluation"] and flow.data["review_rounds"] == 1
    flow.do("write_evaluation", dict(EVALUATION, pilot_results="引进团队 1 个，完成首期攻关。"))
    flow.do("review", {"review_decision": "promote", "review_opinion": "同意正式推广"})
    assert flow.info()["status"] == "completed"
    report = flow.data["pilot_report"]
    assert report["decision"] == "promote" and report["source"] == "004 五(三)"
    assert report["review_rounds"] == 2 and report["results"].startswith("引进团队")
