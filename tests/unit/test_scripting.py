"""The restricted script environment, exercised through real diagrams run by SpiffWorkflow."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from engine import scripting
from engine.errors import ScriptRefused
from engine.scripting import (
    RestrictedEnvironment,
    RestrictedScriptEngine,
    make_script_engine,
    script_problems,
    validate_expression,
)

BPMN_NS = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"'
)
SHANGHAI = timezone(timedelta(hours=8))


# ------------------------------------------------------------------------------------------------------
# Diagram builders


def _definitions(body: str, pid: str = "p") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<bpmn:definitions {BPMN_NS} id="D_{pid}" targetNamespace="http://jiebang.example/bpmn">\n'
        f'<bpmn:process id="{pid}" isExecutable="true">\n{body}\n</bpmn:process>\n</bpmn:definitions>'
    ).encode()


def _chain(*nodes: tuple[str, str]) -> bytes:
    """start → nodes... → end, each node given as (id, xml with {io} where incoming/outgoing go)."""
    ids = ["s", *(node_id for node_id, _ in nodes), "e"]
    parts = ['<bpmn:startEvent id="s"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>']
    for i, (_node_id, xml) in enumerate(nodes):
        io = f"<bpmn:incoming>f{i}</bpmn:incoming><bpmn:outgoing>f{i + 1}</bpmn:outgoing>"
        parts.append(xml.replace("{io}", io))
    parts.append(f'<bpmn:endEvent id="e"><bpmn:incoming>f{len(nodes)}</bpmn:incoming></bpmn:endEvent>')
    for i in range(len(ids) - 1):
        parts.append(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{ids[i]}" targetRef="{ids[i + 1]}"/>')
    return _definitions("\n".join(parts))


def script_task(script: str, task_id: str = "sc", name: str = "Script") -> tuple[str, str]:
    xml = (
        f'<bpmn:scriptTask id="{task_id}" name="{name}">{{io}}'
        f"<bpmn:script>{escape(script)}</bpmn:script></bpmn:scriptTask>"
    )
    return task_id, xml


def manual_task(task_id: str = "confirm") -> tuple[str, str]:
    return task_id, f'<bpmn:manualTask id="{task_id}" name="Confirm">{{io}}</bpmn:manualTask>'


def timer_event(expression: str, task_id: str = "wait") -> tuple[str, str]:
    xml = (
        f'<bpmn:intermediateCatchEvent id="{task_id}" name="Wait">{{io}}'
        f"<bpmn:timerEventDefinition><bpmn:timeDate>{escape(expression)}</bpmn:timeDate>"
        f"</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
    )
    return task_id, xml


def business_rule_task(decision_id: str, task_id: str = "decide") -> tuple[str, str]:
    xml = (
        f'<bpmn:businessRuleTask id="{task_id}" name="Decide">'
        f"<bpmn:extensionElements><spiffworkflow:calledDecisionId>{decision_id}"
        f"</spiffworkflow:calledDecisionId></bpmn:extensionElements>{{io}}</bpmn:businessRuleTask>"
    )
    return task_id, xml


def gateway_process(condition_big: str, condition_small: str) -> bytes:
    return _definitions(
        f"""
<bpmn:startEvent id="s"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
<bpmn:exclusiveGateway id="gw" name="Amount?"><bpmn:incoming>f0</bpmn:incoming>
  <bpmn:outgoing>to_big</bpmn:outgoing><bpmn:outgoing>to_small</bpmn:outgoing></bpmn:exclusiveGateway>
<bpmn:scriptTask id="big" name="Big"><bpmn:incoming>to_big</bpmn:incoming><bpmn:outgoing>b1</bpmn:outgoing>
  <bpmn:script>route = "expert_panel"</bpmn:script></bpmn:scriptTask>
<bpmn:scriptTask id="small" name="Small">
  <bpmn:incoming>to_small</bpmn:incoming><bpmn:outgoing>s1</bpmn:outgoing>
  <bpmn:script>route = "fast_track"</bpmn:script></bpmn:scriptTask>
