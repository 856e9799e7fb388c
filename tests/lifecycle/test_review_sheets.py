"""Issue 15 item 3: the experts' score sheets live in the ``review_sheet`` / ``review_score`` tables
(``engine.review_sheets``); the diagrams keep only who handed in a sheet (``reviews``: ``{expert, scored}``) and
the panel's ranking (``review_ranking``, what the select step reads). An instance started on the diagrams from
before (``fixtures/before_scores/``: the expert review and the expert's scoring exactly as shipped before the
table, every sheet in the workflow data) keeps its version and runs to the end with the helper its old script
calls (``score_ranking``), its sheets read from its data."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from engine import review_sheets
from engine.bundle import BundleFile, collect_paths
from engine.clock import current_now
from engine.deploy import deploy_bundle
from engine.domain.review_scores import score_ranking

from .conftest import BPMN, Flow, application, panel
from .drivers import implementing, to_review
from .test_application_table_versions import _to_the_end

OLD = Path(__file__).parent / "fixtures" / "before_scores"
OLD_FILES = {
    "bpmn/shared/expert_review.bpmn": "expert_review.bpmn",
    "bpmn/shared/expert_scoring.bpmn": "expert_scoring.bpmn",
}


def _old_bundle() -> list[BundleFile]:
    """The shipped bundle with the expert review and the expert's scoring as they were before the table."""
    files = [f for f in collect_paths([BPMN]) if f.name not in OLD_FILES]
    return [*files, *(BundleFile(name, (OLD / file).read_bytes()) for name, file in OLD_FILES.items())]


def _versions(world: Session, files: list[BundleFile]) -> dict[str, int]:
    return {p.key: p.version for p in deploy_bundle(world, files).processes}


def _score_each(flow: Flow, scores: list[tuple[float, float]]) -> None:
    """Each ready scoring done with the next pair of scores (DAZU-S1, DAZU-S2), comments and an opinion."""
    for one, two in scores:
        assert "score" in flow.ready()
        flow.do(
            "score",
            {
                "scores": [
                    {"solver": "DAZU-S1", "score": one, "comment": f"S1 得 {one}"},
                    {"solver": "DAZU-S2", "score": two},
                ],
                "opinion": f"总体意见 {one}",
            },
        )
    assert "score" not in flow.ready()


def _two_applicants(flow: Flow) -> None:
    """``flow`` (Dazu) at its panel's scoring with DAZU-S1 and DAZU-S2 as the candidates."""
    to_review(flow, [application("DAZU-S1", "DAZU-P1"), application("DAZU-S2", "DAZU-P4")])
    flow.do("form_panel", panel(["e1", "e2", "e3", "e4", "e5"]))
    assert flow.data["candidates"] == ["DAZU-S1", "DAZU-S2"]


SCORES = [(90.0, 70.0), (80.5, 75.0), (85.0, 65.0), (88.0, 72.5), (86.0, 60.0)]


def test_each_sheet_is_recorded_in_the_table_and_the_data_keeps_who_scored_and_the_ranking(start) -> None:  # type: ignore[no-untyped-def]
    flow = start("dazu")
    _two_applicants(flow)
    _score_each(flow, SCORES)
    data = flow.data
    experts = ["e1", "e2", "e3", "e4", "e5"]
    # the process data: who handed in a sheet and how many candidates it scores — no scores, no opinions
    assert sorted(r["expert"] for r in data["reviews"]) == experts
    assert all(set(r) == {"expert", "scored"} for r in data["reviews"]), data["reviews"]
    assert {r["scored"] for r in data["reviews"]} == {2}
    assert "scores" not in data and "opinion" not in data
    # the table: one sheet per expert with its lines in the form's order, the score kept to the tenth
    sheets = review_sheets.sheets(flow.s, flow.key)
    assert sorted(sheets) == experts
    assert all(s.instance_id == flow.id for s in sheets.values())
    shown = review_sheets.with_sheets(flow.s, data)["reviews"]
    assert [r["expert"] for r in shown] == [r["expert"] for r in data["reviews"]]
    by_opinion = {r["opinion"]: r for r in shown}
    assert set(by_opinion) == {f"总体意见 {one}" for one, _ in SCORES}
    assert by_opinion["总体意见 80.5"]["scores"][0] == {
        "solver": "DAZU-S1",
        "score": 80.5,
        "comment": "S1 得 80.5",
    }
    # the ranking the select step reads: the averages over the recorded sheets, as before the table
    assert data["review_ranking"] == score_ranking(shown)
    assert data["review_ranking"][0]["count"] == 5


def test_a_new_sheet_of_the_same_expert_replaces_the_earlier_one(start) -> None:  # type: ignore[no-untyped-def]
    flow = start("dazu")
    first = review_sheets.record(
        flow.s,
        flow.key,
        "e1",
        [{"solver": "A", "score": 90}, {"solver": "B", "score": 80}],
        "初评",
        current_now(),
    )
    again = review_sheets.record(
        flow.s, flow.key, "e1", [{"solver": "B", "score": 85.5}], "复评", current_now()
    )
    assert again.id == first.id
    (sheet,) = review_sheets.sheets(flow.s, flow.key).values()
    assert review_sheets.review_of(sheet) == {
        "expert": "e1",
        "scores": [{"solver": "B", "score": 85.5}],
        "opinion": "复评",
    }
    assert review_sheets.ranking(flow.s, flow.key, [{"expert": "e1", "scored": 1}]) == [
        {"solver": "B", "average": 85.5, "count": 1}
    ]
    # an expert the data lists without a sheet scores nothing; a sheet no entry lists does not count
    assert review_sheets.ranking(flow.s, flow.key, [{"expert": "e2", "scored": 1}]) == []


@pytest.mark.parametrize("j", ["dazu"])
def test_a_case_started_with_the_sheets_in_its_data_runs_to_the_end(start, world: Session, j: str) -> None:  # type: ignore[no-untyped-def]
    old = _versions(world, _old_bundle())[f"{j}_challenge"]

    def on_old_version(jurisdiction: str) -> Flow:
        flow = start(jurisdiction, version=old)
        # the new diagrams are deployed while the case runs
        assert _versions(world, collect_paths([BPMN]))[f"{j}_challenge"] == old + 1
        return flow

    flow = implementing(on_old_version, j)
    reviews = flow.data["reviews"]
    # the old diagrams kept every sheet in the data (scores and opinion) and ranked from it
    assert len(reviews) == 5 and all(r["scores"] and r["opinion"] == "同意" for r in reviews)
    assert flow.data["review_ranking"] == score_ranking(reviews)
    # nothing of it is in the table, and the pages read the sheets from the data as they are
    assert review_sheets.sheets(flow.s, flow.key) == {}
    assert review_sheets.with_sheets(flow.s, flow.data)["reviews"] == reviews
    _to_the_end(flow, j)
    info = flow.info()
    assert info["status"] == "completed" and info["version"] == old, info["status"]
