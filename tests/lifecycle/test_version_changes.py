"""Migration across versions of the real diagrams: a label-only change never blocks a move, and the preview
lists the policy values that differ (parameter's Chinese name, old → new)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine import versions
from engine.bundle import BundleFile, collect_paths
from engine.deploy import deploy_bundle

from .conftest import BPMN, application, panel
from .drivers import to_review

EXPERT_REVIEW = "bpmn/shared/expert_review.bpmn"
DAZU = "bpmn/dazu/policy_dazu.dmn"


def edited(replacements: dict[str, tuple[str, str]]) -> list[BundleFile]:
    out = []
    for f in collect_paths([BPMN]):
        if f.name in replacements:
            old, new = replacements[f.name]
            text = f.content.decode()
            assert old in text
            f = BundleFile(f.name, text.replace(old, new, 1).encode())
        out.append(f)
    return out


def scoring(start):  # type: ignore[no-untyped-def]
    """A Dazu instance whose expert panel is scoring: the multi-instance call activity is active."""
    flow = start("dazu")
    to_review(flow, [application("DAZU-S1", "DAZU-P1")])
    flow.do("form_panel", panel(["e1", "e2", "e3", "e4", "e5"]))
    assert flow.ready() == ["score"] * 5
    return flow


def test_label_only_change_of_an_active_multi_instance_does_not_block(start, world: Session) -> None:  # type: ignore[no-untyped-def]
    flow = scoring(start)
    label = ('name="专家评分"', 'name="专家打分"')
    policy = (
        '<outputEntry id="p_publicity_length__value"><text>5</text>',
        '<outputEntry id="p_publicity_length__value"><text>6</text>',
    )
    result = deploy_bundle(world, edited({EXPERT_REVIEW: label, DAZU: policy}))
    assert {p.key for p in result.processes if p.created} >= {"dazu_challenge", "expert_review"}
    plan = versions.preview_migration(world, flow.id)
    world.rollback()
    assert plan.safe, plan.problems
    score = [c for c in plan.changed if c["element"] == "score"]
    assert score and all(c["label_only"] for c in score)
    assert plan.policy == [
        {"key": "publicity_length", "zh": "公示期长度", "en": "Publicity length", "old": "5", "new": "6"}
    ]
    moved = versions.migrate_instance(world, flow.id, actor="bureau_dazu")
    assert moved.to_version == 2
    assert flow.ready() == ["score"] * 5


def test_a_real_change_of_an_active_multi_instance_still_blocks(start, world: Session) -> None:  # type: ignore[no-untyped-def]
    flow = scoring(start)
    end = "</bpmn:multiInstanceLoopCharacteristics>"
    condition = "<bpmn:completionCondition>len(reviews) &gt; 99</bpmn:completionCondition>"
    deploy_bundle(world, edited({EXPERT_REVIEW: (end, condition + end)}))
    plan = versions.preview_migration(world, flow.id)
    world.rollback()
    assert not plan.safe and any(p["element"] == "score" for p in plan.problems)
    assert not [c for c in plan.changed if c["element"] == "score" and c["label_only"]]
