"""SpiffWorkflow plumbing shared by deployment and runtime: parser, serializer, spec (de)serialization."""

from __future__ import annotations

import json
import re
from datetime import date
from functools import lru_cache
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import WorkflowConverter
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.spiff.parser import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.state_layout import (
    LAST_TASK_DELTA,
    compact_tasks,
    compact_workflow_data,
    restore_workflow_data,
    subprocess_dicts,
    subprocesses_from_dicts,
)


def new_parser() -> SpiffBpmnParser:
    """A parser that validates against the BPMN 2.0 XSD (and DMN XSDs); off by default in SpiffWorkflow."""
    return SpiffBpmnParser(validator=VALIDATOR)


@lru_cache(maxsize=1)
def serializer() -> BpmnWorkflowSerializer:
    registry = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
    # Spiff handles datetime, timedelta and UUID; scripts may also leave plain dates in task data.
    registry.register(
        date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]), typename="date"
    )
    return BpmnWorkflowSerializer(registry)


def serializer_version() -> str:
    return str(serializer().VERSION)


_UNSAVABLE = (TypeError, ValueError, OverflowError, RecursionError)


def _dump(value: Any) -> None:
    json.dumps(serializer().registry.convert(value), allow_nan=False)


def storage_problem(value: Any) -> str | None:
    """Why ``value`` cannot be kept in task data, in terms a diagram author understands; None if it can.

    Task data is stored as JSON through the serializer (which adds dates, times and UUIDs); NaN and
    infinities are refused as well, since no JSON reader of the API could read them back."""
    try:
        _dump(value)
        return None
    except _UNSAVABLE:
        return _locate(value, "")


def as_stored(value: Any) -> Any:
    """``value`` as it reads back from the stored state: tuples become lists and dict keys that are not text
    become the text JSON writes for them (``value`` itself when nothing changes). A workflow kept in memory between
    changes (``engine.kept_workflows``) then holds what a restored one would, so a diagram's next script sees
    the same types either way."""
    if isinstance(value, tuple):
        return [as_stored(item) for item in value]
    if isinstance(value, list):
        items = [as_stored(item) for item in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    if isinstance(value, dict):
        pairs = [(_stored_key(k), as_stored(v)) for k, v in value.items()]
        same = all(k is k2 and v is v2 for (k, v), (k2, v2) in zip(pairs, value.items(), strict=True))
        return value if same else dict(pairs)
    return value


def _stored_key(key: Any) -> Any:
    return key if isinstance(key, str) else next(iter(json.loads(json.dumps({key: 0}))))


def _locate(value: Any, path: str) -> str:
    """The innermost part of ``value`` that cannot be saved, e.g. ``items[2]: set``."""
    children: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str | int | float | bool) and key is not None:
                return f"{path or 'value'}: key of type {type(key).__name__}"
            children.append((f"{path}[{key!r}]", item))
    elif isinstance(value, list | tuple):
        children = [(f"{path}[{i}]", item) for i, item in enumerate(value)]
    for child_path, item in children:
        try:
            _dump(item)
        except _UNSAVABLE:
            return _locate(item, child_path)
    kind = type(value).__name__
    if isinstance(value, float):
        kind = f"float {value}"
    elif isinstance(value, int):
        kind = f"int of {value.bit_length()} bits"
    return f"{path}: {kind}" if path else kind


def spec_to_json(spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec]) -> str:
    """Serialize a process spec with its subprocess specs once per version (notes §4, split storage)."""
    registry = serializer().registry
    return json.dumps(
        {
            "spec": registry.convert(spec),
            "subprocess_specs": {name: registry.convert(sub) for name, sub in subprocess_specs.items()},
        },
        sort_keys=True,
    )


def _workflow_converter() -> Any:
    """SpiffWorkflow's converter for BpmnWorkflow (pinned 3.2.0), used to (de)serialize state without specs."""
    registry = serializer().registry
    to_dict = registry.convert_to_dict[
        registry.typenames[BpmnWorkflow]
    ]  # partial(_obj_to_dict, name, method)
    return to_dict.args[1].__self__


def restore_specs(spec_json: str) -> tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]]:
    """Spec objects from their stored JSON. They are read-only at run time, so one restored copy per process
    version can serve every instance of it (notes §10: parsed specs can be shared)."""
    registry = serializer().registry
    specs = json.loads(spec_json)
    return (
        registry.restore(specs["spec"]),
        {name: registry.restore(value) for name, value in specs["subprocess_specs"].items()},
    )


def split_state(wf: BpmnWorkflow) -> str:
    """The per-instance part of a workflow's serialization: the task tree, data and events, no specs; each
    datum once (engine.state_layout), text as UTF-8 rather than escapes."""
    conv = _workflow_converter()
    data, wf.data = wf.data, {}  # converted below only if it is not stored against the last task's
    try:
        dct = WorkflowConverter.to_dict(conv, wf)
    finally:
        wf.data = data
    compact_tasks(conv.registry, dct["tasks"], wf.tasks)
    compact_workflow_data(conv.registry, dct, wf)
    dct["subprocesses"] = subprocess_dicts(conv.registry, wf)
    dct["bpmn_events"] = conv.registry.convert(wf.bpmn_events)
    return json.dumps(dct, separators=(",", ":"), ensure_ascii=False)


def join_state(
    specs: tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]], state_json: str, version: str
) -> BpmnWorkflow:
    """Rebuild a workflow from shared spec objects and its own state (mirrors BpmnWorkflowConverter.from_dict)."""
    ser = serializer()
    dct: dict[str, Any] = json.loads(state_json)
    if version != ser.VERSION:
        dct[ser.VERSION_KEY] = version
        ser.migrate(dct)
    conv = _workflow_converter()
    spec, subprocess_specs = specs
    workflow = conv.target_class(spec, subprocess_specs, deserializing=True)
    workflow.tasks = conv.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
    workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
    data_delta = dct.pop(LAST_TASK_DELTA, None)
    conv.set_default_attributes(workflow, dct)
    restore_workflow_data(conv.registry, data_delta, workflow)
    subprocesses_from_dicts(conv.registry, dct["subprocesses"], workflow)
    workflow.bpmn_events = conv.registry.restore(dct.pop("bpmn_events", []))
    return workflow


def workflow_from_spec(specs: tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]]) -> BpmnWorkflow:
    """A fresh workflow (not started) from restored specs."""
    return BpmnWorkflow(specs[0], specs[1])


_ELEMENT_REPR = re.compile(r"<Element \{[^}]*\}(\w+) at 0x[0-9a-f]+>")


def clean_message(text: str) -> str:
    """SpiffWorkflow sometimes puts lxml element reprs in messages; show them as bpmn:tag."""
    return _ELEMENT_REPR.sub(r"bpmn:\1", text).strip()
