"""Who the pickers of the issuer's and the bureau's application forms offer and accept: the units the case's
eligibility table does not refuse (never the issuer, 000 §8; never a unit with a serious dishonesty record
within three years, 000 §10; never one on a joint-punishment list: 003 §8–9 in Karamay and in Zhangye, 001
五(二)4 and 八(八) in Dazu, 000 §16 and 002 四(三) in Urumqi), and as team members
only people of the row's solver and partners. A forged choice is refused beside the field with the table's
reason and its source; nothing is saved."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine import application_records
from engine.models.instance import ProcessInstance
from engine.pickers import PickerScope

from .conftest import application, need
from .drivers import dazu_published

REVIEW = {"importance": 9, "feasibility": 8, "difficulty": 7, "need_listed_decision": "list"}


def at_issuer_pick(start: Any) -> Any:  # type: ignore[no-untyped-def]
    flow = start("zhangye")
    flow.do("post_need", need())
    flow.do("need_review", REVIEW)
    flow.do("publish_list", {"list_published_on": "2026-06-20"})
    assert flow.ready() == ["collect_applications"]
    return flow


def partner_refusal(flow: Any, solver: str, member: str, partner: str) -> str:  # type: ignore[no-untyped-def]
    """The message beside the partners field when the bureau records ``solver``'s application with ``partner``
    (refused: nothing is saved)."""
    row = application(solver, member, partners=partner)
    return flow.refused("collect_applications", {"applications": [row]})["applications.0.partners"]


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
    punished = partner_refusal(flow, "ZHANGYE-S1", "ZHANGYE-P1", "ZHANGYE-PUN")
    assert "“张掖惩戒企业”不能作为合作单位：列入联合惩戒名单（惩戒期内）（003 §8–9）" in punished
    partner = partner_refusal(flow, "ZHANGYE-S1", "ZHANGYE-P1", "ZHANGYE-ISS")
    assert "不能作为合作单位：发榜方不得作为揭榜方的合作单位（000 §8）" in partner


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
    # the data keeps the codes the limits and the task book read; the table keeps what was entered
    assert flow.data["applications"][0]["members_list"] == ["ZHANGYE-P1", "ZHANGYE-P4"]
    (row,) = application_records.records(flow.s, flow.key).values()
    assert (row.members, row.partners, row.source) == ("ZHANGYE-P1,ZHANGYE-P4", "ZHANGYE-S2", "bureau")


def test_the_bureaus_record_of_applications_offers_the_same_units(start) -> None:  # type: ignore[no-untyped-def]
    """Dazu's bureau records the applications received (applications_form): the same table decides."""
    flow = start("dazu")
    dazu_published(flow, published_on="2026-05-06")  # no online window: offline applications
    scope = scope_of(flow)
    offered = {code for code, _ in scope.choices("applicant")}
    partners = {code for code, _ in scope.choices("partner")}
    assert "DAZU-S1" in offered and "DAZU-S2" in partners
    # 001 五(二)4: no bad credit record — a unit in a joint-punishment period (001 八(八)) has one
    assert not {"DAZU-ISS", "DAZU-BAD", "DAZU-ACC", "DAZU-PUN"} & offered
    assert "DAZU-PUN" not in partners
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


def test_001_dazu_refuses_a_unit_in_a_joint_punishment_period_beside_the_field(start) -> None:  # type: ignore[no-untyped-def]
    """001 五(一)5, 五(二)4 ask for no bad credit record; 001 八(八) puts a failed solver on the record and under
    joint punishment: 大足惩戒企业 (on the list until 2027) is refused as the solver and as a partner."""
    flow = start("dazu")
    dazu_published(flow, published_on="2026-05-06")
    solver = flow.refused("collect_applications", {"applications": [application("DAZU-PUN", "DAZU-P1")]})
    assert (
        "“大足惩戒企业”不能作为揭榜单位：列入联合惩戒名单（惩戒期内），有不良信用记录（001 五(一)5, 五(二)4, 八(八)）"
        in solver["applications.0.solver"]
    )
    partner = partner_refusal(flow, "DAZU-S1", "DAZU-P1", "DAZU-PUN")
    assert "“大足惩戒企业”不能作为合作单位：列入联合惩戒名单" in partner


def at_urumqi_collect(start) -> Any:  # type: ignore[no-untyped-def]
    flow = start("urumqi")
    flow.do("post_need", need())
    flow.do("recommend", {"recommended": "yes"})
    flow.do("need_review", REVIEW)
    flow.do("publish_list", {"list_published_on": "2026-06-20"})
    assert flow.ready() == ["collect_applications"]
    return flow


def test_000_16_urumqi_offers_no_unit_in_a_joint_punishment_period(start) -> None:  # type: ignore[no-untyped-def]
    """000 §16 restricts units with a dishonesty record in applications; 002 四(三) refuses a solver in a penalty
    period: 乌鲁木齐惩戒企业 is offered neither as the solver nor as a partner, and a forged partner is refused."""
    flow = at_urumqi_collect(start)
    scope = scope_of(flow)
    assert "URUMQI-S1" in {code for code, _ in scope.choices("applicant")}
    assert "URUMQI-PUN" not in {code for code, _ in scope.choices("applicant")}
    assert "URUMQI-S2" in {code for code, _ in scope.choices("partner")}
    assert "URUMQI-PUN" not in {code for code, _ in scope.choices("partner")}
    refused = partner_refusal(flow, "URUMQI-S1", "URUMQI-P1", "URUMQI-PUN")
    assert (
        "“乌鲁木齐惩戒企业”不能作为合作单位：列入联合惩戒名单（惩戒期内）（000 §9(一)2, §10(一)2, §16）"
        in refused
    )
