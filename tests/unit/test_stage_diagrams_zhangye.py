"""Zhangye's lifecycle is a short top-level diagram of stages, each stage a diagram that fits one screen
(issue 10, part 2): at most 30 flow nodes, no crossing edges, no edge through a shape, no label crossed by a
line, the happy path left to right, and no copied implementation loop."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "bpmn" / "zhangye"
DIAGRAMS = sorted(FOLDER.rglob("*.bpmn"))
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
DC = "{http://www.omg.org/spec/DD/20100524/DC}"
STAGES = ("need", "applications", "selection", "approval", "contract", "implementation", "acceptance")


def test_the_lifecycle_calls_one_diagram_per_stage_in_reading_order() -> None:
    root = etree.parse(str(FOLDER / "zhangye_challenge.bpmn")).getroot()
    (process,) = root.iter(f"{BPMN}process")
    assert (process.get("id"), process.get("name")) == ("zhangye_challenge", "张掖市揭榜挂帅项目")
    at = {
        shape.get("bpmnElement"): (
            float(shape.find(f"{DC}Bounds").get("x")),
            float(shape.find(f"{DC}Bounds").get("y")),
        )
        for shape in root.iter("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNShape")
    }
    # the happy path: from the start, follow the default or only flow of every element to the end
    flows = {f.get("id"): f for f in process.iter(f"{BPMN}sequenceFlow")}
    elements = {e.get("id"): e for e in process}
    path, current = [], "start"
    while current in elements:
        path.append(current)
        leaving = [f for f in flows.values() if f.get("sourceRef") == current]
        if not leaving:
            break
        default = elements[current].get("default")
        current = (flows[default] if default else leaving[0]).get("targetRef")
    called = [elements[e].get("calledElement") for e in path if elements[e].tag == f"{BPMN}callActivity"]
    assert called == [f"zhangye_{s}" for s in STAGES]
    assert path[-1] == "end_done"
    # read like text: left to right, with one line break from the selection to the approval stage
    steps = list(pairwise(path))
    backwards = [(a, b) for a, b in steps if at[b][0] <= at[a][0]]
    assert backwards == [("stage_selection", "stage_approval")]
    assert at["stage_approval"][1] > at["stage_selection"][1]
    for stage in STAGES:
        (found,) = (
            etree.parse(str(FOLDER / "stages" / f"zhangye_{stage}.bpmn")).getroot().iter(f"{BPMN}process")
        )
        assert found.get("id") == f"zhangye_{stage}" and found.get("name").startswith("张掖·")


def test_implementation_waits_once_with_boundary_events_not_a_copied_loop() -> None:
    """The reminder before a milestone or the end of the period is a non-interrupting boundary timer of the one
    wait 实施中; extension and change requests interrupt it; there is no 实施中（已提醒） copy."""
    text = "".join(p.read_text(encoding="utf-8") for p in DIAGRAMS)
    assert "_after_reminder" not in text and "实施中（已提醒）" not in text
    root = etree.parse(str(FOLDER / "stages" / "zhangye_implementation.bpmn")).getroot()
    boundaries = {b.get("id"): b for b in root.iter(f"{BPMN}boundaryEvent")}
    assert {b.get("attachedToRef") for b in boundaries.values()} == {"zhangye_implementing"}
    assert boundaries["reminder"].get("cancelActivity") == "false"
    assert {"extension_request", "change_request", "termination_request"} <= set(boundaries)
    assert not list(root.iter(f"{BPMN}eventBasedGateway"))
    # the termination runs inside the implementation's round (issue 15), the change review is a called stage
    assert {c.get("calledElement") for c in root.iter(f"{BPMN}callActivity")} == {
        "zhangye_change",
        "extension",
        "termination",
    }
    top = etree.parse(str(FOLDER / "zhangye_challenge.bpmn")).getroot()
    assert "termination" not in {c.get("calledElement") for c in top.iter(f"{BPMN}callActivity")}
    assert not list(top.iter(f"{BPMN}boundaryEvent"))


def _documentation(path: Path, task: str) -> str:
    root = etree.parse(str(path)).getroot()
    (node,) = [e for e in root.iter(f"{BPMN}userTask") if e.get("id") == task]
    return "".join(d.text or "" for d in node.findall(f"{BPMN}documentation"))


def test_the_milestone_check_cites_zhangye_s_own_measures_and_dazu_keeps_its_own() -> None:
    """Zhangye's 里程碑考核 cites 004 三(六) (the bureau checks, ≤ 2 years self-managed, stop and recover), not
    Dazu's issuer-led check with its panel of ≥ 5 (001 八(七)/九(二)); Dazu's diagram keeps that citation."""
    zhangye = _documentation(FOLDER / "stages" / "zhangye_implementation.bpmn", "milestone_check")
    assert "004 三(六)" in zhangye and "self-managed" in zhangye
    assert "001" not in zhangye and "003" not in zhangye and "issuer-led" not in zhangye, zhangye
    dazu = _documentation(ROOT / "bpmn" / "dazu" / "stages" / "dazu_milestone.bpmn", "milestone_check")
    assert "001 八(七)/九(二) issuer-led" in dazu, dazu
