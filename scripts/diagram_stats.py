"""Size and tangle of the shipped diagrams: flow nodes per diagram, canvas size and edge crossings.

Run: ``.venv/bin/python scripts/diagram_stats.py [folder or .bpmn files…]`` (default: bpmn/). Flow nodes are the
BPMN events, activities and gateways of each diagram; an edge crossing is a point where two sequence or message
flows (their BPMNDI waypoints) cross, not counting points where flows merely meet at a shared end. ``obstructions`` lists
the edges drawn through a shape that is neither their source nor their target, and the labels a line crosses.
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


Rect = tuple[float, float, float, float]


def _bounds(element: etree._Element) -> Rect | None:
    found = element.find(f"{{{DC}}}Bounds")
    if found is None:
        return None
    return tuple(float(found.get(k, 0)) for k in ("x", "y", "width", "height"))  # type: ignore[return-value]


def segment_enters(segment: Segment, rect: Rect) -> bool:
    """True when the segment passes through the inside of the rectangle (running along its border does not
    count): Liang–Barsky clipping against the rectangle shrunk by one pixel."""
    (x0, y0), (x1, y1) = segment
    x, y, w, h = rect[0] + 1, rect[1] + 1, rect[2] - 2, rect[3] - 2
    if w <= 0 or h <= 0:
        return False
    low, high = 0.0, 1.0
    dx, dy = x1 - x0, y1 - y0
    for p, q in ((-dx, x0 - x), (dx, x + w - x0), (-dy, y0 - y), (dy, y + h - y0)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return False
    return high - low > 1e-9


def obstructions(path: Path) -> list[str]:
    """Edges drawn through a flow node other than their own ends (an expanded subprocess is a frame, not an
    obstacle) and labels (BPMNLabel bounds) crossed by an edge: what makes a diagram hard to read."""
    root = etree.parse(str(path)).getroot()
    kinds = {
        el.get("id"): etree.QName(el).localname
        for el in root.iter()
        if isinstance(el.tag, str) and el.tag.startswith(f"{{{BPMN}}}") and el.get("id")
    }
    frames = {
        el.get("id") for el in root.iter(f"{{{BPMN}}}subProcess") if el.get("triggeredByEvent") != "true"
    }
    ends = {
        el.get("id"): (el.get("sourceRef"), el.get("targetRef"))
        for el in root.iter()
        if isinstance(el.tag, str) and etree.QName(el).localname in ("sequenceFlow", "messageFlow")
    }
    shapes: dict[str, Rect] = {}
    labels: list[tuple[str, Rect]] = []
    for shape in root.iter(f"{{{BPMNDI}}}BPMNShape"):
        element, bounds = shape.get("bpmnElement") or "", _bounds(shape)
        if bounds is not None and kinds.get(element) in FLOW_NODES and element not in frames:
            shapes[element] = bounds
        label = shape.find(f"{{{BPMNDI}}}BPMNLabel")
        if label is not None and (found := _bounds(label)) is not None:
            labels.append((element, found))
    edges: list[tuple[str, list[Point]]] = []
    for edge in root.iter(f"{{{BPMNDI}}}BPMNEdge"):
        element = edge.get("bpmnElement") or ""
        points = [(float(w.get("x", 0)), float(w.get("y", 0))) for w in edge.findall(f"{{{DI}}}waypoint")]
        edges.append((element, points))
        label = edge.find(f"{{{BPMNDI}}}BPMNLabel")
        if label is not None and (found := _bounds(label)) is not None:
            labels.append((element, found))
    found_problems: list[str] = []
    for element, points in edges:
        own = ends.get(element, (None, None))
        for node, rect in shapes.items():
            if node not in own and any(segment_enters(s, rect) for s in pairwise(points)):
                found_problems.append(f"edge {element} passes through {node}")
        for owner, rect in labels:
            if any(segment_enters(s, rect) for s in pairwise(points)):
                found_problems.append(f"edge {element} crosses the label of {owner}")
    return found_problems


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
