"""Our own deploy-time checks on parsed specs, beyond XSD and SpiffWorkflow's semantic validation.

- every user task has a lane and a form that exists in the bundle;
- every script, condition and timer expression compiles in the restricted script environment;
- no sequence-flow back edge (SpiffWorkflow stalls silently after ~250 iterations of such a loop and then
  reports the instance completed: notes/SPIFFWORKFLOW.md §8) unless the loop's gateway declares a small
  ``maxLoops`` property; use a standard loop, multi-instance or a call activity instead;
- no flow node drawn in one lane that runs in another: SpiffWorkflow gives every node inside an embedded
  subprocess the lane of the subprocess (its own flowNodeRef is ignored), see :func:`lane_problems`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.spiff.specs.defaults import ManualTask, UserTask

from engine.scripting import script_problems

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
#: embedded subprocesses: SpiffWorkflow parses their nodes with the subprocess's lane (ProcessParser ``lane=``)
EMBEDDED_SUBPROCESSES = frozenset({"subProcess", "adHocSubProcess", "transaction"})
MAX_DECLARED_LOOPS = 100
ROLE_CODE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
ROLE_IN_LANE = re.compile(r"[(（]\s*([a-z][a-z0-9_]{1,31})\s*[)）]\s*$")


@dataclass(frozen=True)
class LintProblem:
    file: str | None
    element: str | None
    message: str
    message_zh: str


def role_of_lane(lane: str | None) -> str | None:
    """Lane names are a role code (``bureau``) or a display name ending in one (``科技局 (bureau)``)."""
    if not lane:
        return None
    lane = lane.strip()
    if ROLE_CODE.match(lane):
        return lane
    found = ROLE_IN_LANE.search(lane)
    return found.group(1) if found else None


def form_key_of(task_spec: Any) -> str | None:
    props = (getattr(task_spec, "extensions", None) or {}).get("properties") or {}
    return props.get("formKey")


def start_form_of(task_spec: Any) -> str | None:
    """The start form a start event declares (``startForm``, engine.start_forms)."""
    props = (getattr(task_spec, "extensions", None) or {}).get("properties") or {}
    return props.get("startForm")


def need_form_of(task_spec: Any) -> str | None:
    """The start form an annual call's start event declares for the needs posted into it (``needForm``)."""
    props = (getattr(task_spec, "extensions", None) or {}).get("properties") or {}
    return props.get("needForm")


def properties_of(task_spec: Any) -> dict[str, str]:
    return dict((getattr(task_spec, "extensions", None) or {}).get("properties") or {})


def _timer_expressions(task_spec: Any) -> Iterator[str]:
    ed = getattr(task_spec, "event_definition", None)
    if isinstance(ed, TimerEventDefinition):
        yield ed.expression
    elif isinstance(ed, MultipleEventDefinition):
        for sub in ed.event_definitions:
            if isinstance(sub, TimerEventDefinition):
                yield sub.expression


def expressions(task_spec: Any) -> Iterator[tuple[str, str, str]]:
    """(kind, source, mode) for every piece of diagram code on this task spec: ``mode`` is how it compiles
    (``eval`` for an expression, ``exec`` for a script)."""
    for expr in _timer_expressions(task_spec):
        yield "timer expression", expr, "eval"
    for condition, _target in getattr(task_spec, "cond_task_specs", []) or []:
        # a gateway's conditions: SpiffWorkflow 3 keeps each as a _BpmnCondition holding its text
        text = condition if isinstance(condition, str) else (getattr(condition, "args", None) or [None])[0]
        if isinstance(text, str):
            yield "condition", text, "eval"
    script = getattr(task_spec, "script", None)
    if isinstance(script, str) and script.strip():
        yield "script", script, "exec"
    for attr in ("prescript", "postscript"):
        value = getattr(task_spec, attr, None)
        if isinstance(value, str) and value.strip():
            yield attr, value, "exec"
    for attr in ("cardinality", "condition"):
        value = getattr(task_spec, attr, None)
        if isinstance(value, str) and value.strip():
            yield attr, value, "eval"
    props = properties_of(task_spec)  # who does the task (engine.assignment)
    for name in ("assignee", "candidateOrganisation"):
        value = props.get(name)
        if isinstance(value, str) and value.strip():
            yield name, value.strip(), "eval"


