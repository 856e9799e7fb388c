"""scripts/diagram_stats.py: flow nodes and edge crossings per diagram, from the BPMNDI waypoints."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _stats() -> ModuleType:
    spec = importlib.util.spec_from_file_location("diagram_stats", ROOT / "scripts" / "diagram_stats.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("diagram_stats", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s"/><bpmn:userTask id="a"/><bpmn:exclusiveGateway id="g"/><bpmn:endEvent id="e"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="a"/><bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="e"/>
    <bpmn:sequenceFlow id="f3" sourceRef="a" targetRef="g"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="D"><bpmndi:BPMNPlane id="P" bpmnElement="p">
    <bpmndi:BPMNShape id="e_di" bpmnElement="e"><dc:Bounds x="500" y="300" width="36" height="36"/></bpmndi:BPMNShape>
    <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1"><di:waypoint x="0" y="0"/><di:waypoint x="100" y="100"/></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2"><di:waypoint x="0" y="100"/><di:waypoint x="100" y="0"/></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="f3_di" bpmnElement="f3"><di:waypoint x="100" y="100"/><di:waypoint x="200" y="100"/></bpmndi:BPMNEdge>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def test_crossing_edges_are_counted_and_edges_meeting_at_an_end_are_not(tmp_path: Path) -> None:
    path = tmp_path / "x.bpmn"
    path.write_text(DIAGRAM, encoding="utf-8")
    stats = _stats().diagram_stats(path, tmp_path)
    # f1 and f2 cross once; f3 starts where f1 ends, which is not a crossing
    assert (stats.flow_nodes, stats.edges, stats.crossings) == (4, 3, 1)
    assert (stats.width, stats.height) == (536, 336)


@pytest.mark.parametrize(
    ("s", "t", "crosses"),
    [
        (((0, 0), (10, 10)), ((0, 10), (10, 0)), True),
        (((0, 0), (10, 0)), ((10, 0), (20, 5)), False),  # touching ends
        (((0, 0), (10, 0)), ((0, 5), (10, 5)), False),  # parallel
        (((0, 0), (10, 0)), ((5, 0), (15, 0)), False),  # overlapping on one line
    ],
)
def test_segments_cross(s: tuple, t: tuple, crosses: bool) -> None:
    assert _stats().segments_cross(s, t) is crosses


def test_the_table_lists_every_shipped_diagram(capsys: pytest.CaptureFixture[str]) -> None:
    assert _stats().main([]) == 0
    out = capsys.readouterr().out
    for path in sorted((ROOT / "bpmn").rglob("*.bpmn")):
        assert path.relative_to(ROOT / "bpmn").as_posix() in out
    assert "| diagram" in out and "crossings" in out


BLOCKED = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s"/><bpmn:userTask id="a"/><bpmn:userTask id="b"/><bpmn:endEvent id="e" name="结束"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="b"/><bpmn:sequenceFlow id="f2" sourceRef="b" targetRef="e"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="D"><bpmndi:BPMNPlane id="P" bpmnElement="p">
    <bpmndi:BPMNShape id="s_di" bpmnElement="s"><dc:Bounds x="0" y="82" width="36" height="36"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="a_di" bpmnElement="a"><dc:Bounds x="100" y="60" width="100" height="80"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="b_di" bpmnElement="b"><dc:Bounds x="300" y="60" width="100" height="80"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="e_di" bpmnElement="e"><dc:Bounds x="500" y="82" width="36" height="36"/>
      <bpmndi:BPMNLabel><dc:Bounds x="430" y="30" width="30" height="14"/></bpmndi:BPMNLabel></bpmndi:BPMNShape>
    <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1"><di:waypoint x="36" y="100"/><di:waypoint x="300" y="100"/></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2"><di:waypoint x="400" y="60"/><di:waypoint x="400" y="40"/>
      <di:waypoint x="518" y="40"/><di:waypoint x="518" y="82"/></bpmndi:BPMNEdge>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def test_edges_through_shapes_and_crossed_labels_are_found(tmp_path: Path) -> None:
    """f1 runs through task a on its way to b; f2 runs through the end event's label; an edge touching its own
    source and target is fine."""
    path = tmp_path / "blocked.bpmn"
    path.write_text(BLOCKED, encoding="utf-8")
    assert _stats().obstructions(path) == ["edge f1 passes through a", "edge f2 crosses the label of e"]


def test_a_segment_along_a_border_does_not_enter() -> None:
    stats = _stats()
    assert stats.segment_enters(((0, 50), (300, 50)), (100, 0, 100, 100))
    assert not stats.segment_enters(((0, 0), (300, 0)), (100, 0, 100, 100))
    assert not stats.segment_enters(((0, 150), (300, 150)), (100, 0, 100, 100))
