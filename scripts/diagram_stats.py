"""Size and tangle of the shipped diagrams: flow nodes per diagram, canvas size and edge crossings.

Run: ``.venv/bin/python scripts/diagram_stats.py [folder or .bpmn files…]`` (default: bpmn/). Flow nodes are the
BPMN events, activities and gateways of each diagram; an edge crossing is a point where two sequence or message
flows (their BPMNDI waypoints) cross, not counting points where flows merely meet at a shared end. An edge through
a shape is a flow whose line runs through a flow node other than its own ends (or a shape holding them); a
crossed label is a name's box (BPMNLabel) that a flow's line runs through.
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
Box = tuple[float, float, float, float]  # x, y, width, height


@dataclass(frozen=True)
class DiagramStats:
    file: str
    processes: int
    flow_nodes: int
    edges: int
    crossings: int
    through_shapes: int
    crossed_labels: int
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


def segment_enters_box(s: Segment, box: Box, margin: float = 1.0) -> bool:
    """True when the segment runs through the inside of the box shrunk by ``margin`` (touching the border does
    not count), by clipping the segment to the box (Liang–Barsky)."""
    (x0, y0), (x1, y1) = s
    left, top = box[0] + margin, box[1] + margin
    right, bottom = box[0] + box[2] - margin, box[1] + box[3] - margin
    if right <= left or bottom <= top:
        return False
    dx, dy = x1 - x0, y1 - y0
    low, high = 0.0, 1.0
    for p, q in ((-dx, x0 - left), (dx, right - x0), (-dy, y0 - top), (dy, bottom - y0)):
        if p == 0:
            if q <= 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low >= high:
            return False
    return True


def _inside(inner: Box, outer: Box) -> bool:
    cx, cy = inner[0] + inner[2] / 2, inner[1] + inner[3] / 2
    return outer[0] <= cx <= outer[0] + outer[2] and outer[1] <= cy <= outer[1] + outer[3]


def _box(bounds: etree._Element) -> Box:
    return tuple(float(bounds.get(k, 0)) for k in ("x", "y", "width", "height"))  # type: ignore[return-value]


def through_shapes_and_labels(root: etree._Element) -> tuple[int, int]:
    """(flows running through a flow node that is not one of their ends nor holds one, flows running through a
    name's label box)."""
    kinds = {
        el.get("id"): etree.QName(el).localname
        for el in root.iter()
        if isinstance(el.tag, str) and el.get("id") and etree.QName(el).namespace == BPMN
    }
    ends = {
        el.get("id"): (el.get("sourceRef"), el.get("targetRef"))
        for el in root.iter(f"{{{BPMN}}}sequenceFlow", f"{{{BPMN}}}messageFlow")
    }
    shapes: dict[str, Box] = {}
    labels: list[Box] = []
    for shape in root.iter(f"{{{BPMNDI}}}BPMNShape", f"{{{BPMNDI}}}BPMNEdge"):
        label = shape.find(f"{{{BPMNDI}}}BPMNLabel/{{{DC}}}Bounds")
        if label is not None:
            labels.append(_box(label))
        bounds = shape.find(f"{{{DC}}}Bounds")
        element = shape.get("bpmnElement")
        if bounds is not None and element and kinds.get(element) in FLOW_NODES:
            shapes[element] = _box(bounds)
    through = crossed = 0
    for edge in root.iter(f"{{{BPMNDI}}}BPMNEdge"):
        points = [(float(w.get("x", 0)), float(w.get("y", 0))) for w in edge.findall(f"{{{DI}}}waypoint")]
        segments = list(pairwise(points))
        own = [shapes[e] for e in ends.get(edge.get("bpmnElement"), ()) if e in shapes]
        others = [
            box for box in shapes.values() if box not in own and not any(_inside(end, box) for end in own)
        ]
        through += sum(1 for box in others if any(segment_enters_box(s, box) for s in segments))
        crossed += sum(1 for box in labels if any(segment_enters_box(s, box, margin=0) for s in segments))
    return through, crossed


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
    through, crossed = through_shapes_and_labels(root)
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
        through_shapes=through,
        crossed_labels=crossed,
        width=round(right),
        height=round(bottom),
    )


def collect(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        found.extend(sorted(path.rglob("*.bpmn")) if path.is_dir() else [path])
    return found


def table(stats: list[DiagramStats]) -> str:
    header = (
        "diagram",
        "flow nodes",
        "edges",
        "crossings",
        "through shapes",
        "crossed labels",
        "canvas (px)",
    )
    rows = [
        (
            s.file,
            str(s.flow_nodes),
            str(s.edges),
            str(s.crossings),
            str(s.through_shapes),
            str(s.crossed_labels),
            f"{s.width}×{s.height}",
        )
        for s in stats
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