<bpmn:exclusiveGateway id="join"><bpmn:incoming>b1</bpmn:incoming><bpmn:incoming>s1</bpmn:incoming>
  <bpmn:outgoing>j1</bpmn:outgoing></bpmn:exclusiveGateway>
<bpmn:endEvent id="e"><bpmn:incoming>j1</bpmn:incoming></bpmn:endEvent>
<bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="gw"/>
<bpmn:sequenceFlow id="to_big" sourceRef="gw" targetRef="big">
  <bpmn:conditionExpression>{escape(condition_big)}</bpmn:conditionExpression></bpmn:sequenceFlow>
<bpmn:sequenceFlow id="to_small" sourceRef="gw" targetRef="small">
  <bpmn:conditionExpression>{escape(condition_small)}</bpmn:conditionExpression></bpmn:sequenceFlow>
<bpmn:sequenceFlow id="b1" sourceRef="big" targetRef="join"/>
<bpmn:sequenceFlow id="s1" sourceRef="small" targetRef="join"/>
<bpmn:sequenceFlow id="j1" sourceRef="join" targetRef="e"/>
"""
    )


DMN_GRANT_RULES = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="dmn_grant" name="Grant"
             namespace="http://jiebang.example/dmn">
  <decision id="grant_rules" name="Grant rules">
    <decisionTable id="table" hitPolicy="UNIQUE">
      <input id="in_cat" label="Category">
        <inputExpression id="in_cat_e" typeRef="string"><text>category</text></inputExpression>
      </input>
      <input id="in_budget" label="Budget">
        <inputExpression id="in_budget_e" typeRef="integer"><text>budget</text></inputExpression>
      </input>
      <output id="out_track" name="track" typeRef="string"/>
      <output id="out_reviewers" name="reviewer_count" typeRef="integer"/>
      <output id="out_label" name="label" typeRef="string"/>
      <output id="out_cap" name="limits.budget_cap" typeRef="integer"/>
      <rule id="r1">
        <inputEntry id="r1_cat"><text>"research"</text></inputEntry>
        <inputEntry id="r1_budget"><text>10000 &lt; ? &lt;= 500000</text></inputEntry>
        <outputEntry id="r1_track"><text>"full"</text></outputEntry>
        <outputEntry id="r1_rev"><text>len(["a", "b", "c"])</text></outputEntry>
        <outputEntry id="r1_label"><text>category.upper()</text></outputEntry>
        <outputEntry id="r1_cap"><text>min(budget * 2, 500000)</text></outputEntry>
      </rule>
      <rule id="r2">
        <inputEntry id="r2_cat"><text>-</text></inputEntry>
        <inputEntry id="r2_budget"><text>-</text></inputEntry>
        <outputEntry id="r2_track"><text>"default"</text></outputEntry>
        <outputEntry id="r2_rev"><text>1</text></outputEntry>
        <outputEntry id="r2_label"><text>"OTHER"</text></outputEntry>
        <outputEntry id="r2_cap"><text>100000</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>"""

DMN_ESCAPE = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="dmn_bad" name="Bad"
             namespace="http://jiebang.example/dmn">
  <decision id="sneaky_rules" name="Sneaky">
    <decisionTable id="table_bad" hitPolicy="UNIQUE">
      <input id="in_x" label="X">
        <inputExpression id="in_x_e" typeRef="integer"><text>x</text></inputExpression>
      </input>
      <output id="out_y" name="y" typeRef="string"/>
      <rule id="b1">
        <inputEntry id="b1_x"><text>-</text></inputEntry>
        <outputEntry id="b1_y"><text>().__class__.__base__.__subclasses__()</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>"""


# ------------------------------------------------------------------------------------------------------
# Running


def window_end(start: str, n: int, unit: str = "days") -> str:
    """A stand-in for the project's helper: n calendar days after ``start``, 09:00 Shanghai time."""
    day = date.fromisoformat(str(start)[:10]) + timedelta(days=n)
    return datetime(day.year, day.month, day.day, 9, tzinfo=SHANGHAI).isoformat()


