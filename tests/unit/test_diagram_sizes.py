"""Every shipped diagram fits one screen for a process owner (issue 10): at most 30 flow nodes, no crossing
edges, no edge through a shape and no label crossed by a line (``scripts/diagram_stats.py``)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
DIAGRAMS = sorted((ROOT / "bpmn").rglob("*.bpmn"))


def _stats() -> ModuleType:
    spec = importlib.util.spec_from_file_location("diagram_stats", ROOT / "scripts" / "diagram_stats.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("diagram_stats", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: str(p.relative_to(ROOT / "bpmn")))
def test_every_shipped_diagram_fits_one_screen_and_is_untangled(path: Path) -> None:
    stats = _stats().diagram_stats(path, ROOT)
    assert stats.flow_nodes <= 30, stats
    assert stats.crossings == 0, stats
    assert stats.through_shapes == 0, stats
    assert stats.crossed_labels == 0, stats
