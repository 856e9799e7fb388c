"""A called process with declared inputs and outputs (bpmn/shared/expert_scoring.bpmn) gets only what it reads
and gives back only what it declares, so each expert's scoring carries a dozen variables instead of the
~150 of the case (policy parameters, earlier stages' records) — issue 15: unpack and pack of the state grow
with tasks × variables."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from engine import tasks
from engine.models.instance import ProcessInstance
from engine.models.task import HumanTask

from .conftest import application, need, panel
from .drivers import to_review

EXPERTS = ["e1", "e2", "e3", "e4", "e5"]

#: Most variables one expert's scoring task may carry: what the expert's page shows (the need, the candidates
#: and their applications, the case) — before its inputs were declared it carried the case's ~150.
SCORING_VARIABLES = 16


def _scoring_data(session: Session, iid: int) -> dict[str, dict[str, Any]]:
    instance = session.get(ProcessInstance, iid)
    assert instance is not None
    rows = session.query(HumanTask).filter_by(instance_id=iid, task_spec="score").all()
    return {row.assignee: tasks.task_data(session, instance, row.id) for row in rows}


def test_each_expert_scores_with_the_need_and_the_applications_but_not_the_whole_case(start) -> None:  # type: ignore[no-untyped-def]
    flow = start("dazu")
    to_review(flow, [application("DAZU-S1", "DAZU-P1"), application("DAZU-S2", "DAZU-P4")])
    flow.do("form_panel", panel(EXPERTS))
    scoring = _scoring_data(flow.s, flow.id)
    assert sorted(scoring) == EXPERTS
    for expert, data in scoring.items():
        # what the expert's page shows and the form fills its rows from
        assert data["expert"] == expert
        assert data["candidates"] == ["DAZU-S1", "DAZU-S2"]
        assert [a["solver"] for a in data["applications"]] == ["DAZU-S1", "DAZU-S2"]
        assert data["need_title"] == need()["need_title"] and data["project_code"] == flow.key
        # what the challenge asked, which the expert scores against
        assert (data["problem"], data["indicators"]) == (need()["problem"], need()["indicators"])
        # no policy parameter, no record of the stages before
        assert "panel_min" not in data and "fiscal_ratio_pct" not in data and "need_refusals" not in data
        assert len(data) <= SCORING_VARIABLES, sorted(data)
    # while the experts score, the instance's data (its page, the API) is still the whole case
    case = flow.data
    assert case["panel"] == EXPERTS and "panel_min" in case and "need_refusals" in case


def test_only_the_review_comes_back_from_each_expert(start) -> None:  # type: ignore[no-untyped-def]
    flow = start("dazu")
    to_review(flow, [application("DAZU-S1", "DAZU-P1")])
    flow.do("form_panel", panel(EXPERTS))
    for i in range(len(EXPERTS)):  # each scoring by its expert
        flow.do("score", {"scores": [{"solver": "DAZU-S1", "score": 80 + i}], "opinion": f"意见{i}"})
    data = flow.data
    assert sorted(r["expert"] for r in data["reviews"]) == EXPERTS
    assert data["review_ranking"][0]["solver"] == "DAZU-S1" and data["review_ranking"][0]["average"] == 82
    assert "scores" not in data and "opinion" not in data and "expert" not in data
