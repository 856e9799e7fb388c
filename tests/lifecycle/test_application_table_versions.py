"""Issue 15 item 3: applications live in the ``application`` table; the diagrams keep only the solver codes,
the eligibility facts and the refusals. An instance started on the diagrams from before (``application_added``
and ``applications_with_facts``: every application's whole content in the workflow data, passed to the expert
review) keeps its version and runs to the end with the helpers its old scripts call, while the new deployment
records the applications in the table.

``fixtures/before_apptable/`` holds the four application stages and the two expert diagrams exactly as they
were shipped before the change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from engine import application_records
from engine.bundle import BundleFile, collect_paths
from engine.deploy import deploy_bundle

from .conftest import BPMN, Flow, application, need
from .drivers import contract_paid, implementing, passed_at_the_end, status

OLD = Path(__file__).parent / "fixtures" / "before_apptable"
OLD_FILES = {
    **{
        f"bpmn/{j}/stages/{j}_applications.bpmn": f"{j}_applications.bpmn"
        for j in ("dazu", "urumqi", "karamay", "zhangye")
    },
    "bpmn/shared/expert_review.bpmn": "expert_review.bpmn",
    "bpmn/shared/expert_scoring.bpmn": "expert_scoring.bpmn",
}


def _old_bundle() -> list[BundleFile]:
    """The shipped bundle with the application stages and the expert review as they were before the table."""
    files = [f for f in collect_paths([BPMN]) if f.name not in OLD_FILES]
    return [*files, *(BundleFile(name, (OLD / file).read_bytes()) for name, file in OLD_FILES.items())]


def _versions(world: Session, files: list[BundleFile]) -> dict[str, int]:
    return {p.key: p.version for p in deploy_bundle(world, files).processes}


def _to_the_end(flow: Flow, j: str) -> None:
    """A project in its period (``implementing``) through a passed acceptance and the payments it closes with."""
    passed_at_the_end(flow, j)
    if j != "dazu":  # Dazu's settlement closes with its acceptance (``passed_at_the_end``)
        contract_paid(flow)


@pytest.mark.parametrize("j", ["dazu", "urumqi", "karamay", "zhangye"])
def test_a_case_started_with_the_applications_in_its_data_runs_to_the_end(
    start, world: Session, j: str
) -> None:  # type: ignore[no-untyped-def]
    old = _versions(world, _old_bundle())[f"{j}_challenge"]
    started: list[Flow] = []

    def on_old_version(jurisdiction: str) -> Flow:
        flow = start(jurisdiction, version=old)
        # the new diagrams are deployed while the case runs
        assert _versions(world, collect_paths([BPMN]))[f"{j}_challenge"] == old + 1
        started.append(flow)
        return flow

    flow = implementing(on_old_version, j)
    code = f"{j.upper()}-S1"
    # the old diagrams kept the whole application in the data and passed it on
    (kept,) = flow.data["applications"]
    assert kept["solver"] == code and kept["plan"] == "方案" and kept["facts"]
    assert [a["solver"] for a in flow.data["applications_ok"]] == [code]
    # the pages read such a case from its data (nothing of it is in the table)
    assert application_records.records(flow.s, flow.key) == {}
    (shown,) = application_records.submitted(flow.s, flow.key, flow.data)
    assert shown["plan"] == "方案" and shown["members"] == f"{j.upper()}-P1"
    _to_the_end(flow, j)
    info = flow.info()
    assert info["status"] == "completed" and info["version"] == old, info["status"]
    assert status(flow) == "accepted"


def test_an_application_received_on_the_old_diagram_is_kept_in_its_data(start, world: Session) -> None:  # type: ignore[no-untyped-def]
    """The old receive script (``application_added``) and the old facts script (``applications_with_facts``)
    on an instance of the earlier deployment: the content stays in its data, the resubmission replaces it, and
    the bureau's form is filled from it; a case of the new deployment records the same in the table."""
    old = _versions(world, _old_bundle())["urumqi_challenge"]
    flow = start("urumqi", version=old)
    _versions(world, collect_paths([BPMN]))
    flow.do("post_need", need())
    flow.do("recommend", {"recommended": "yes"})
    flow.do(
        "need_review", {"importance": 9, "feasibility": 8, "difficulty": 7, "need_listed_decision": "list"}
    )
    flow.do("publish_list", {"list_published_on": "2026-05-06", "applications_close_on": "2026-05-20"})
    first: dict[str, Any] = {**application("URUMQI-S1", "URUMQI-P1"), "submitted_by": "solver_urumqi"}
    flow.message("application", first)
    flow.message("application", {**first, "plan": "修订后的方案"})
    flow.at("2026-05-21T00:00:01+08:00")
    assert flow.ready() == ["collect_applications"]
    (kept,) = flow.data["applications"]
    assert kept["plan"] == "修订后的方案" and kept["submitted_by"] == "solver_urumqi"
    assert application_records.records(flow.s, flow.key) == {}
    (shown,) = application_records.submitted(flow.s, flow.key, flow.data)
    assert shown["plan"] == "修订后的方案"
    flow.do("collect_applications", {"applications": [shown]})
    assert flow.ready() == ["few_teams"]
    assert flow.data["applications"][0]["plan"] == "修订后的方案" and flow.data["applications"][0]["facts"]
    assert flow.info()["version"] == old