def fixed_now() -> str:
    return "2026-09-25T09:00:00+08:00"


def leak_module() -> Any:
    return os  # a careless helper; attribute access on modules is refused anyway


HELPERS: dict[str, Callable[..., Any]] = {"window_end": window_end, "now": fixed_now, "leak": leak_module}


def build(
    xml: bytes,
    data: Mapping[str, Any] | None = None,
    *,
    dmn: bytes | None = None,
    helpers: Mapping[str, Callable[..., Any]] | None = None,
    pid: str = "p",
) -> BpmnWorkflow:
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(xml, filename="x.bpmn")
    if dmn is not None:
        parser.add_dmn_str(dmn, filename="x.dmn")
    engine = make_script_engine(HELPERS if helpers is None else helpers)
    wf = BpmnWorkflow(parser.get_spec(pid), parser.get_subprocess_specs(pid), script_engine=engine)
    for task in wf.get_tasks(state=TaskState.READY):
        task.data.update(data or {})
    return wf


def run(xml: bytes, data: Mapping[str, Any] | None = None, **kwargs: Any) -> BpmnWorkflow:
    wf = build(xml, data, **kwargs)
    wf.do_engine_steps()
    return wf


def run_script(script: str, data: Mapping[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    wf = run(_chain(script_task(script)), data, **kwargs)
    assert wf.is_completed()
    return wf.data


def failing(xml: bytes, data: Mapping[str, Any] | None = None, **kwargs: Any) -> WorkflowTaskException:
    wf = build(xml, data, **kwargs)
    with pytest.raises(WorkflowTaskException) as info:
        wf.do_engine_steps()
    return info.value


def serializer() -> BpmnWorkflowSerializer:
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))


# ------------------------------------------------------------------------------------------------------
# Escape attempts in script tasks: each is refused, readably, and nothing happens


def _escapes(marker: Path) -> list[tuple[str, str]]:
    m = str(marker)
    return [
        (f"import os\nos.system('touch {m}')", "import"),
        ("import subprocess", "import"),
        ("from os import system", "import"),
        (f"__import__('os').system('touch {m}')", "__import__"),
        (f"open('{m}', 'w').write('pwned')", "open()"),
        ("x = open('/etc/passwd').read()", "open()"),
        ("x = ().__class__.__base__.__subclasses__()", "__class__"),
        ("x = getattr(1, '__class__')", "getattr()"),
        ("x = '{0.__class__}'.format(1)", ".format()"),
        ("x = '{0.__class__}'.format_map({})", ".format_map()"),
        ("x = eval('1')", "eval"),
        ("exec('x = 1')", "exec"),
        ("c = compile('1', 's', 'eval')", "compile()"),
        ("g = globals()", "globals()"),
        ("v = vars()", "vars()"),
        ("v = locals()", "locals()"),
        ("g = now.__globals__", "__globals__"),
        ("g = window_end.__globals__['__builtins__']", "__globals__"),
        ("f = (x for x in [1]).gi_frame", "gi_frame"),
        ("c = (lambda: 0).__code__", "__code__"),
        ("t = type(1)", "type()"),
        ("t = type.__subclasses__(type)", "__subclasses__"),
        ("b = __builtins__", "__builtins__"),
        ("class A:\n    pass", "class"),
        ("_getattr_ = 1", "_getattr_"),
    ]


@pytest.mark.parametrize("index", range(25))
def test_escape_attempts_in_a_script_task_are_refused(tmp_path: Path, index: int) -> None:
    marker = tmp_path / "pwned"
    source, fragment = _escapes(marker)[index]
    err = failing(_chain(script_task(source)), {"x": 1})

    assert err.error_type == "ScriptRefused"
    assert err.task.task_spec.bpmn_id == "sc"
    assert err.task.state == TaskState.ERROR
    message = str(err)
    assert "脚本不允许执行" in message and "Script refused" in message
    assert fragment in message
    assert err.line_number and err.line_number >= 1
    assert err.error_line == source.splitlines()[err.line_number - 1]
    assert not marker.exists()


