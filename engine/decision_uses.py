"""Which decision tables a diagram depends on, exactly: the ones it calls, never the ones its text mentions.

A process version depends on a DMN file when one of its diagrams (its own, its called processes') calls a
decision of that file:

- a business rule task names it (``spiffworkflow:calledDecisionId``; SpiffWorkflow's parsed task spec carries
  the decision's table as ``dmnEngine``);
- a script or expression of the diagram calls it: a call of a function named by the decision id
  (``policy_dazu(...)``) or a call given the decision id as a string (``lookup("policy_dazu")``).

A decision id in documentation, a name, a comment of a script or any other text is not a use: a process owner
who explains a diagram by naming its table must not make it take a new version whenever that table changes.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterable, Iterator
from typing import Any

from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec

from engine.lint import expressions


def called_decisions(specs: Iterable[BpmnProcessSpec], decisions: Collection[str]) -> set[str]:
    """The ids among ``decisions`` (decision ids and decision table ids) that the specs call."""
    found: set[str] = set()
    for spec in specs:
        for task_spec in spec.task_specs.values():
            engine = getattr(task_spec, "dmnEngine", None)
            table = getattr(getattr(engine, "decision_table", None), "id", None)
            if table in decisions:
                found.add(table)
            for _kind, source, mode in expressions(task_spec):
                found.update(name for name in _called_in(source, mode) if name in decisions)
    return found


def _called_in(source: str, mode: str) -> Iterator[str]:
    """Names called and string literals passed to a call in one piece of diagram code."""
    try:
        # as engine.scripting compiles it: an expression without its leading blanks, a script as it is
        tree = ast.parse(source.lstrip(" \t") if mode == "eval" else source, mode=mode)
    except (SyntaxError, ValueError, RecursionError):
        return  # lint refuses code that does not compile; it calls nothing
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name):
            yield node.func.id
        arguments: list[Any] = [*node.args, *(k.value for k in node.keywords)]
        for arg in arguments:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                yield arg.value