PropertyLookup = Callable[[str], dict[str, str]]


def lint_spec(
    spec: BpmnProcessSpec, form_keys: set[str], xml_properties: PropertyLookup | None = None
) -> list[LintProblem]:
    """``xml_properties(element_id)`` reads spiffworkflow:property values straight from the diagram, for
    elements (gateways) whose parsed spec carries no extensions."""
    problems: list[LintProblem] = []
    file = getattr(spec, "file", None)
    for task_spec in spec.task_specs.values():
        bpmn_id = getattr(task_spec, "bpmn_id", None)
        if bpmn_id is None:
            continue  # internal specs (Start, End, Root, boundary splits)
        if isinstance(task_spec, UserTask | ManualTask):
            problems.extend(_lint_user_task(task_spec, file, form_keys))
        for start_form in (start_form_of(task_spec), need_form_of(task_spec)):
            if not start_form or start_form in form_keys:
                continue
            problems.append(
                LintProblem(
                    file,
                    bpmn_id,
                    f"start form '{start_form}' is not in the bundle (expected {start_form}.form.json)",
                    f"发起表单 '{start_form}' 不在部署包中（应有 {start_form}.form.json）",
                )
            )
        for kind, source, mode in expressions(task_spec):
            for found in script_problems(source, mode):
                problems.append(
                    LintProblem(
                        file,
                        bpmn_id,
                        f"{kind} {source!r}: {found.en}",
                        f"{_KIND_ZH.get(kind, kind)} {source!r} 不被允许：{found.zh}",
                    )
                )
    problems.extend(_lint_back_edges(spec, file, xml_properties or (lambda _id: {})))
    problems.extend(_lint_message_catches(spec, file))
    return problems


def _lint_message_catches(spec: BpmnProcessSpec, file: str | None) -> Iterator[LintProblem]:
    """A message caught without spiffworkflow:messageVariable would silently drop its payload."""
    for task_spec in spec.task_specs.values():
        if not isinstance(task_spec, CatchingEvent):
            continue
        ed = getattr(task_spec, "event_definition", None)
        eds = ed.event_definitions if isinstance(ed, MultipleEventDefinition) else [ed]
        for each in eds:
            if isinstance(each, MessageEventDefinition) and getattr(each, "message_var", "") is None:
                yield LintProblem(
                    file,
                    getattr(task_spec, "bpmn_id", None),
                    f"message '{each.name}' is caught without spiffworkflow:messageVariable, so its payload "
                    "would be lost; name the variable that receives it",
                    f"接收消息“{each.name}”时未指定 spiffworkflow:messageVariable，消息内容将丢失；请指定接收变量",
                )


_KIND_ZH = {
    "timer expression": "定时器表达式",
    "condition": "条件表达式",
    "script": "脚本",
    "prescript": "前置脚本",
    "postscript": "后置脚本",
    "cardinality": "多实例基数",
    "condition ": "条件",
    "assignee": "指派人表达式",
    "candidateOrganisation": "办理单位表达式",
}


def _lint_user_task(task_spec: Any, file: str | None, form_keys: set[str]) -> Iterator[LintProblem]:
    bpmn_id = task_spec.bpmn_id
    if role_of_lane(task_spec.lane) is None:
        yield LintProblem(
            file,
            bpmn_id,
            "user task is not in a lane named by a role code (e.g. 'bureau' or '科技局 (bureau)')",
            "用户任务不在以角色代码命名的泳道中（如 'bureau' 或 '科技局 (bureau)'）",
        )
    key = form_key_of(task_spec)
    if not key and isinstance(task_spec, ManualTask):
        return  # a manual task is a confirmation only; it needs no form
    if not key:
        yield LintProblem(
            file,
            bpmn_id,
            'user task has no form: add spiffworkflow:property name="formKey"',
            '用户任务没有表单：请添加 spiffworkflow:property name="formKey"',
        )
    elif key not in form_keys:
        yield LintProblem(
            file,
            bpmn_id,
            f"form '{key}' is not in the bundle (expected {key}.form.json)",
            f"表单 '{key}' 不在部署包中（应有 {key}.form.json）",
        )


