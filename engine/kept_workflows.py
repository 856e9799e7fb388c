"""Workflows kept in memory between changes of the same instance (issue 15: a change's restore of a large state
costs more than its step).

After a change commits, the door keeps the running instance's workflow with the exact state text it stored.
The next change of the instance takes it back only when the state it reads in its own transaction is that very
text, in the same serializer version, for the same process version's spec objects: a change made elsewhere (by
another process, a data repair, a migration) stores other text and the workflow is restored from the database
as before. A taken workflow leaves the store, so a change that fails throws it away and nothing half-changed is
ever kept; two requests never share one workflow.

The store is per process, bounded (least recently used first out) by ``JIEBANG_KEPT_WORKFLOWS`` (default 64;
0 turns keeping off).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec

DEFAULT_SIZE = 64


@dataclass(frozen=True)
class Kept:
    wf: BpmnWorkflow
    #: the state text the change stored for this workflow, and the serializer version it was written in
    state_json: str
    serializer_version: str


@dataclass
class Counts:
    hits: int = 0
    misses: int = 0


class KeptWorkflows:
    """A bounded, thread-safe store of workflows by instance id."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.counts = Counts()
        self._kept: OrderedDict[int, Kept] = OrderedDict()
        self._lock = threading.Lock()

    def take(
        self, instance_id: int, spec: BpmnProcessSpec, state_json: str, serializer_version: str
    ) -> BpmnWorkflow | None:
        """The kept workflow of the instance if it is exactly the stored state read now (it leaves the
        store), else None."""
        with self._lock:
            kept = self._kept.pop(instance_id, None)
        if (
            kept is not None
            and kept.wf.spec is spec
            and kept.serializer_version == serializer_version
            and kept.state_json == state_json
        ):
            self.counts.hits += 1
            return kept.wf
        self.counts.misses += 1
        return None

    def keep(self, instance_id: int, wf: BpmnWorkflow, state_json: str, serializer_version: str) -> None:
        """Keep a workflow whose state was just committed as ``state_json``."""
        if self.size <= 0:
            return
        wf.script_engine = None  # bound to the change's session; the next change attaches its own
        with self._lock:
            self._kept[instance_id] = Kept(wf, state_json, serializer_version)
            self._kept.move_to_end(instance_id)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)

    def forget(self, instance_id: int) -> None:
        with self._lock:
            self._kept.pop(instance_id, None)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
        self.counts = Counts()

    def __len__(self) -> int:
        return len(self._kept)

    def __contains__(self, instance_id: object) -> bool:
        return instance_id in self._kept


def _size_from_environment() -> int:
    text = os.environ.get("JIEBANG_KEPT_WORKFLOWS", "").strip()
    if not text:
        return DEFAULT_SIZE
    try:
        return max(0, int(text))
    except ValueError:
        raise ValueError(f"JIEBANG_KEPT_WORKFLOWS must be a whole number ≥ 0, not {text!r}") from None


#: the process's store
kept_workflows = KeptWorkflows(_size_from_environment())
