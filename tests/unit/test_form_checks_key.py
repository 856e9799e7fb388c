"""A form names the registered checks run before its task is completed (forms/FORMAT.md ``checks``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.bundle import BundleFile, collect_paths
from engine.deploy import validate_bundle
from engine.errors import DeploymentRefused
from forms.definition import FormDefinition
from forms.errors import FormDefinitionError

BASE = {
    "id": "f",
    "title": {"zh": "表", "en": "Form"},
    "fields": [{"name": "a", "type": "text", "label": {"zh": "甲", "en": "A"}}],
}
BPMN = Path(__file__).resolve().parents[2] / "bpmn"


def test_checks_are_a_list_of_names() -> None:
    assert FormDefinition.load(dict(BASE, checks=["task_book_funding"])).checks == ("task_book_funding",)
    assert FormDefinition.load(BASE).checks == ()
    for bad in ("task_book_funding", ["a b"], [1], ["x", "x"]):
        with pytest.raises(FormDefinitionError) as caught:
            FormDefinition.load(dict(BASE, checks=bad))
        assert "checks" in caught.value.en


def test_deployment_refuses_an_unknown_check() -> None:
    files = [f for f in collect_paths([BPMN]) if not f.name.endswith("task_book.form.json")]
    raw = json.loads((BPMN / "shared/forms/task_book.form.json").read_text("utf-8"))
    raw["checks"] = ["task_book_funding", "no_such_check"]
    files.append(BundleFile("bpmn/shared/forms/task_book.form.json", json.dumps(raw).encode()))
    with pytest.raises(DeploymentRefused) as caught:
        validate_bundle(files)
    assert "no_such_check" in str(caught.value.details["problems"])


def test_shipped_forms_name_registered_checks() -> None:
    bundle = validate_bundle(collect_paths([BPMN]))
    assert bundle.forms["task_book"].checks == ("task_book_funding", "task_book_dates", "task_book_pledge")
    assert bundle.forms["issuer_payment"].checks == ("issuer_prepayment",)


def test_requirements_render_beside_the_field_escaped_and_described() -> None:
    from forms.render import render_form

    defn = FormDefinition.load(dict(BASE, checks=["task_book_funding"]))
    html = str(render_form(defn, hints={"a": ["最多 <b>1,000.00</b> 元（依据：001 十(一)）"]}))
    assert (
        '<p class="jb-help jb-rule" id="f-a-rule0">最多 &lt;b&gt;1,000.00&lt;/b&gt; 元（依据：001 十(一)）</p>'
        in html
    )
    assert 'aria-describedby="f-a-rule0"' in html
    assert "jb-rule" not in str(render_form(defn))


def test_a_milestone_date_problem_stands_beside_its_row() -> None:
    from datetime import date

    from engine.domain import date_checks
    from engine.domain.problems import by_field
    from forms.render import render_form

    defn = FormDefinition.load_path(BPMN / "shared/forms/task_book.form.json")
    values = {"period_months": 12, "milestones": [{"title": "小试", "due_date": "2028-01-01"}]}
    errors = by_field(date_checks.milestone_problems(values, date(2026, 5, 13)), "zh")
    html = str(render_form(defn, values=values, errors=errors))
    assert '<p class="jb-error" id="f-milestones-0-due_date-error">' in html
    assert "晚于实施周期结束日 2027-05-13（12 个月）" in html and 'value="2028-01-01"' in html