def _lint_back_edges(
    spec: BpmnProcessSpec, file: str | None, xml_properties: PropertyLookup
) -> Iterator[LintProblem]:
    start = spec.start
    state: dict[str, int] = {}  # 1 = on stack, 2 = done
    stack: list[tuple[Any, Iterator[Any]]] = [(start, iter(start.outputs))]
    state[start.name] = 1
    while stack:
        node, children = stack[-1]
        child = next(children, None)
        if child is None:
            state[node.name] = 2
            stack.pop()
            continue
        seen = state.get(child.name)
        if seen == 1:
            if not _loop_declared(node, xml_properties) and not _loop_declared(child, xml_properties):
                target = getattr(child, "bpmn_id", None) or child.name
                source = getattr(node, "bpmn_id", None) or node.name
                yield LintProblem(
                    file,
                    target,
                    f"sequence flow from {source} back to {target} forms a loop; SpiffWorkflow stalls after "
                    f"~250 iterations of such loops. Use a standard loop, multi-instance or call activity, or "
                    f"declare spiffworkflow:property maxLoops (≤{MAX_DECLARED_LOOPS}) on the gateway",
                    f"从 {source} 回到 {target} 的顺序流构成循环；此类循环约 250 次后会静默停滞。请改用标准循环、"
                    f"多实例或调用活动，或在网关上声明 maxLoops 属性（≤{MAX_DECLARED_LOOPS}）",
                )
        elif seen is None:
            state[child.name] = 1
            stack.append((child, iter(child.outputs)))


def _loop_declared(task_spec: Any, xml_properties: PropertyLookup) -> bool:
    bpmn_id = getattr(task_spec, "bpmn_id", None)
    value = properties_of(task_spec).get("maxLoops") or (
        xml_properties(bpmn_id).get("maxLoops") if bpmn_id else None
    )
    try:
        return value is not None and 0 < int(value) <= MAX_DECLARED_LOOPS
    except ValueError:
        return False


def _kind_of(element: Any) -> tuple[str, str]:
    """(English, Chinese) word for a flow node's kind, as a process owner calls it."""
    local = etree.QName(element).localname
    if local in EMBEDDED_SUBPROCESSES:
        return "Subprocess", "子流程"
    if local == "callActivity":
        return "Call activity", "调用活动"
    if local.endswith("Gateway"):
        return "Gateway", "网关"
    if local.endswith("Event"):
        return "Event", "事件"
    return "Task", "任务"


def _name_of(element: Any) -> str:
    return (element.get("name") or "").strip() or element.get("id") or ""


def lane_problems(tree: etree._ElementTree, file: str | None) -> list[LintProblem]:
    """Flow nodes drawn in a lane other than the one they run in.

    SpiffWorkflow 3.2 reads a node's lane from the lane whose flowNodeRef names it, except inside an embedded
    subprocess (subProcess, adHocSubProcess, transaction, event subprocess): there every node gets the lane
    of the subprocess (of the outermost one that is in a lane), whatever lane names it. A task drawn in the
    expert lane inside a subprocess in the bureau lane goes to the bureau: the diagram would mislead whoever
    reads it about who gets the work. Outside subprocesses, and inside a subprocess no lane names, a node runs
    in the lane it is drawn in.

    A node is drawn in the lane whose flowNodeRef names it; a node of a subprocess no lane names is drawn in
    the lane band its shape's centre lies in (:func:`drawn_in_bands`): bpmn-js, and so our modeler and the
    Camunda Modeler, names no lane for a node it places inside a subprocess, wherever it is drawn."""
    from engine.diagram_names import english_name, lane_display  # it imports this module

    drawn: dict[str, str] = {}  # node id -> lane name; the last flowNodeRef wins, as in SpiffWorkflow
    for ref in tree.iter(f"{{{BPMN_NS}}}flowNodeRef"):
        lane = ref.getparent()
        if ref.text and ref.text.strip() and lane is not None and lane.get("name") is not None:
            drawn[ref.text.strip()] = lane.get("name") or ""
    if not drawn:
        return []
    by_id = {
        el.get("id"): el
        for el in tree.iter()
        if isinstance(el.tag, str) and el.get("id") and etree.QName(el).namespace == BPMN_NS
    }
    in_bands = drawn_in_bands(tree, by_id)
    problems: list[LintProblem] = []
    for node_id in [*drawn, *(n for n in in_bands if n not in drawn)]:
        node = by_id.get(node_id)
        if node is None:
            continue
        enclosing = [
            el
            for el in reversed(list(node.iterancestors()))
            if isinstance(el.tag, str)
            and etree.QName(el).namespace == BPMN_NS
            and etree.QName(el).localname in EMBEDDED_SUBPROCESSES
        ]
        runs_in = next((sub for sub in enclosing if sub.get("id") in drawn), None)
        lane = drawn.get(node_id, in_bands.get(node_id))
        if runs_in is None or lane is None or drawn[runs_in.get("id") or ""] == lane:
            continue
        kind_en, kind_zh = _kind_of(node)
        name, sub = _name_of(node), _name_of(runs_in)
        drawn_lane, runs_lane = lane_display(lane), lane_display(drawn[runs_in.get("id") or ""])
        name_en, sub_en, drawn_en, runs_en = (english_name(v) for v in (name, sub, drawn_lane, runs_lane))
        problems.append(
            LintProblem(
                file,
                node_id,
                f'{kind_en} "{name_en}" is drawn in the lane "{drawn_en}", but it is inside the subprocess '
                f'"{sub_en}", so the engine assigns it by the subprocess\'s lane "{runs_en}". Move it to the '
                f'"{runs_en}" lane, or make the subprocess a call activity (callActivity).',
                f"{kind_zh}“{name}”画在“{drawn_lane}”泳道，但它在子流程“{sub}”内，引擎按子流程所在的"
                f"“{runs_lane}”泳道分派。请把它移到“{runs_lane}”泳道，或把子流程改为调用活动（callActivity）。",
            )
        )
    return problems


