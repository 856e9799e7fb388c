"""The random panel draw from the expert pool through the Dazu and Karamay lifecycles: policy size, 回避,
reproducibility, replacement, confirmation into ``experts`` and the scoring of the drawn experts."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from engine import expert_pool, tasks
from engine.domain import panel
from engine.errors import ValidationFailed
from engine.models.expert import PanelDraw, PanelReplacement
from web.demo import load_experts

from . import test_karamay
from .conftest import application, score_all
from .drivers import to_review


def _panel_task(flow) -> str:  # type: ignore[no-untyped-def]
    (row,) = [t for t in tasks.list_tasks(flow.s, instance_id=flow.id) if t.task_spec == "form_panel"]
    return row.id


def _draws(session) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(PanelDraw))


@pytest.fixture
def pool(world):  # type: ignore[no-untyped-def]
    load_experts(world)
    return world


def test_dazu_draw_avoids_reproduces_replaces_and_scores(start, pool) -> None:  # type: ignore[no-untyped-def]
    flow = start("dazu")
    to_review(flow, [application("DAZU-S1", "DAZU-P1")])
    task_id = _panel_task(flow)
    s = flow.s

    # 001 八(四): at least 5 and odd, from the policy table — refused before anything is drawn
    with pytest.raises(ValidationFailed, match="不少于 5 人"):
        expert_pool.make_draw(s, task_id, size=3, field_filter="", actor="bureau_dazu")
    with pytest.raises(ValidationFailed, match="奇数"):
        expert_pool.make_draw(s, task_id, size=6, field_filter="", actor="bureau_dazu")
    # 12 in the pool; the issuer's expert, the applicant's, the affiliated company's and the absent one are out
    with pytest.raises(ValidationFailed, match="只有 8 人，不足 9 人"):
        expert_pool.make_draw(s, task_id, size=9, field_filter="", actor="bureau_dazu")
    with pytest.raises(ValidationFailed, match="不足 5 人"):
        expert_pool.make_draw(s, task_id, size=5, field_filter="硅基材料", actor="bureau_dazu")
    s.rollback()
    assert _draws(s) == 0
    # only the bureau of the jurisdiction draws
    with pytest.raises(Exception, match="没有办理此任务所需的角色"):
        expert_pool.make_draw(s, task_id, size=5, field_filter="", actor="issuer_dazu")
    s.rollback()

    draw = expert_pool.make_draw(s, task_id, size=5, field_filter="", actor="bureau_dazu", seed=20260620)
    excluded = {x["expert"]: x["reasons"] for x in json.loads(draw.excluded_json)}
    assert excluded == {
        "DAZU-E06": [panel.SAME_ORGANISATION],  # works at the issuer
        "DAZU-E08": [panel.AFFILIATED],  # the issuer holds shares in their company
        "DAZU-E10": [panel.SAME_ORGANISATION],  # works at the applicant DAZU-S1
        "DAZU-E12": [panel.UNAVAILABLE],
    }
    eligible = json.loads(draw.eligible_json)
    assert len(eligible) == 8 and not set(eligible) & set(excluded)
    result = json.loads(draw.result_json)
    assert len(result) == 5 and set(result) <= set(eligible)
    # reproducible: the stored inputs and the seed give the same panel
    assert expert_pool.repeat(draw) == result
    assert panel.draw(eligible, 5, 20260620) == result
    again = expert_pool.make_draw(s, task_id, size=5, field_filter="", actor="bureau_dazu", seed=20260620)
    assert json.loads(again.result_json) == result and json.loads(again.eligible_json) == eligible
    s.refresh(draw)
    assert draw.status == "superseded"

    # replacement of a declined expert: drawn again from the rest, with its reason
    declined = result[0]
    with pytest.raises(ValidationFailed, match="替换原因"):
        expert_pool.replace(s, task_id, removed=declined, reason=" ", actor="bureau_dazu")
    s.rollback()
    rep = expert_pool.replace(
        s, task_id, removed=declined, reason="出差无法参加", actor="bureau_dazu", seed=7
    )
    rest = [c for c in eligible if c not in result]
    assert rep.added == panel.draw_one(rest, 7) and rep.method == "draw"
    # or chosen by name among the remaining eligible ones; an excluded expert cannot be chosen
    with pytest.raises(ValidationFailed, match="不在可抽取的名单中"):
        expert_pool.replace(
            s, task_id, removed=result[1], reason="身体原因", chosen="DAZU-E06", actor="bureau_dazu"
        )
    s.rollback()
    left = expert_pool.remaining(s, again)
    assert declined not in left
    expert_pool.replace(s, task_id, removed=result[1], reason="身体原因", chosen=left[0], actor="bureau_dazu")
    assert s.scalar(select(func.count()).select_from(PanelReplacement)) == 2

    expert_pool.confirm(s, task_id, actor="bureau_dazu")
    experts = flow.data["experts"]
    members = json.loads(s.get(PanelDraw, again.id).members_json)
    assert [e["name"] for e in experts] == [
        f"expert_dazu_{int(c[-2:]):02d}" if c != "DAZU-E01" else "expert_dazu" for c in members
    ]
    assert all(e["display_name"] and e["organisation"] and e["title"] for e in experts)
    assert flow.data["panel_problem"] == ""
    assert flow.ready() == ["score"] * 5
    score_all(flow, {"DAZU-S1": 88})
    assert flow.data["review_ranking"][0]["solver"] == "DAZU-S1"
    # the task is done: no more draws for it
    with pytest.raises(Exception, match="已完成"):
        expert_pool.make_draw(s, task_id, size=5, field_filter="", actor="bureau_dazu")


def test_recent_service_excludes_from_the_next_draw_of_the_same_need(start, pool) -> None:  # type: ignore[no-untyped-def]
    flow = start("dazu")
    to_review(flow, [application("DAZU-S1", "DAZU-P1")])
    task_id = _panel_task(flow)
    s = flow.s
    draw = expert_pool.make_draw(s, task_id, size=5, field_filter="", actor="bureau_dazu", seed=1)
    draw.status = "confirmed"  # as if the panel had served (回避 of recent service, expert_draw.dmn)
    s.commit()
    pt = expert_pool.panel_task(s, task_id)
    case = pt.case(s, expert_pool.today(s))
    assert case.recent == frozenset(json.loads(draw.result_json))
    with pytest.raises(ValidationFailed, match="只有 3 人"):
        expert_pool.make_draw(s, task_id, size=5, field_filter="", actor="bureau_dazu")


def test_karamay_chair_recommended_by_the_issuer(start, pool) -> None:  # type: ignore[no-untyped-def]
    flow = start("karamay")
    test_karamay.to_review(flow, [application("KARAMAY-S1", "KARAMAY-P1")])
    task_id = _panel_task(flow)
    s = flow.s
    draw = expert_pool.make_draw(s, task_id, size=3, field_filter="", actor="bureau_karamay", seed=3)
    # 003 §12(5): no chair recommended by the issuer → refused, the task stays open
    with pytest.raises(ValidationFailed, match="发榜方推荐"):
        expert_pool.confirm(s, task_id, actor="bureau_karamay")
    s.rollback()
    assert flow.ready() == ["form_panel"]
    chair = json.loads(draw.members_json)[1]
    expert_pool.set_chair(s, task_id, chair=chair, actor="bureau_karamay")
    expert_pool.confirm(s, task_id, actor="bureau_karamay")
    chairs = [e for e in flow.data["experts"] if e["chair"]]
    assert len(chairs) == 1 and chairs[0]["recommended_by"] == "issuer"
    assert flow.ready() == ["score"] * 3
