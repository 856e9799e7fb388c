"""Size and tangle of the shipped diagrams: flow nodes per diagram, canvas size and edge crossings.

Run: ``.venv/bin/python scripts/diagram_stats.py [folder or .bpmn files…]`` (default: bpmn/). Flow nodes are the
BPMN events, activities and gateways of each diagram; an edge crossing is a point where two sequence or message
flows (their BPMNDI waypoints) cross, not counting points where flows merely meet at a shared end. ``overlaps``
lists edges drawn through a shape other than their own ends (an expanded subprocess counts only for edges from
outside it) and labels a line runs through.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations, pairwise
from pathlib import Path

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
FLOW_NODES = {
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
    "task",
    "userTask",
    "manualTask",
    "scriptTask",
    "serviceTask",
    "sendTask",
    "receiveTask",
    "businessRuleTask",
    "callActivity",
    "subProcess",
    "transaction",
    "exclusiveGateway",
    "inclusiveGateway",
    "parallelGateway",
    "eventBasedGateway",
    "complexGateway",
}
ROOT = Path(__file__).resolve().parents[1]

Point = tuple[float, float]
Segment = tuple[Point, Point]


@dataclass(frozen=True)
class DiagramStats:
    file: str
    processes: int
    flow_nodes: int
    edges: int
    crossings: int
    width: int
    height: int


def _orientation(a: Point, b: Point, c: Point) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def segments_cross(s: Segment, t: Segment) -> bool:
    """True when the two segments cross at a point inside both (touching ends and overlaps do not count)."""
    (a, b), (c, d) = s, t
    o1, o2 = _orientation(a, b, c), _orientation(a, b, d)
    o3, o4 = _orientation(c, d, a), _orientation(c, d, b)
    return o1 * o2 < 0 and o3 * o4 < 0


def edge_crossings(edges: list[list[Point]]) -> int:
    """Number of crossing points between the polylines of different edges."""
    segmented = [list(pairwise(points)) for points in edges]
    count = 0
    for one, other in combinations(segmented, 2):
        count += sum(1 for s in one for t in other if segments_cross(s, t))
    return count


Box = tuple[float, float, float, float]


def _bounds(element: etree._Element) -> Box | None:
    found = element.find(f"{{{DC}}}Bounds")
    if found is None:
        return None
    x, y = float(found.get("x", 0)), float(found.get("y", 0))
    return x, y, x + float(found.get("width", 0)), y + float(found.get("height", 0))


def segment_enters_box(s: Segment, box: Box) -> bool:
    """True when an axis-parallel segment runs through the inside of the box (touching its border does not
    count); other segments are not checked."""
    (ax, ay), (bx, by) = s
    x0, y0, x1, y1 = box
    if ax == bx:
        return x0 < ax < x1 and min(ay, by) < y1 and max(ay, by) > y0
    if ay == by:
        return y0 < ay < y1 and min(ax, bx) < x1 and max(ax, bx) > x0
    return False


def overlaps(path: Path) -> list[str]:
    """Edges through shapes and labels crossed by edges, as readable sentences (empty: none)."""
    root = etree.parse(str(path)).getroot()
    by_id = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}

    def ancestors(element_id: str | None) -> set[str]:
        found, element = set(), by_id.get(element_id or "")
        while element is not None:
            parent = element.getparent()
            if parent is not None and etree.QName(parent).localname == "subProcess":
                found.add(parent.get("id"))
            element = parent
        attached = by_id[element_id].get("attachedToRef") if element_id in by_id else None
        return found | ({attached} if attached else set())

    shapes: dict[str, Box] = {}
    labels: dict[str, Box] = {}
    for di in root.iter(f"{{{BPMNDI}}}BPMNShape", f"{{{BPMNDI}}}BPMNEdge"):
        element = by_id.get(di.get("bpmnElement") or "")
        if element is None:
            continue
        label = di.find(f"{{{BPMNDI}}}BPMNLabel")
        if label is not None and element.get("name") and (box := _bounds(label)) is not None:
            labels[element.get("id")] = box
        if etree.QName(di).localname == "BPMNShape" and etree.QName(element).localname in FLOW_NODES:
            if (box := _bounds(di)) is not None:
                shapes[element.get("id")] = box
    problems = []
    for di in root.iter(f"{{{BPMNDI}}}BPMNEdge"):
        flow = by_id.get(di.get("bpmnElement") or "")
        if flow is None:
            continue
        points = [(float(w.get("x", 0)), float(w.get("y", 0))) for w in di.findall(f"{{{DI}}}waypoint")]
        ends = {flow.get("sourceRef"), flow.get("targetRef")}
        own = ends | ancestors(flow.get("sourceRef")) | ancestors(flow.get("targetRef"))
        for shape_id, box in shapes.items():
            if shape_id not in own and any(segment_enters_box(s, box) for s in pairwise(points)):
                problems.append(f"edge {flow.get('id')} runs through {shape_id}")
        for label_id, box in labels.items():
            if any(segment_enters_box(s, box) for s in pairwise(points)):
                problems.append(f"edge {flow.get('id')} crosses the label of {label_id}")
    return problems


def diagram_stats(path: Path, base: Path) -> DiagramStats:
    root = etree.parse(str(path)).getroot()
    processes = root.findall(f"{{{BPMN}}}process")
    nodes = sum(
        1
        for el in root.iter()
        if isinstance(el.tag, str)
        and el.tag.startswith(f"{{{BPMN}}}")
        and etree.QName(el).localname in FLOW_NODES
    )
    edges = [
        [(float(w.get("x", 0)), float(w.get("y", 0))) for w in edge.findall(f"{{{DI}}}waypoint")]
        for edge in root.iter(f"{{{BPMNDI}}}BPMNEdge")
    ]
    right = bottom = 0.0
    for bounds in root.iter(f"{{{DC}}}Bounds"):
        right = max(right, float(bounds.get("x", 0)) + float(bounds.get("width", 0)))
        bottom = max(bottom, float(bounds.get("y", 0)) + float(bounds.get("height", 0)))
    for points in edges:
        for x, y in points:
            right, bottom = max(right, x), max(bottom, y)
    try:
        name = path.relative_to(base).as_posix()
    except ValueError:
        name = str(path)
    return DiagramStats(
        file=name,
        processes=len(processes),
        flow_nodes=nodes,
        edges=len(edges),
        crossings=edge_crossings(edges),
        width=round(right),
        height=round(bottom),
    )


def collect(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        found.extend(sorted(path.rglob("*.bpmn")) if path.is_dir() else [path])
    return found


def table(stats: list[DiagramStats]) -> str:
    header = ("diagram", "flow nodes", "edges", "crossings", "canvas (px)")
    rows = [
        (s.file, str(s.flow_nodes), str(s.edges), str(s.crossings), f"{s.width}×{s.height}") for s in stats
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"]
    lines.append("| " + " | ".join("-" * w for w in widths) + " |")
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[ROOT / "bpmn"])
    args = parser.parse_args(argv)
    files = collect(args.paths)
    if not files:
        print("no .bpmn file found", file=sys.stderr)
        return 1
    print(table([diagram_stats(f, ROOT / "bpmn") for f in files]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