Box = tuple[float, float, float, float]  # x, y, width, height


def drawn_in_bands(tree: etree._ElementTree, by_id: dict[str, Any]) -> dict[str, str]:
    """{node id: lane name} for each flow node of an embedded subprocess that no lane's flowNodeRef names,
    by where it is drawn: the innermost named lane whose band, on the same diagram plane, holds the centre of
    the node's shape (strictly inside, as bpmn-js assigns lanes). A node of a collapsed subprocess is drawn
    on the subprocess's own plane, beside no lane: it is in none."""
    named = {
        ref.text.strip() for ref in tree.iter(f"{{{BPMN_NS}}}flowNodeRef") if ref.text and ref.text.strip()
    }
    found: dict[str, str] = {}
    for plane in tree.iter(f"{{{BPMNDI_NS}}}BPMNPlane"):
        boxes: dict[str, Box] = {}
        for shape in plane.iter(f"{{{BPMNDI_NS}}}BPMNShape"):
            bounds = shape.find(f"{{{DC_NS}}}Bounds")
            box = _box(bounds) if bounds is not None else None
            if box is not None and shape.get("bpmnElement"):
                boxes[shape.get("bpmnElement") or ""] = box
        bands = [
            (box, by_id[eid].get("name"))
            for eid, box in boxes.items()
            if eid in by_id
            and etree.QName(by_id[eid]).localname == "lane"
            and by_id[eid].get("name") is not None
        ]
        if not bands:
            continue
        for eid, (x, y, w, h) in boxes.items():
            node = by_id.get(eid)
            if node is None or eid in named or not _is_flow_node(node) or not _in_embedded_subprocess(node):
                continue
            cx, cy = x + w / 2, y + h / 2
            holding = [
                (bw * bh, name) for (bx, by, bw, bh), name in bands if bx < cx < bx + bw and by < cy < by + bh
            ]
            if holding:
                found[eid] = min(holding, key=lambda held: held[0])[1] or ""
    return found


def _box(bounds: Any) -> Box | None:
    try:
        return tuple(float(bounds.get(a)) for a in ("x", "y", "width", "height"))  # type: ignore[return-value]
    except (TypeError, ValueError):
        return None


def _is_flow_node(element: Any) -> bool:
    """A task, event, gateway or activity (not a lane, annotation, data object or group)."""
    local = etree.QName(element).localname
    return local in ("task", "callActivity", *EMBEDDED_SUBPROCESSES) or local.endswith(
        ("Task", "Event", "Gateway")
    )


def _in_embedded_subprocess(node: Any) -> bool:
    return any(
        isinstance(el.tag, str)
        and etree.QName(el).namespace == BPMN_NS
        and etree.QName(el).localname in EMBEDDED_SUBPROCESSES
        for el in node.iterancestors()
    )