def test_escape_cases_cover_each_attempt(tmp_path: Path) -> None:
    assert len(_escapes(tmp_path)) == 25


def test_refusal_reports_the_offending_line() -> None:
    err = failing(_chain(script_task("a = 1\nb = 2\nimport os\nc = 3")))
    assert err.line_number == 3
    assert err.error_line == "import os"
    assert "第 3 行" in str(err) and "Line 3" in str(err)
    assert isinstance(err.__context__, ScriptRefused)
    assert err.__context__.details["line"] == 3


@pytest.mark.parametrize(
    ("source", "expected", "line"),
    [
        # refused while running (compile-time checks cannot see the object)
        ("d = date(2026, 1, 1)\nd.year = 5", "scripts cannot assign attributes", 2),
        ("cwd = leak().getcwd()", "access to attribute 'getcwd' is not allowed", 1),
        # not available at all
        ("raise SystemExit(1)", "name 'SystemExit' is not defined", 1),
        ("t = (1, 2)\nt[0] = 5", "does not support item assignment", 2),
        ("t = (1, 2)\nt[0] += 5", "does not support item assignment", 2),
    ],
)
def test_runtime_refusals_keep_message_and_line(source: str, expected: str, line: int) -> None:
    err = failing(_chain(script_task(source)))
    assert expected in str(err)
    assert err.line_number == line
    assert err.task.state == TaskState.ERROR


def test_runtime_refusal_is_bilingual() -> None:
    err = failing(_chain(script_task("cwd = leak().getcwd()")))
    assert err.error_type == "ScriptRefused"
    assert "不允许访问属性" in str(err)


def test_ordinary_script_errors_surface_as_in_spiff() -> None:
    err = failing(_chain(script_task("a = 1\nb = 2\nc = undefined_var + 1")))
    assert err.error_type == "NameError"
    assert err.line_number == 3
    assert err.error_line == "c = undefined_var + 1"
    assert "undefined_var" in str(err)

    err = failing(_chain(script_task("a = 1\nb = 2 +")))
    assert err.error_type == "SyntaxError"
    assert err.line_number == 2

    err = failing(_chain(script_task("d = {}\nx = d[5]")))  # Spiff itself chokes on non-str args[0]
    assert err.error_type == "KeyError"
    assert err.line_number == 2


def test_failed_script_leaves_task_data_keys_unchanged() -> None:
    err = failing(_chain(script_task("y = 2\nz = 1 / 0")), {"x": 1})
    assert err.error_type == "ZeroDivisionError"
    assert err.task.data == {"x": 1}


# ------------------------------------------------------------------------------------------------------
# Helpers and shadowing


def test_script_assigning_a_helper_name_is_refused() -> None:
    err = failing(_chain(script_task("y = 1\nnow = 5")), {"x": 1})
    assert err.error_type == "ScriptRefused"
    assert "now" in str(err) and "预定义函数" in str(err) and "predefined function" in str(err)
    assert err.task.data == {"x": 1}


def test_task_data_hiding_a_helper_is_refused_as_in_spiff() -> None:
    err = failing(_chain(script_task("y = 1")), {"now": "yesterday"})
    assert err.error_type == "ScriptRefused"
    assert "now" in str(err) and "rename the variable" in str(err)


def test_task_data_may_shadow_builtins_and_datetime_classes() -> None:
    data = run_script("total = max + 1\nwhen = date.upper()", {"max": 3, "date": "2026-10-01"})
    assert data["total"] == 4
    assert data["when"] == "2026-10-01"


def test_helpers_are_callable_and_never_stored() -> None:
    data = run_script("stamp = now()\nend = window_end('2026-09-25', 5)")
    assert data["stamp"] == "2026-09-25T09:00:00+08:00"
    assert data["end"] == "2026-09-30T09:00:00+08:00"
    assert set(data) == {"stamp", "end"}


