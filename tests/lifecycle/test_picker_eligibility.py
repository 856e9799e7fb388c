"""Who the pickers of the issuer's and the bureau's application forms offer and accept: the units the case's
eligibility table does not refuse (never the issuer, 000 §8; never a unit with a serious dishonesty record
within three years, 000 §10; never one on a joint-punishment list, 003 §8–9, in Karamay and in Zhangye), and as team members
only people of the row's solver and partners. A forged choice is refused beside the field with the table's
reason and its source; nothing is saved."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.models.instance import ProcessInstance
from engine.pickers import PickerScope

from .conftest import application, need

REVIEW = {"importance": 9, "feasibility": 8, "difficulty": 7, "need_listed_decision": "list"}


def at_issuer_pick(start: Any) -> Any:  # type: ignore[no-untyped-def]
    flow = start("zhangye")
    flow.do("post_need", need())
    flow.do("need_review", REVIEW)
    flow.do("publish_list", {"list_published_on": "2026-06-20"})
    assert flow.ready() == ["collect_applications"]
    return flow


def scope_of(flow: Any) -> PickerScope:  # type: ignore[no-untyped-def]
    instance = flow.s.scalars(select(ProcessInstance).where(ProcessInstance.id == flow.id)).one()
    return PickerScope(flow.s, instance.jurisdiction, instance.business_key, instance=instance)


def test_the_issuer_picks_among_units_the_eligibility_table_does_not_refuse(start) -> None:  # type: ignore[no-untyped-def]
    flow = at_issuer_pick(start)
    scope = scope_of(flow)
    offered = {code for code, _ in scope.choices("applicant")}
    partners = {code for code, _ in scope.choices("partner")}
    assert {"ZHANGYE-S1", "ZHANGYE-S2"} <= offered and "ZHANGYE-S3" in partners
    # the issuer itself (000 §8), its subsidiary (affiliated, 002 二(三)5), the unit with a serious dishonesty
    # record of 2025 (000 §10) and the one on a joint-punishment list until 2027 (POLICIES §5, 003 §8–9; 004 has
    # no credit rule of its own) are not offered, neither as the solver nor as a partner
    for code in ("ZHANGYE-ISS", "ZHANGYE-AFF", "ZHANGYE-BAD", "ZHANGYE-PUN"):
        assert code not in offered and code not in partners
    # 004 names no accident rule (Dazu's 001 五(一)5 does): a unit with a 2024 accident may be picked
    assert "ZHANGYE-ACC" in offered


def test_a_forged_solver_is_refused_with_the_tables_reason_and_source(start) -> None:  # type: ignore[no-untyped-def]
    flow = at_issuer_pick(start)
    issuer = flow.refused(
        "collect_applications", {"applications": [application("ZHANGYE-ISS", "ZHANGYE-PISS")]}
    )
    assert (
        "“张掖硅业股份有限公司”不能作为揭榜单位：发榜方与揭榜方不得为同一单位（000 §8）"
        in issuer["applications.0.solver"]
    )
    bad = flow.refused("collect_applications", {"applications": [application("ZHANGYE-BAD", "ZHANGYE-P1")]})
    assert "揭榜方近三年内有严重失信或违法记录（000 §10" in bad["applications.0.solver"]
    punished = flow.refused(
        "collect_applications",
        {"applications": [application("ZHANGYE-S1", "ZHANGYE-P1", partners="ZHANGYE-PUN")]},
    )
    assert (
        "“张掖惩戒企业”不能作为合作单位：列入联合惩戒名单（惩戒期内）（003 §8–9）"
        in punished["applications.0.partners"]
    )
    partner = flow.refused(
        "collect_applications",
        {"applications": [application("ZHANGYE-S1", "ZHANGYE-P1", partners="ZHANGYE-ISS")]},
    )
    assert "不能作为合作单位：发榜方不得作为揭榜方的合作单位（000 §8）" in partner["applications.0.partners"]


def test_team_members_come_from_the_rows_solver_and_partners(start) -> None:  # type: ignore[no-untyped-def]
    flow = at_issuer_pick(start)
    # ZHANGYE-P4 is a researcher of ZHANGYE-S2, chosen neither as the solver nor as a partner
    outside = flow.refused(
        "collect_applications", {"applications": [application("ZHANGYE-S1", "ZHANGYE-P1,ZHANGYE-P4")]}
    )
    assert "张掖研究员4（张掖揭榜单位2）不是" in outside["applications.0.members"]
    flow.do(
        "collect_applications",
        {"applications": [application("ZHANGYE-S1", "ZHANGYE-P1,ZHANGYE-P4", partners="ZHANGYE-S2")]},
    )
    assert flow.data["applications"][0]["members"] == "ZHANGYE-P1,ZHANGYE-P4"


def test_the_bureaus_record_of_applications_offers_the_same_units(start) -> None:  # type: ignore[no-untyped-def]
    """Dazu's bureau records the applications received (applications_form): the same table decides."""
    from tests.lifecycle.drivers import LIST_APPROVED, NEED_PANEL
    from tests.lifecycle.drivers import REVIEW as DAZU_REVIEW

    from .conftest import panel

    flow = start("dazu")
    flow.do("post_need", need())
    flow.do("form_need_panel", panel(NEED_PANEL))
    flow.do("need_review", DAZU_REVIEW)
    flow.do("municipal_check", {"taken_municipal": "no"})
    flow.do("list_review", LIST_APPROVED)
    flow.do("publish_list", {"list_published_on": "2026-05-06"})  # no online window: offline applications
    assert flow.ready() == ["collect_applications"]
    scope = scope_of(flow)
    offered = {code for code, _ in scope.choices("applicant")}
    assert "DAZU-S1" in offered and not {"DAZU-ISS", "DAZU-BAD", "DAZU-ACC"} & offered
    refused = flow.refused("collect_applications", {"applications": [application("DAZU-ACC", "DAZU-P1")]})
    assert (
        "近三年内发生重大安全事故或重大质量事故（001 五(一)5, 五(二)4）" in refused["applications.0.solver"]
    )


def test_zhangye_bureau_is_not_asked_for_an_online_closing_date(start) -> None:  # type: ignore[no-untyped-def]
    """004 三(三) publishes the list (向社会张榜发布: its date is asked) and 三(四) lets the issuer pick the team
    itself (由需求方自主择优确定揭榜人才团队): no online application window of ours, and no date for one."""
    flow = start("zhangye")
    flow.do("post_need", need())
    flow.do("need_review", REVIEW)
    refused = flow.refused(
        "publish_list", {"list_published_on": "2026-06-20", "applications_close_on": "2026-07-20"}
    )
    assert "applications_close_on" in refused
    flow.do("publish_list", {"list_published_on": "2026-06-20"})
    assert flow.ready() == ["collect_applications"]
