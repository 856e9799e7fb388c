"""Size and tangle of the shipped diagrams: flow nodes per diagram, canvas size and edge crossings.

Run: ``.venv/bin/python scripts/diagram_stats.py [folder or .bpmn files…]`` (default: bpmn/). Flow nodes are the
BPMN events, activities and gateways of each diagram; an edge crossing is a point where two sequence or message
flows (their BPMNDI waypoints) cross, not counting points where flows merely meet at a shared end. An edge
through a shape is a flow whose line passes through a task, event or gateway other than its own ends (an
expanded subprocess holds flows, so it is not counted as an obstacle); a crossed label is a name's box (BPMNLabel)
that a flow's line passes through.
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
    width: int
    height: int
    through_shapes: int = 0
    labels_crossed: int = 0


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


def segment_through_box(s: Segment, box: Box) -> bool:
    """True when the segment passes through the inside of the box (1 px in from its border: a line that ends on
    or runs along the border does not count)."""
    (x1, y1), (x2, y2) = s
    bx, by, bw, bh = box[0] + 1, box[1] + 1, box[2] - 2, box[3] - 2
    if bw <= 0 or bh <= 0:
        return False
    dx, dy = x2 - x1, y2 - y1
    low, high = 0.0, 1.0
    for p, q in ((-dx, x1 - bx), (dx, bx + bw - x1), (-dy, y1 - by), (dy, by + bh - y1)):
        if p == 0:
            if q <= 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
    return high - low > 1e-9


def _box(bounds: etree._Element) -> Box:
    return tuple(float(bounds.get(k, 0)) for k in ("x", "y", "width", "height"))  # type: ignore[return-value]


def obstacles(root: etree._Element) -> tuple[int, int]:
    """(edges through a shape, labels crossed by an edge) of one diagram."""
    model = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    shapes: dict[str, Box] = {}
    labels: list[Box] = []
    for shape in root.iter(f"{{{BPMNDI}}}BPMNShape"):
        element = model.get(shape.get("bpmnElement"))
        bounds = shape.find(f"{{{DC}}}Bounds")
        kind = etree.QName(element).localname if element is not None else ""
        if bounds is not None and kind in FLOW_NODES and kind not in ("subProcess", "transaction"):
            shapes[shape.get("bpmnElement")] = _box(bounds)
    for label in root.iter(f"{{{BPMNDI}}}BPMNLabel"):
        bounds = label.find(f"{{{DC}}}Bounds")
        if bounds is not None:
            labels.append(_box(bounds))
    through = crossed = 0
    for edge in root.iter(f"{{{BPMNDI}}}BPMNEdge"):
        points = [(float(w.get("x", 0)), float(w.get("y", 0))) for w in edge.findall(f"{{{DI}}}waypoint")]
        segments = list(pairwise(points))
        flow = model.get(edge.get("bpmnElement"))
        ends = {flow.get("sourceRef"), flow.get("targetRef")} if flow is not None else set()
        ends |= {model[e].get("attachedToRef") for e in list(ends) if e in model}
        through += sum(
            1
            for element, box in shapes.items()
            if element not in ends and any(segment_through_box(s, box) for s in segments)
        )
        crossed += sum(1 for box in labels if any(segment_through_box(s, box) for s in segments))
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
    through, crossed = obstacles(root)
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
        through_shapes=through,
        labels_crossed=crossed,
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
        "edges through shapes",
        "labels crossed",
        "canvas (px)",
    )
    rows = [
        (
            s.file,
            str(s.flow_nodes),
            str(s.edges),
            str(s.crossings),
            str(s.through_shapes),
            str(s.labels_crossed),
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