@pytest.mark.parametrize("name", ["_private", "not an identifier", "1abc"])
def test_invalid_helper_names_are_rejected(name: str) -> None:
    with pytest.raises(ValueError):
        make_script_engine({name: fixed_now})


def test_helper_must_be_callable() -> None:
    with pytest.raises(ValueError):
        make_script_engine({"value": 5})  # type: ignore[dict-item]


# ------------------------------------------------------------------------------------------------------
# Normal work


NORMAL_SCRIPT = """
total = sum(amounts) * 2 - 3 // 2 + 7 % 4 + 2 ** 3
average = round(total / len(amounts), 2)
squares = [a * a for a in amounts if a > 1]
lookup = {name: i for i, name in enumerate(names)}
unique = sorted({a % 2 for a in amounts})
pairs = list(zip(names, amounts))
biggest = max(amounts)
flags = [any(a > 2 for a in amounts), all(a > 0 for a in amounts)]
rev = list(reversed(names))
mapped = list(map(lambda a: a + 1, filter(lambda a: a != 2, amounts)))
names.append("gamma")
budget["spent"] = budget.get("spent", 0) + 100
budget["items"] = list(budget.keys())
counts = {}
for name in names:
    counts[name] = counts.get(name, 0) + 1
counts["alpha"] += 10
counter = 0
counter += 5
counter *= 2
text = "a"
text += "b"
first, (second, third) = 1, (2, 3)
for key, value in sorted(lookup.items()):
    counter += value
label = f"{names[0].upper()}-{total:05d}-{average:.1f}"
joined = ", ".join(str(a) for a in amounts)
sliced = amounts[1:]
def double(v):
    return v * 2
doubled = double(21)
deadline = (date(2026, 9, 30) + timedelta(days=3)).isoformat()
start = datetime(2026, 9, 25, 9, 0, tzinfo=timezone(timedelta(hours=8)))
later = start + timedelta(hours=36)
span_days = (date(2026, 10, 8) - date(2026, 10, 1)).days
is_weekend = date(2026, 10, 3).weekday() >= 5
parsed = datetime.fromisoformat("2026-10-01T08:00:00+08:00").hour
floor = math.floor(2.7) + math.ceil(0.1)
as_int = int("42") + int(float("1.5"))
ok = isinstance(budget, dict) and bool(names)
try:
    broken = 1 / 0
except ZeroDivisionError as exc:
    broken = "caught " + str(exc)
print("debug", total)
out = printed
"""


def test_normal_scripts_work() -> None:
    data = run_script(NORMAL_SCRIPT, {"amounts": [1, 2, 3], "names": ["alpha", "beta"], "budget": {}})
    assert data["total"] == 2 * 6 - 1 + 3 + 8
    assert data["average"] == round(data["total"] / 3, 2)
    assert data["squares"] == [4, 9]
    assert data["lookup"] == {"alpha": 0, "beta": 1}
    assert data["unique"] == [0, 1]
    assert data["pairs"] == [["alpha", 1], ["beta", 2]]  # as stored: a tuple reads back as a list
    assert data["biggest"] == 3
    assert data["flags"] == [True, True]
    assert data["rev"] == ["beta", "alpha"]
    assert data["mapped"] == [2, 4]
    assert data["names"] == ["alpha", "beta", "gamma"]
    assert data["budget"] == {"spent": 100, "items": ["spent"]}
    assert data["counts"] == {"alpha": 11, "beta": 1, "gamma": 1}
    assert data["counter"] == 10 + 0 + 1
    assert data["text"] == "ab"
    assert (data["first"], data["second"], data["third"]) == (1, 2, 3)
    assert data["label"] == f"ALPHA-{data['total']:05d}-{data['average']:.1f}"
    assert data["joined"] == "1, 2, 3"
    assert data["sliced"] == [2, 3]
    assert data["doubled"] == 42
    assert "double" not in data  # functions defined by the script are dropped, as in Spiff
    assert data["deadline"] == "2026-10-03"
    assert data["later"] == datetime(2026, 9, 26, 21, 0, tzinfo=SHANGHAI)
    assert data["span_days"] == 7
    assert data["is_weekend"] is True
    assert data["parsed"] == 8
    assert data["floor"] == 3
    assert data["as_int"] == 43
    assert data["ok"] is True
    assert data["broken"] == "caught division by zero"
    assert data["out"] == "debug 22\n"
    assert not [k for k in data if k.startswith("_")]


