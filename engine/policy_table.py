"""Policy tables: one policy parameter per row, checked against a declared type and range.

A *parameter table* is a DMN decision table with hit policy COLLECT and the output columns ``parameter``
(the variable the diagrams use) and ``value``, beside ``name_zh``, ``unit`` and ``source`` for the reader
(bpmn/<jurisdiction>/policy_<jurisdiction>.dmn). A business rule task calling it gets the same variables a
one-row table with one column per parameter gave: ``{parameter: value}`` of its rows (``rows_to_values``).

Each parameter of a policy table (decision id ``policy_…``) has its type and range declared in
bpmn/shared/policy_parameters.json; a deployment with a value of the wrong type or out of range, an unknown
parameter, a missing or repeated one, is refused before anything is stored (``check_parameter_tables``),
naming the parameter and its Chinese name.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from engine.bundle import problem
from engine.xmlsafe import parse_xml

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "bpmn" / "shared" / "policy_parameters.json"
KEY, VALUE = "parameter", "value"
#: decisions whose rows are the declared policy parameters (bpmn/<j>/policy_<j>.dmn)
POLICY_PREFIX = "policy_"
_INSTALLED = False


def is_parameter_table(hit_policy: str | None, output_names: list[str]) -> bool:
    return (hit_policy or "UNIQUE").upper() == "COLLECT" and KEY in output_names and VALUE in output_names


def rows_to_values(collected: dict[str, list[Any]]) -> dict[str, Any]:
    """COLLECT gives one list per output column; the diagrams want one variable per row."""
    return dict(zip(collected.get(KEY, []), collected.get(VALUE, []), strict=True))


def install_parameter_tables() -> None:
    """Business rule tasks calling a parameter table get ``rows_to_values`` of its matched rows."""
    global _INSTALLED
    if _INSTALLED:
        return
    from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine

    original = DMNEngine.result

    def result(self: Any, task: Any) -> dict[str, Any]:
        found = original(self, task)
        table = self.decision_table
        if is_parameter_table(table.hit_policy, [o.name for o in table.outputs]):
            return rows_to_values(found)
        return found

    DMNEngine.result = result
    _INSTALLED = True


# --- declared types and ranges ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parameter:
    key: str
    zh: str
    en: str
    type: str
    nullable: bool = False
    min: int | None = None
    max: int | None = None
    values: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def declared() -> dict[str, Parameter]:
    raw = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))["parameters"]
    return {
        key: Parameter(
            key=key,
            zh=spec["zh"],
            en=spec["en"],
            type=spec["type"],
            nullable=bool(spec.get("nullable")),
            min=spec.get("min"),
            max=spec.get("max"),
            values=tuple(spec.get("values", ())),
        )
        for key, spec in raw.items()
    }


_UNIT_NAMES = {"working_days": ("工作日", "working days"), "days": ("自然日", "calendar days")}


def _bounds(p: Parameter) -> tuple[int | None, int | None]:
    if p.type == "percent":
        return (0 if p.min is None else p.min, 100 if p.max is None else p.max)
    if p.type == "money_fen":
        return (0 if p.min is None else p.min, p.max)
    return (p.min, p.max)


def _expected(p: Parameter) -> tuple[str, str]:
    low, high = _bounds(p)
    if p.type in ("integer", "percent", "money_fen"):
        what_zh = {"integer": "整数", "percent": "百分比（整数）", "money_fen": "金额（整数，单位：分）"}[
            p.type
        ]
        what_en = {
            "integer": "a whole number",
            "percent": "a percentage (whole number)",
            "money_fen": "an amount in fen (whole number)",
        }[p.type]
        if low is not None and high is not None:
            return f"{low} 到 {high} 之间的{what_zh}", f"{what_en} from {low} to {high}"
        if low is not None:
            return f"不小于 {low} 的{what_zh}", f"{what_en} of at least {low}"
        return what_zh, what_en
    if p.type == "boolean":
        return "True 或 False", "True or False"
    if p.type == "datetime":
        return (
            "带时区的日期时间，如 '2026-04-25T10:00:00+08:00'",
            "a date and time with offset, e.g. '2026-04-25T10:00:00+08:00'",
        )
    if p.type == "enum":
        zh = "、".join(f"'{v}'（{_UNIT_NAMES[v][0]}）" if v in _UNIT_NAMES else f"'{v}'" for v in p.values)
        en = ", ".join(f"'{v}' ({_UNIT_NAMES[v][1]})" if v in _UNIT_NAMES else f"'{v}'" for v in p.values)
        return f"以下之一：{zh}", f"one of {en}"
    if p.type == "text_list":
        return "文字列表，如 ['confidentiality']", "a list of texts, e.g. ['confidentiality']"
    return "带引号的文字", "a quoted text"


def value_problem(p: Parameter, value: Any) -> bool:
    """True when ``value`` does not fit the declared type and range of ``p``."""
    if value is None:
        return not p.nullable
    if p.type in ("integer", "percent", "money_fen"):
        if isinstance(value, bool) or not isinstance(value, int):
            return True
        low, high = _bounds(p)
        return (low is not None and value < low) or (high is not None and value > high)
    if p.type == "boolean":
        return not isinstance(value, bool)
    if p.type == "datetime":
        if not isinstance(value, str):
            return True
        try:
            return datetime.fromisoformat(value).tzinfo is None
        except ValueError:
            return True
    if p.type == "enum":
        return value not in p.values
    if p.type == "text_list":
        return not isinstance(value, list) or not all(isinstance(v, str) for v in value)
    return not isinstance(value, str)


def _cells(rule: etree._Element, names: list[str]) -> dict[str, str]:
    texts = [
        (entry.findtext("{*}text") or "").strip()
        for entry in rule
        if etree.QName(entry).localname == "outputEntry"
    ]
    return dict(zip(names, texts, strict=False))


def parameter_rows(tree: etree._ElementTree) -> list[tuple[str, etree._Element, dict[str, str]]]:
    """(decision id, rule element, {output name: cell text}) of every row of every parameter table."""
    rows = []
    for decision in tree.getroot().iter("{*}decision"):
        for table in decision.iter("{*}decisionTable"):
            names = [o.get("name") or "" for o in table.iter("{*}output")]
            if not is_parameter_table(table.get("hitPolicy"), names):
                continue
            for rule in table.iter("{*}rule"):
                rows.append((decision.get("id") or "", rule, _cells(rule, names)))
    return rows


def _literal(text: str) -> tuple[bool, Any]:
    try:
        return True, ast.literal_eval(text) if text else None
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False, None


def check_parameter_tables(name: str, tree: etree._ElementTree) -> list[dict[str, object]]:
    """Problems of the parameter tables in one DMN file (empty when every value fits its declaration)."""
    params = declared()
    problems: list[dict[str, object]] = []
    seen: dict[str, set[str]] = {}
    for decision, rule, cells in parameter_rows(tree):
        if not decision.startswith(POLICY_PREFIX):
            continue  # another parameter table (its own rows, not the policy parameters)
        line = rule.sourceline
        element = rule.get("id")
        ok, key = _literal(cells.get(KEY, ""))
        if not ok or not isinstance(key, str) or key not in params:
            shown = cells.get(KEY, "")
            problems.append(
                problem(
                    name,
                    f"unknown policy parameter {shown} in {decision}: use one declared in "
                    "bpmn/shared/policy_parameters.json",
                    f"决策表 {decision} 中的政策参数 {shown} 未声明：请使用 bpmn/shared/policy_parameters.json 中声明的参数",
                    line=line,
                    element=element,
                )
            )
            continue
        p = params[key]
        keys = seen.setdefault(decision, set())
        if key in keys:
            problems.append(
                problem(
                    name,
                    f"policy parameter {p.en} ({key}) appears twice in {decision}; keep one row",
                    f"政策参数“{p.zh}”（{key}）在决策表 {decision} 中出现两次，请只保留一行",
                    line=line,
                    element=element,
                )
            )
            continue
        keys.add(key)
        text = cells.get(VALUE, "")
        ok, value = _literal(text)
        zh, en = _expected(p)
        if not ok or value_problem(p, value):
            problems.append(
                problem(
                    name,
                    f"policy parameter {p.en} ({key}): the value {text or '(empty)'} is not allowed; "
                    f"enter {en}",
                    f"政策参数“{p.zh}”（{key}）的取值 {text or '（空）'} 不符合要求：应为{zh}",
                    line=line,
                    element=element,
                )
            )
    for decision, keys in seen.items():
        missing = [k for k in params if k not in keys]
        if missing:
            problems.append(
                problem(
                    name,
                    f"the policy table {decision} lacks the parameters "
                    + ", ".join(f"{params[k].en} ({k})" for k in missing),
                    f"政策表 {decision} 缺少参数：" + "、".join(f"“{params[k].zh}”（{k}）" for k in missing),
                    element=decision,
                )
            )
    return problems


def policy_values(content: bytes) -> dict[str, str]:
    """{parameter: the value as written} of a DMN file's parameter tables; {} for any other file."""
    try:
        tree = parse_xml(content)
    except Exception:
        return {}
    found: dict[str, str] = {}
    for _decision, _rule, cells in parameter_rows(tree):
        ok, key = _literal(cells.get(KEY, ""))
        if ok and isinstance(key, str):
            found[key] = cells.get(VALUE, "")
    return found
