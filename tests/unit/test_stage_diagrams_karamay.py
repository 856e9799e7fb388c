"""issue 10 part 2: Karamay's lifecycle is a short top-level diagram of stages, each stage a diagram that fits one
screen — at most 30 flow nodes, no edge crossing, no edge through a shape, no name crossed by a line — and the
implementation wait is one subprocess with boundary events, not a copied loop."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
KARAMAY = ROOT / "bpmn" / "karamay"
DIAGRAMS = sorted(KARAMAY.rglob("*.bpmn"))
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
STAGES = {
    "karamay_needs",
    "karamay_applications",
    "karamay_selection",
    "karamay_approval",
    "karamay_task_book",
    "karamay_race",
    "karamay_implementation",
}


def test_the_lifecycle_and_its_stages_are_shipped() -> None:
    names = {p.stem for p in DIAGRAMS}
    assert {"karamay_challenge", "karamay_change"} | STAGES <= names
    top = etree.parse(str(KARAMAY / "karamay_challenge.bpmn")).getroot()
    called = {c.get("calledElement") for c in top.iter(f"{BPMN}callActivity")}
    assert called == STAGES


def test_the_implementation_wait_is_not_a_copied_loop() -> None:
    ids = {
        el.get("id"): el.get("name")
        for p in DIAGRAMS
        for el in etree.parse(str(p)).getroot().iter()
        if isinstance(el.tag, str) and el.get("id")
    }
    assert not [i for i in ids if i.endswith("_after_reminder")]
    assert "实施中（已提醒）" not in ids.values()
    stage = etree.parse(str(KARAMAY / "stages" / "karamay_implementation.bpmn")).getroot()
    boundaries = {b.get("id"): b.get("attachedToRef") for b in stage.iter(f"{BPMN}boundaryEvent")}
    assert boundaries == {
        "extension_request": "karamay_implementing",
        "termination_request": "karamay_implementing",
        "change_request": "karamay_implementing",
    }


def test_the_acceptance_is_a_stage_of_the_implementation() -> None:
    """The acceptance, its consequences and the contract payment are the stage karamay_acceptance (as in the
    other jurisdictions), called where the implementation's rounds end with the period."""
    stage = etree.parse(str(KARAMAY / "stages" / "karamay_implementation.bpmn")).getroot()
    called = {c.get("id"): c.get("calledElement") for c in stage.iter(f"{BPMN}callActivity")}
    assert called["stage_acceptance"] == "karamay_acceptance"
    assert not {"acceptance", "contract_payment"} & set(called.values())
    acceptance = etree.parse(str(KARAMAY / "stages" / "karamay_acceptance.bpmn")).getroot()
    # 003 §13(1): a 行业共性 project's acceptance tranche by the bureau's clerk comes between them
    assert [c.get("calledElement") for c in acceptance.iter(f"{BPMN}callActivity")] == [
        "acceptance",
        "karamay_fiscal_tranche",
        "contract_payment",
    ]
    decisions = [
        d.text for d in acceptance.iter("{http://spiffworkflow.org/bpmn/schema/1.0/core}calledDecisionId")
    ]
    assert decisions == ["acceptance_karamay"]


def test_003_s13_1_three_stages_each_call_the_clerks_tranche() -> None:
    """003 §13(1): 按照项目立项、“里程碑”考核、项目验收三个阶段拨付资金 — the task book, the milestone and the
    acceptance stages each call karamay_fiscal_tranche, whose one human task is the bureau's."""
    for stage, element in (
        ("karamay_task_book", "approval_tranche"),
        ("karamay_milestone", "milestone_tranche"),
        ("karamay_acceptance", "acceptance_tranche"),
    ):
        root = etree.parse(str(KARAMAY / "stages" / f"{stage}.bpmn")).getroot()
        called = {c.get("id"): c.get("calledElement") for c in root.iter(f"{BPMN}callActivity")}
        assert called[element] == "karamay_fiscal_tranche", stage
    tranche = etree.parse(str(KARAMAY / "stages" / "karamay_fiscal_tranche.bpmn")).getroot()
    assert [u.get("id") for u in tranche.iter(f"{BPMN}userTask")] == ["pay_fiscal_tranche"]
    lanes = {
        lane.get("name"): [r.text for r in lane.iter(f"{BPMN}flowNodeRef")]
        for lane in tranche.iter(f"{BPMN}lane")
    }
    assert "pay_fiscal_tranche" in lanes["科技局 (bureau)"]
