"""Local legal persons (000 §9–10, 001 五(一)1, 002 二, 003 §8, 004 二) and Zhangye's 3–5 pilot projects (004 二),
through the engine: refused before anything is stored, with the article cited."""

from __future__ import annotations

from sqlalchemy import select

from engine.models.domain import Organisation

from .conftest import need
from .drivers import to_approve


def _move(flow, code: str, region: str) -> None:  # type: ignore[no-untyped-def]
    org = flow.s.scalars(select(Organisation).where(Organisation.code == code)).one()
    org.region = region
    flow.s.commit()


def test_004_2_issuer_registered_outside_zhangye_is_refused_at_posting(start) -> None:  # type: ignore[no-untyped-def]
    """004 二: the need side is an enterprise of the city; one registered in Beijing (110108) is refused."""
    flow = start("zhangye")
    _move(flow, "ZHANGYE-ISS", "110108")
    refused = flow.refused("post_need", need())["category"]
    assert "注册地（行政区划代码 110108）不在张掖市内" in refused and "004 二" in refused
    _move(flow, "ZHANGYE-ISS", "620702")
    flow.do("post_need", need())


def test_000_9_urumqi_breakthrough_issuer_local_transfer_issuer_anywhere(start) -> None:  # type: ignore[no-untyped-def]
    """000 §9(一), 002 二(一)1: a 技术攻关 issuer is a local legal person; a 成果转化 issuer may be anywhere
    (000 §9(二))."""
    flow = start("urumqi")
    _move(flow, "URUMQI-ISS", "110108")
    refused = flow.refused("post_need", need())["category"]
    assert "乌鲁木齐市域内" in refused and "000 §9(一)" in refused
    flow.do("post_need", need(category="transfer"))


def test_000_8_issuer_without_a_valid_uscc_is_refused(start) -> None:  # type: ignore[no-untyped-def]
    """000 §8–9: the issuer is a legal person, identified by its 统一社会信用代码."""
    flow = start("dazu")
    org = flow.s.scalars(select(Organisation).where(Organisation.code == "DAZU-ISS")).one()
    org.uscc = None
    flow.s.commit()
    refused = flow.refused("post_need", need())["category"]
    assert "未登记有效的统一社会信用代码" in refused and "001 五(一)1" in refused


def test_004_2_pilot_supports_at_most_five_projects(start) -> None:  # type: ignore[no-untyped-def]
    """004 二: 试点期间根据实际情况支持 3-5 个项目 — the sixth approval in the pilot is refused before submit;
    while fewer than three are supported the group leader sees a warning beside the decision."""
    from engine import tasks

    flows = []
    for i in range(6):
        flow = start("zhangye")
        to_approve(flow)
        flows.append(flow)
        if i in (0, 3):
            hint = tasks.check_hints(flow.s, ["pilot_quota"], flow.data, "zh")["approval"][0]
            assert f"已支持 {i} 个项目" in hint and ("尚少于 3 个" in hint) == (i < 3)
        if i < 5:
            flow.do("approve", {"approval": "approve"})
    refused = flows[5].refused("approve", {"approval": "approve"})["approval"]
    assert "已支持 5 个项目" in refused and "上限 5 个" in refused and "004 二" in refused
    flows[5].do("approve", {"approval": "reject"})  # refusing support is always possible


def test_000_10_2_transfer_solver_outside_urumqi_refused_at_eligibility(start) -> None:  # type: ignore[no-untyped-def]
    """000 §10(二), 002 二(四): a 成果转化 solver is a local enterprise with independent legal personality; the
    bureau's record of applications (offline) neither offers nor takes a unit registered in Beijing: the
    eligibility table's row, with the article, beside the field; the local one goes on."""
    from .conftest import application

    flow = start("urumqi")
    flow.do("post_need", need(category="transfer"))
    flow.do("recommend", {"recommended": "yes"})
    flow.do(
        "need_review", {"importance": 90, "feasibility": 80, "difficulty": 70, "need_listed_decision": "list"}
    )
    flow.do("publish_list", {"list_published_on": "2026-06-20"})
    _move(flow, "URUMQI-S2", "110108")
    both = [
        application("URUMQI-S1", "URUMQI-P1,URUMQI-P2"),
        application("URUMQI-S2", "URUMQI-P4,URUMQI-P5"),
    ]
    refused = flow.refused("collect_applications", {"applications": both})
    assert list(refused) == ["applications.1.solver"]
    assert "（000 §10(二), 002 二(四)）" in refused["applications.1.solver"]
    flow.do("collect_applications", {"applications": both[:1]})
    assert flow.data["application_refusals"] == []
    assert flow.data["candidates"] == ["URUMQI-S1"]
