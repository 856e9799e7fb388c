"""A process version depends on exactly the decision tables it calls (engine/decision_uses.py): a business rule
task's decision, or a call in its code naming the decision; a table named in documentation, a name, a comment
or a string no call receives is no dependency, so changing that table gives such a process no new version."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy.orm import Session

from engine.bundle import BundleFile, collect_paths
from engine.decision_uses import called_decisions
from engine.deploy import content_hashes, deploy_bundle, validate_bundle
from engine.errors import DeploymentRefused
from tests.conftest import FIXTURES

FOLDER = FIXTURES / "decision_uses"
TABLE = "decision_uses/demo_rate.dmn"


def _bundle(rate: str = "5") -> list[BundleFile]:
    files = collect_paths([FOLDER])
    out = []
    for f in files:
        if f.name == TABLE:
            text = f.content.decode()
            assert text.count("<text>5</text>") == 1
            f = BundleFile(f.name, text.replace("<text>5</text>", f"<text>{rate}</text>").encode())
        out.append(f)
    return out


def test_only_the_processes_that_call_a_table_depend_on_it() -> None:
    uses = {pid: names for pid, (_hash, _file, names) in content_hashes(validate_bundle(_bundle())).items()}
    assert uses == {
        "calls_it": ["decision_uses/calls_it.bpmn", TABLE],
        "looks_it_up": [TABLE, "decision_uses/looks_it_up.bpmn"],
        # its documentation, a task's name, a comment and a string name demo_rate; nothing calls it
        "names_it": ["decision_uses/names_it.bpmn"],
    }


def test_a_table_change_versions_the_processes_that_call_it_not_those_that_name_it(
    db_session: Session,
) -> None:
    first = deploy_bundle(db_session, _bundle())
    assert sorted(p.key for p in first.processes if p.created) == ["calls_it", "looks_it_up", "names_it"]
    changed = deploy_bundle(db_session, _bundle(rate="6"))
    assert changed.as_json()["new_versions"] == ["calls_it", "looks_it_up"]
    assert changed.as_json()["unchanged_processes"] == ["names_it"]
    assert {p.key: p.version for p in changed.processes} == {"calls_it": 2, "looks_it_up": 2, "names_it": 1}


def _task(**code: str) -> SimpleNamespace:
    return SimpleNamespace(**code)


@pytest.mark.parametrize(
    ("code", "called"),
    [
        ({"script": "rate = demo_rate(kind)"}, True),  # a function named by the decision id
        ({"script": 'rate = decide("demo_rate")'}, True),  # the decision id given to a call
        ({"condition": 'decide(table="Table_demo_rate") > 4'}, True),  # by keyword, its table's id
        ({"prescript": "x = 1\nif x:\n    y = lookup('demo_rate')"}, True),
        ({"script": "# demo_rate\nx = 1"}, False),  # a comment
        ({"script": 'table = "demo_rate"'}, False),  # a string no call receives
        ({"script": "x = demo_rate"}, False),  # a name, not called
        ({"script": 'x = decide("demo_rate_old")'}, False),  # another id that begins with it
        ({"script": "x = ("}, False),  # does not compile (lint refuses it): calls nothing
    ],
)
def test_diagram_code_calls_a_decision_only_by_a_call(code: dict[str, str], called: bool) -> None:
    spec = SimpleNamespace(task_specs={"t": _task(**code)})
    found = called_decisions([spec], {"demo_rate", "Table_demo_rate"})  # type: ignore[list-item]
    assert bool(found) is called, found


def test_a_gateway_condition_is_checked_like_every_other_piece_of_code(db_session: Session) -> None:
    """SpiffWorkflow keeps a gateway's condition as an object holding its text: lint reads the text too."""
    files = [
        BundleFile(
            f.name,
            f.content.replace(b'decide("demo_rate", kind="a")', b'__import__("os").getcwd()'),
        )
        for f in _bundle()
    ]
    with pytest.raises(DeploymentRefused) as refused:
        deploy_bundle(db_session, files)
    (problem,) = refused.value.details["problems"]
    assert problem["file"] == "decision_uses/looks_it_up.bpmn" and problem["element"] == "which"
    assert "__import__" in problem["message"] and "条件表达式" in problem["message_zh"]
