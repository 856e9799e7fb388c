"""SpiffWorkflow plumbing shared by deployment and runtime: parser, serializer, spec (de)serialization."""

from __future__ import annotations

import json
import re
from datetime import date
from functools import lru_cache
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.spiff.parser import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG


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


def spec_to_json(spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec]) -> str:
    """Serialize a process spec with its subprocess specs once per version (notes §4, split storage)."""
    dct = serializer().to_dict(BpmnWorkflow(spec, subprocess_specs))
    return json.dumps({"spec": dct["spec"], "subprocess_specs": dct["subprocess_specs"]}, sort_keys=True)


def split_state(wf: BpmnWorkflow) -> str:
    """The per-instance part of a workflow's serialization (spec parts removed)."""
    dct = serializer().to_dict(wf)
    dct.pop("spec", None)
    dct.pop("subprocess_specs", None)
    return json.dumps(dct, separators=(",", ":"))


def join_state(spec_json: str, state_json: str, version: str) -> BpmnWorkflow:
    """Rebuild a workflow. ``from_dict`` mutates its input, so both parts are parsed fresh every time."""
    ser = serializer()
    dct: dict[str, Any] = json.loads(state_json)
    dct.update(json.loads(spec_json))
    dct[ser.VERSION_KEY] = version
    ser.migrate(dct)
    return ser.from_dict(dct)


def workflow_from_spec(spec_json: str) -> BpmnWorkflow:
    """A fresh workflow (not started) from a stored spec."""
    ser = serializer()
    specs = json.loads(spec_json)
    spec = ser.from_dict(specs["spec"])
    subprocess_specs = {name: ser.from_dict(value) for name, value in specs["subprocess_specs"].items()}
    return BpmnWorkflow(spec, subprocess_specs)


_ELEMENT_REPR = re.compile(r"<Element \{[^}]*\}(\w+) at 0x[0-9a-f]+>")


def clean_message(text: str) -> str:
    """SpiffWorkflow sometimes puts lxml element reprs in messages; show them as bpmn:tag."""
    return _ELEMENT_REPR.sub(r"bpmn:\1", text).strip()
