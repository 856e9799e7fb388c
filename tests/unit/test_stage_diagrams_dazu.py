"""Dazu's lifecycle is a short top-level diagram of stages (call activities), each stage a diagram that fits one
screen (issue 10, part 2): at most 30 flow nodes, no crossing edges, no edge through a shape, no label crossed,
and waiting during the implementation uses boundary events instead of a copied loop."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
DAZU = ROOT / "bpmn" / "dazu"
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
DIAGRAMS = sorted(DAZU.rglob("*.bpmn"))
STAGES = sorted((DAZU / "stages").glob("*.bpmn"))


def _process(path: Path) -> etree._Element:
    process = etree.parse(str(path)).getroot().find(f"{BPMN}process")
    assert process is not None
    return process


def test_the_lifecycle_calls_each_stage_and_each_stage_is_its_own_diagram() -> None:
    top = _process(DAZU / "dazu_challenge.bpmn")
    assert top.get("id") == "dazu_challenge" and top.get("name") == "大足区揭榜挂帅项目"
    called = {c.get("calledElement") for c in top.iter(f"{BPMN}callActivity")}
    stage_ids = {_process(p).get("id") for p in STAGES}
    # the milestone check and the change review are stages of the implementation, called from its round; so is
    # the shared termination procedure (bpmn/shared/termination.bpmn)
    assert called == stage_ids - {"dazu_milestone", "dazu_change"}
    implementation = _process(DAZU / "stages" / "dazu_implementation.bpmn")
    assert {c.get("calledElement") for c in implementation.iter(f"{BPMN}callActivity")} == {
        "dazu_milestone",
        "dazu_change",
        "extension",
        "termination",
    }
    for path in STAGES:
        process = _process(path)
        assert process.get("id") == path.stem and process.get("name", "").startswith("大足·"), path


def test_implementation_waits_with_boundary_events_not_a_copied_loop() -> None:
    ids: list[str] = []
    for path in [DAZU / "dazu_challenge.bpmn", *STAGES]:  # lanes are copied with their ids, one per stage
        ids += [el.get("id") for el in _process(path).iter() if el.tag != f"{BPMN}lane" and el.get("id")]
    assert len(ids) == len(set(ids)), "an element id is used twice"
    assert not [i for i in ids if i.endswith("_after_reminder") or i == "implementing_reminded"]
    implementation = _process(DAZU / "stages" / "dazu_implementation.bpmn")
    boundary = {
        b.get("id"): (b.get("attachedToRef"), b.get("cancelActivity", "true"))
        for b in implementation.iter(f"{BPMN}boundaryEvent")
    }
    assert boundary == {
        "extension_request": ("dazu_implementing", "true"),
        "change_request": ("dazu_implementing", "true"),
        "termination_request": ("dazu_implementing", "true"),
        "reminder": ("dazu_implementing", "false"),  # the reminder does not stop the wait
    }
    names = [el.get("name") for el in implementation.iter() if isinstance(el.tag, str)]
    assert "实施中（已提醒）" not in names and names.count("实施中") == 1
