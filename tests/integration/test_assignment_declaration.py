"""The assignment a diagram declares (engine.assignment): read from the task's extension properties, checked at
deployment like every piece of diagram code, evaluated when the task becomes ready."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy.orm import Session

from engine import assignment
from engine.bundle import BundleFile, collect_paths
from engine.deploy import deploy_bundle
from engine.errors import DeploymentRefused

BPMN = Path(__file__).resolve().parents[2] / "bpmn"


class _Engine:
    """Evaluates a bare variable name, as the diagrams' declarations are (a missing one raises, like Spiff)."""

    def evaluate(self, task: SimpleNamespace, expression: str) -> object:
        return task.data[expression]


def _task(props: dict[str, str], data: dict[str, object]) -> SimpleNamespace:
    return SimpleNamespace(task_spec=SimpleNamespace(extensions={"properties": props}), data=data)


def test_the_declared_expressions_are_evaluated_over_the_task_data() -> None:
    props = {"formKey": "f", "assignee": "expert", "candidateOrganisation": "issuer_code"}
    found = assignment.resolve(_Engine(), _task(props, {"expert": "e3", "issuer_code": "DAZU-ISS"}))
    assert found == assignment.Assignment("e3", "DAZU-ISS")


def test_a_missing_variable_or_an_empty_value_leaves_the_task_to_the_role() -> None:
    props = {"assignee": "expert", "candidateOrganisation": "issuer_code"}
    assert assignment.resolve(_Engine(), _task(props, {"issuer_code": ""})) == assignment.Assignment()
    assert assignment.resolve(_Engine(), _task({"formKey": "f"}, {})) == assignment.Assignment()


def test_an_assignee_expression_outside_the_allowed_language_is_refused_at_deployment(
    db_session: Session,
) -> None:
    files = collect_paths([BPMN / "shared"])
    scoring = next(f for f in files if f.name.endswith("expert_scoring.bpmn"))
    bad = scoring.content.replace(
        b'name="assignee" value="expert"', b'name="assignee" value="expert.__class__.__name__"'
    )
    assert bad != scoring.content
    with pytest.raises(DeploymentRefused) as caught:
        deploy_bundle(db_session, [f for f in files if f is not scoring] + [BundleFile(scoring.name, bad)])
    problems = caught.value.details["problems"]
    assert any(p["element"] == "score" and "assignee" in str(p["message"]) for p in problems), problems
