"""A node drawn in one lane must not run in another. SpiffWorkflow gives every node inside an embedded
subprocess the lane of the subprocess and ignores the lane the diagram draws it in, so a deployment refuses
such a diagram (engine.lint.lane_problems) with a message, by names, saying what to do; Zhangye's milestone
check, once drawn in the expert lane but run by the bureau, is now drawn where it runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.bundle import BundleFile, collect_paths
from engine.deploy import deploy_bundle, validate_bundle
from engine.errors import DeploymentRefused
from engine.lint import lane_problems, role_of_lane
from engine.models.deployment import Deployment, DeploymentFile, ProcessVersion
from engine.specs import new_parser
from tests.conftest import FIXTURES, MIWG

ROOT = Path(__file__).resolve().parents[2]
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
DI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
DC = "{http://www.omg.org/spec/DD/20100524/DC}"
ROUND = FIXTURES / "lanes" / "milestone_round.bpmn"
ZHANGYE = ROOT / "bpmn" / "zhangye" / "stages" / "zhangye_implementation.bpmn"
MILESTONE_NODES = {
    "milestone_again",
    "milestone_check",
    "milestone_verdict",
    "milestone_ok",
    "milestone_settle",
}

EXPERT_LANE = """      <bpmn:lane id="Lane_expert" name="评审专家 (expert)">
        <bpmn:flowNodeRef>milestone_check</bpmn:flowNodeRef>
      </bpmn:lane>
"""


def _counts(session: Session) -> tuple[int, int, int]:
    return tuple(  # type: ignore[return-value]
        session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Deployment, DeploymentFile, ProcessVersion)
    )


def _bundle(diagram: str) -> list[BundleFile]:
    forms = [f for f in collect_paths([FIXTURES / "basic"]) if f.kind == "form"]
    return [*forms, BundleFile("milestone_round.bpmn", diagram.encode("utf-8"))]


def _deployed_lanes(session: Session, key: str) -> dict[str, str]:
    """{task: lane} of the latest deployed version of ``key``, over its subprocesses too (the stored spec)."""
    pv = session.scalars(
        select(ProcessVersion)
        .where(ProcessVersion.process_key == key)
        .order_by(ProcessVersion.version.desc())
    ).first()
    assert pv is not None, key
    stored = json.loads(pv.spec_json)
    specs = [stored["spec"], *stored["subprocess_specs"].values()]
    return {name: ts["lane"] for spec in specs for name, ts in spec["task_specs"].items() if ts.get("lane")}


def test_the_engine_runs_a_node_of_a_subprocess_in_the_subprocess_lane_not_in_its_own() -> None:
    """The reason for the rule: SpiffWorkflow gives 里程碑考核, drawn in the expert lane, the bureau's lane."""
    parser = new_parser()
    parser.add_bpmn_file(str(ROUND))
    subprocess = parser.get_subprocess_specs("milestone_round")["round"]
    assert subprocess.task_specs["milestone_check"].lane == "科技局 (bureau)"


def test_a_task_drawn_in_another_lane_inside_a_subprocess_is_refused_by_name_and_nothing_stored(
    db_session: Session,
) -> None:
    before = _counts(db_session)
    with pytest.raises(DeploymentRefused) as caught:
        deploy_bundle(db_session, _bundle(ROUND.read_text(encoding="utf-8")))
    assert _counts(db_session) == before
    (problem,) = caught.value.details["problems"]
    assert (problem["file"], problem["element"], problem["line"]) == (
        "milestone_round.bpmn",
        "milestone_check",
        25,
    )
    assert problem["message_zh"] == (
        "任务“里程碑考核”画在“评审专家”泳道，但它在子流程“一轮实施”内，引擎按子流程所在的“科技局”泳道分派。"
        "请把它移到“科技局”泳道，或把子流程改为调用活动（callActivity）。"
    )
    # the English by the English names of the task, the lanes and the subprocess (the i18n catalogue)
    assert problem["message"] == (
        'Task "Milestone check" is drawn in the lane "Expert", but it is inside the subprocess '
        '"One implementation round", so the engine assigns it by the subprocess\'s lane "Science bureau". '
        'Move it to the "Science bureau" lane, or make the subprocess a call activity (callActivity).'
    )
    assert "(expert)" not in problem["message_zh"] and "(bureau)" not in problem["message_zh"]