def test_deleting_a_variable_removes_it_from_task_data() -> None:
    data = run_script("y = x + 1\ndel x", {"x": 1, "keep": True})
    assert data == {"keep": True, "y": 2}


@pytest.mark.parametrize(("amount", "route"), [(200000, "expert_panel"), (5000, "fast_track")])
def test_gateway_condition_chooses_a_branch(amount: int, route: str) -> None:
    wf = run(gateway_process("amount > 100000", "amount <= 100000"), {"amount": amount})
    assert wf.is_completed()
    assert wf.data["route"] == route


def test_gateway_condition_escape_is_refused_with_readable_message(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    condition = f"__import__('os').system('touch {marker}') == 0"
    err = failing(gateway_process(condition, "True"), {"amount": 1})
    message = str(err)
    assert "Error evaluating expression" in message
    assert "脚本不允许执行" in message and "__import__" in message
    assert err.error_type == "ScriptRefused"
    assert err.task.task_spec.bpmn_id == "gw"
    assert not marker.exists()


def test_gateway_condition_name_error_keeps_the_reason() -> None:
    err = failing(gateway_process("amount > 10", "amount <= 10"), {"x": 1})
    assert "NameError: name 'amount' is not defined" in str(err)


def test_timer_expression_calls_a_helper() -> None:
    xml = _chain(
        script_task("submitted_on = '2099-09-25'", "prep"), timer_event("window_end(submitted_on, 5)")
    )
    wf = run(xml)
    waiting = [t for t in wf.get_tasks(state=TaskState.WAITING) if t.task_spec.bpmn_id == "wait"]
    assert len(waiting) == 1
    assert waiting[0].internal_data["event_value"] == "2099-09-30T09:00:00+08:00"


def test_timer_expression_escape_is_refused() -> None:
    err = failing(_chain(timer_event("open('/etc/passwd').read()")))
    assert "open()" in str(err) and "Script refused" in str(err)


def test_dmn_business_rule_task_runs_restricted() -> None:
    xml = _chain(business_rule_task("grant_rules"))
    wf = run(xml, {"category": "research", "budget": 200000}, dmn=DMN_GRANT_RULES)
    assert wf.is_completed()
    assert wf.data["track"] == "full"
    assert wf.data["reviewer_count"] == 3
    assert wf.data["label"] == "RESEARCH"
    assert wf.data["limits"] == {"budget_cap": 400000}

    wf = run(xml, {"category": "youth", "budget": 5}, dmn=DMN_GRANT_RULES)
    assert wf.data["track"] == "default"
    assert wf.data["limits"] == {"budget_cap": 100000}


def test_dmn_output_escape_is_refused() -> None:
    err = failing(_chain(business_rule_task("sneaky_rules")), {"x": 1}, dmn=DMN_ESCAPE)
    assert "脚本不允许执行" in str(err) and "__subclasses__" in str(err)


def test_multi_instance_cardinality_and_script_run_restricted() -> None:
    mi = (
        '<bpmn:scriptTask id="each" name="Each">{io}'
        '<bpmn:multiInstanceLoopCharacteristics isSequential="true">'
        "<bpmn:loopCardinality>len(teams)</bpmn:loopCardinality>"
        "<bpmn:loopDataOutputRef>results</bpmn:loopDataOutputRef>"
        '<bpmn:inputDataItem id="idx" name="idx"/><bpmn:outputDataItem id="r" name="r"/>'
        "</bpmn:multiInstanceLoopCharacteristics>"
        "<bpmn:script>r = f'{teams[idx]}:{idx * 10}'</bpmn:script></bpmn:scriptTask>"
    )
    wf = run(_chain(("each", mi)), {"teams": ["a", "b", "c"]})
    assert wf.is_completed()
    assert wf.data["results"] == ["a:0", "b:10", "c:20"]

    err = failing(_chain(("each", mi.replace("len(teams)", "len(().__class__.__mro__)"))), {"teams": []})
    assert "Script refused" in str(err)


# ------------------------------------------------------------------------------------------------------
# Task data hygiene and serialization


def test_builtins_key_in_task_data_does_not_break_anything() -> None:
    data = {"__builtins__": {"open": "nope"}, "_meta": "kept", "amount": 200000}
    wf = run(gateway_process("amount > 100000", "amount <= 100000"), data)
    assert wf.is_completed()
    assert wf.data["route"] == "expert_panel"
    assert wf.data["__builtins__"] == {"open": "nope"}
    assert wf.data["_meta"] == "kept"

    result = run_script("y = amount + len([1, 2])", {"__builtins__": "junk", "amount": 1})
    assert result == {"__builtins__": "junk", "amount": 1, "y": 3}


def test_task_data_after_scripts_round_trips_through_the_serializer() -> None:
    first = (
        "total = sum(amounts)\n"
        "due = (date(2026, 9, 30) + timedelta(days=3)).isoformat()\n"
        "starts = datetime(2026, 10, 1, 9, tzinfo=timezone(timedelta(hours=8)))\n"
        "window = timedelta(days=5)\n"
        "def helper_fn(v):\n    return v\n"
        "fn = lambda v: v\n"
        "print('hello')\n"
        "stamp = now()"
    )
    second = "summary = f'{total}|{due}|{(starts + window).date().isoformat()}'\nend = window_end(due, 2)"
    xml = _chain(script_task(first, "first"), manual_task(), script_task(second, "second"))
    wf = run(xml, {"amounts": [1, 2, 3]})
    ready = wf.get_tasks(state=TaskState.READY)
    assert [t.task_spec.bpmn_id for t in ready] == ["confirm"]
    data = ready[0].data
    assert set(data) == {"amounts", "total", "due", "starts", "window", "stamp"}

    ser = serializer()
    text = ser.serialize_json(wf)
    json.loads(text)  # plain JSON
    for name in ("_getattr_", "__builtins__", "helper_fn", "window_end", "_print"):
        assert f'"{name}"' not in text

    restored = ser.deserialize_json(text)
    assert not isinstance(restored.script_engine, RestrictedScriptEngine)  # hence: always re-attach
    restored.script_engine = make_script_engine(HELPERS)
    (task,) = restored.get_tasks(state=TaskState.READY)
    task.run()
    restored.do_engine_steps()
    assert restored.is_completed()
    assert restored.data["summary"] == "6|2026-10-03|2026-10-06"
    assert restored.data["end"] == "2026-10-05T09:00:00+08:00"
    json.loads(ser.serialize_json(restored))


# ------------------------------------------------------------------------------------------------------
# The environment used directly (as SpiffWorkflow does for correlations and process conditions)


def test_environment_evaluate_and_execute_directly() -> None:
    env = RestrictedEnvironment({"now": fixed_now})
    payload = {"order": {"id": 7}, "__builtins__": {"x": 1}, "_getattr_": "not a guard"}
    assert env.evaluate("order['id'] + 1", payload) == 8
    assert env.evaluate("order.get('id')", payload) == 7
    assert env.evaluate("dmninputexpr == 'youth'", {}, {"dmninputexpr": "youth"}) is True
    assert env.evaluate("now", {"now": "data wins"}) == "data wins"  # Spiff semantics for evaluate
    assert env.evaluate("  1 + 1", {}) == 2  # eval() strips leading blanks
    context: dict[str, Any] = {"n": 1, "__builtins__": {"x": 1}}
    assert env.execute("n += 1\nm = now()", context) is True
    assert context == {"n": 2, "__builtins__": {"x": 1}, "m": "2026-09-25T09:00:00+08:00"}
    with pytest.raises(ScriptRefused) as info:
        env.evaluate("order.__class__", payload)
    assert info.value.details["problems"][0]["line"] == 1
    with pytest.raises(SyntaxError):
        env.evaluate("1 +", {})


def test_a_script_leaves_values_as_they_read_back_from_the_stored_state() -> None:
    # a workflow kept in memory between changes (engine.kept_workflows) must hold what a restored one would:
    # the next script may append to the "tuple" or look up the year as text, as after a restore
    env = RestrictedEnvironment()
    context: dict[str, Any] = {}
    env.execute("pair = (1, 2)\nby_year = {2026: 'a', 'rows': [(1, 'x')]}\nsame = 'text'", context)
    assert context == {"pair": [1, 2], "by_year": {"2026": "a", "rows": [[1, "x"]]}, "same": "text"}
    assert json.loads(json.dumps(context)) == context
    env.execute("pair.append(3)\nlabel = by_year['2026']", context)
    assert context["pair"] == [1, 2, 3] and context["label"] == "a"


def test_compiled_code_is_cached() -> None:
    source = "cache_probe_value * 3 + 1"
    env = RestrictedEnvironment()
    env.evaluate(source, {"cache_probe_value": 1})
    before = scripting._compile.cache_info()
    for i in range(5):
        assert env.evaluate(source, {"cache_probe_value": i}) == i * 3 + 1
    after = scripting._compile.cache_info()
    assert after.hits - before.hits == 5
    assert after.misses == before.misses


# ------------------------------------------------------------------------------------------------------
# validate_expression


@pytest.mark.parametrize(
    ("source", "mode"),
    [
        ('"PT1H" if urgent else "P2D"', "eval"),
        ("window_end(submitted_on, 5)", "eval"),
        ("amount > 100000 and category in ['a', 'b']", "eval"),
        ("x = 1\ncounts['a'] += 1\nfor k, v in d.items():\n    total += v", "exec"),
        ("  '2026-10-08T09:00:00+08:00'", "eval"),
        ("print('ok')", "exec"),
    ],
)
def test_validate_accepts_normal_code(source: str, mode: scripting.Mode) -> None:
    assert validate_expression(source, mode) == []


@pytest.mark.parametrize(
    ("source", "mode", "fragment"),
    [
        ("import os", "exec", "import statements are not allowed"),
        ("__import__('os')", "eval", '"__import__"'),
        ("().__class__", "eval", "__class__"),
        ("open('/etc/passwd')", "eval", "calling open() is not allowed"),
        ("'{0.__class__}'.format(1)", "eval", ".format()"),
        ("(x for x in [1]).gi_frame", "eval", "gi_frame"),
        ("x = 1", "eval", "SyntaxError"),
        ("x = 1 +", "exec", "SyntaxError"),
        ("print(x)", "eval", "print is not available"),
        ("a.b += 1", "exec", "Augmented assignment of attributes"),
    ],
)
def test_validate_reports_problems(source: str, mode: scripting.Mode, fragment: str) -> None:
    problems = validate_expression(source, mode)
    assert problems
    assert any(fragment in p for p in problems)
    assert all(" / " in p and "行" in p and "Line" in p for p in problems)


def test_validate_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    assert validate_expression(f"x = [1]\ny = len(x)\nz = '{marker}'", "exec") == []
    assert not marker.exists()


def test_script_problems_are_structured() -> None:
    (problem,) = script_problems("a = 1\nimport os", "exec")
    assert problem.line == 2
    assert problem.zh == "第 2 行：不允许 import 语句"
    assert problem.en == "Line 2: import statements are not allowed"
    with pytest.raises(ValueError):
        script_problems("1", "single")  # type: ignore[arg-type]
