"""Size and tangle of the shipped diagrams: flow nodes per diagram, canvas size and edge crossings.

Run: ``.venv/bin/python scripts/diagram_stats.py [folder or .bpmn files…]`` (default: bpmn/). Flow nodes are the
BPMN events, activities and gateways of each diagram; an edge crossing is a point where two sequence or message
flows (their BPMNDI waypoints) cross, not counting points where flows merely meet at a shared end.
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