def test_the_task_moved_to_the_lane_of_its_subprocess_deploys_and_runs_there(db_session: Session) -> None:
    text = ROUND.read_text(encoding="utf-8")
    moved = text.replace(EXPERT_LANE, "").replace(
        "<bpmn:flowNodeRef>round_end</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>round_end</bpmn:flowNodeRef>\n        <bpmn:flowNodeRef>milestone_check</bpmn:flowNodeRef>",
    )
    assert moved.count("milestone_check</bpmn:flowNodeRef>") == 1 and "Lane_expert" not in moved
    result = deploy_bundle(db_session, _bundle(moved))
    assert [(p.key, p.created) for p in result.processes] == [("milestone_round", True)]
    assert role_of_lane(_deployed_lanes(db_session, "milestone_round")["milestone_check"]) == "bureau"


def test_a_subprocess_in_no_lane_lets_each_of_its_nodes_run_in_its_own_lane(db_session: Session) -> None:
    """Not every lane inside a subprocess is refused: with the subprocess itself in no lane, the engine reads
    each node's own lane, so the expert lane is where 里程碑考核 runs and the diagram is true."""
    text = ROUND.read_text(encoding="utf-8").replace("<bpmn:flowNodeRef>round</bpmn:flowNodeRef>\n", "")
    assert "<bpmn:flowNodeRef>round</bpmn:flowNodeRef>" not in text
    deploy_bundle(db_session, _bundle(text))
    lanes = _deployed_lanes(db_session, "milestone_round")
    assert role_of_lane(lanes["milestone_check"]) == "expert"


def test_no_node_in_bpmn_runs_in_another_lane_than_the_one_it_is_drawn_in() -> None:
    """Every shipped diagram passes the check, and for every node of an embedded subprocess that a lane
    names, the lane SpiffWorkflow gives it is that lane."""
    bundle = validate_bundle(collect_paths([ROOT / "bpmn"]))
    checked: set[tuple[str, str]] = set()
    for _main, subprocess_specs in bundle.specs.values():
        for sub in subprocess_specs.values():
            tree = bundle.trees.get(sub.file)
            if tree is None or sub.name not in {el.get("id") for el in tree.iter(f"{BPMN}subProcess")}:
                continue  # a called process, not an embedded subprocess
            drawn = {ref.text: ref.getparent().get("name") for ref in tree.iter(f"{BPMN}flowNodeRef")}
            for ts in sub.task_specs.values():
                node = getattr(ts, "bpmn_id", None)
                if node in drawn:
                    assert ts.lane == drawn[node], (sub.file, node, ts.lane, drawn[node])
                    checked.add((sub.file, node))
    # the Zhangye milestone nodes are among them, now in the bureau lane
    assert {node for file, node in checked if file.endswith("zhangye_implementation.bpmn")} >= MILESTONE_NODES


def test_zhangye_draws_the_milestone_check_in_the_bureau_band_and_has_no_expert_lane() -> None:
    root = etree.parse(str(ZHANGYE)).getroot()
    lanes = {lane.get("id"): lane for lane in root.iter(f"{BPMN}lane")}
    assert sorted(lane.get("name") for lane in lanes.values()) == ["科技局 (bureau)"]
    bureau = {ref.text for ref in lanes["Lane_bureau"].iter(f"{BPMN}flowNodeRef")}
    assert bureau >= MILESTONE_NODES | {"zhangye_impl_round"}
    assert lane_problems(etree.ElementTree(root), ZHANGYE.name) == []
    # the modeler draws each milestone node inside the 科技局 band, and draws no band for a lane that is gone
    bounds = {shape.get("bpmnElement"): shape.find(f"{DC}Bounds") for shape in root.iter(f"{DI}BPMNShape")}
    lane_shapes = {el for el in bounds if el.startswith("Lane_")}
    assert lane_shapes == {"Lane_bureau"}
    band = bounds["Lane_bureau"]
    top, bottom = float(band.get("y")), float(band.get("y")) + float(band.get("height"))
    left, right = float(band.get("x")), float(band.get("x")) + float(band.get("width"))
    for node in MILESTONE_NODES:
        box = bounds[node]
        x, y = float(box.get("x")), float(box.get("y"))
        assert left <= x and x + float(box.get("width")) <= right, node
        assert top <= y and y + float(box.get("height")) <= bottom, node


def test_zhangye_milestone_check_is_deployed_for_the_bureau(db_session: Session) -> None:
    deploy_bundle(db_session, collect_paths([ROOT / "bpmn"]))
    lanes = _deployed_lanes(db_session, "zhangye_implementation")
    assert {node: role_of_lane(lanes[node]) for node in MILESTONE_NODES} == dict.fromkeys(
        MILESTONE_NODES, "bureau"
    )


