"""Issue 15: Urumqi's and Karamay's implementation rounds were a gateway loop (impl_loop, every round adding
its tasks to the state) and are now the standard-loop subprocess 一轮实施. An instance started on the old
diagram keeps its version: once it has reached impl_loop, moving it to the new version is refused (an element
it reached is gone, engine/versions.py), and it finishes its lifecycle on the version it started on.

``fixtures/gateway_loop/`` holds the two stage diagrams exactly as they were shipped before the change."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from engine import versions
from engine.bundle import BundleFile, collect_paths
from engine.deploy import deploy_bundle

from .conftest import BPMN, DOCS, acceptance_panel
from .drivers import contract_paid, implementing, status
from .test_implementation_rounds import REFUSED, tasks_in_workflow

OLD = Path(__file__).parent / "fixtures" / "gateway_loop"


def _old_bundle(j: str) -> list[BundleFile]:
    """The shipped bundle with ``j``'s implementation stage as it was drawn before the rounds."""
    name = f"bpmn/{j}/stages/{j}_implementation.bpmn"
    files = [f for f in collect_paths([BPMN]) if f.name != name]
    return [*files, BundleFile(name, (OLD / f"{j}_implementation.bpmn").read_bytes())]


@pytest.mark.parametrize("j", ["urumqi", "karamay"])
def test_an_instance_on_the_gateway_loop_keeps_its_version_to_the_end(start, world: Session, j: str) -> None:  # type: ignore[no-untyped-def]
    old = deploy_bundle(world, _old_bundle(j))
    old_version = {p.key: p.version for p in old.processes}[f"{j}_challenge"]
    flow = implementing(lambda jurisdiction: start(jurisdiction, version=old_version), j)
    new = deploy_bundle(world, collect_paths([BPMN]))
    assert {p.key: p.version for p in new.processes}[f"{j}_challenge"] == old_version + 1

    plan = versions.preview_migration(world, flow.id)
    world.rollback()
    assert not plan.safe and "impl_loop" in {p["element"] for p in plan.problems}, plan.problems

    # the old diagram goes on: a refused change goes back through impl_loop and its tasks pile up
    flow.message("change_request", REFUSED)
    after_one = tasks_in_workflow(flow)
    flow.message("change_request", REFUSED)
    assert flow.ready() == [] and tasks_in_workflow(flow) > after_one

    flow.at(flow.data["checkpoint_at"])
    flow.do("request", DOCS)
    if j == "karamay":  # 003 §12(9)2: the issuer's user evaluation first
        flow.do("user_eval", {"user_rating": "satisfied"})
    flow.do(
        "review",
        {
            "acceptance_outcome": "pass",
            "acceptance_opinion": "通过",
            "acceptance_panel": acceptance_panel(flow),
        },
    )
    contract_paid(flow)
    assert flow.info()["status"] == "completed" and flow.info()["version"] == old_version
    assert status(flow) == "accepted"