MIWG_FILES = sorted(MIWG.glob("*.bpmn"))


@pytest.mark.parametrize("path", MIWG_FILES, ids=[p.name for p in MIWG_FILES])
def test_the_lane_rule_finds_nothing_in_the_omg_conformance_diagrams(path: Path) -> None:
    """The MIWG reference diagrams draw lanes and subprocesses as process owners do (A.4.x, B.x have both);
    none puts a node of a subprocess in another lane than the subprocess's, so the rule does not need to be
    narrower than every flow node."""
    assert lane_problems(etree.parse(str(path)), path.name) == []


DRAWN = FIXTURES / "lanes" / "milestone_round_drawn.bpmn"
CHECK_REF = "<bpmn:flowNodeRef>milestone_check</bpmn:flowNodeRef>\n"
CHECK_SHAPE = '<dc:Bounds x="420" y="120" width="100" height="80"/>'
IN_EXPERT_BAND = '<dc:Bounds x="420" y="370" width="100" height="80"/>'


def test_a_task_of_a_subprocess_no_lane_names_is_in_the_band_it_is_drawn_in(db_session: Session) -> None:
    """bpmn-js (our modeler, the Camunda Modeler) names no lane for a node it places inside a subprocess: a
    task drawn in the expert band of the subprocess 一轮实施 (in the bureau lane) is refused as if the expert
    lane named it; drawn in the bureau band it deploys and runs there."""
    text = DRAWN.read_text(encoding="utf-8")
    unnamed = text.replace(CHECK_REF, "")
    assert unnamed != text and lane_problems(etree.ElementTree(etree.fromstring(unnamed.encode())), "x") == []
    deploy_bundle(db_session, _bundle(unnamed))
    assert role_of_lane(_deployed_lanes(db_session, "milestone_round_drawn")["milestone_check"]) == "bureau"

    moved = unnamed.replace(CHECK_SHAPE, IN_EXPERT_BAND)
    assert moved != unnamed
    before = _counts(db_session)
    with pytest.raises(DeploymentRefused) as caught:
        deploy_bundle(db_session, _bundle(moved))
    assert _counts(db_session) == before
    (problem,) = caught.value.details["problems"]
    assert (problem["element"], problem["line"]) == ("milestone_check", 31)  # one flowNodeRef line fewer
    assert problem["message_zh"].startswith("任务“里程碑考核”画在“评审专家”泳道，但它在子流程“一轮实施”内")
    # a lane that names it still decides where it is drawn, wherever its shape is
    named = moved.replace(
        "<bpmn:flowNodeRef>round_end</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>round_end</bpmn:flowNodeRef>\n" + CHECK_REF,
    )
    assert lane_problems(etree.ElementTree(etree.fromstring(named.encode())), "x") == []


def test_a_node_of_a_collapsed_subprocess_is_drawn_beside_no_lane() -> None:
    """A collapsed subprocess draws its nodes on its own plane: their coordinates say nothing of the lanes."""
    text = DRAWN.read_text(encoding="utf-8").replace(CHECK_REF, "")
    shape = '      <bpmndi:BPMNShape id="milestone_check_di" bpmnElement="milestone_check">\n'
    own_plane = (
        '  <bpmndi:BPMNDiagram id="Diagram_round"><bpmndi:BPMNPlane id="Plane_round" bpmnElement="round">\n'
        f"{shape}        {IN_EXPERT_BAND}\n      </bpmndi:BPMNShape>\n"
        "  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n</bpmn:definitions>"
    )
    collapsed = (
        text.replace(f"{shape}        {CHECK_SHAPE}\n      </bpmndi:BPMNShape>\n", "")
        .replace('bpmnElement="round" isExpanded="true"', 'bpmnElement="round" isExpanded="false"')
        .replace("</bpmn:definitions>", own_plane)
    )
    assert collapsed.count("milestone_check_di") == 1 and "Plane_round" in collapsed
    assert lane_problems(etree.ElementTree(etree.fromstring(collapsed.encode())), "x") == []
    # the same coordinates on the lanes' plane are in the expert band
    expanded = text.replace(CHECK_SHAPE, IN_EXPERT_BAND)
    assert [
        p.element for p in lane_problems(etree.ElementTree(etree.fromstring(expanded.encode())), "x")
    ] == ["milestone_check"]
