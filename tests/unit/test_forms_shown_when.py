"""A field shown only for one choice (``shown_when``, forms/FORMAT.md): a race-only field of the selection form is
neither validated nor stored when one team is chosen, whatever a draft saved under 赛马 still holds; a rule that
names no select beside it is refused when the form is loaded."""

from __future__ import annotations

from typing import Any

import pytest

from engine.errors import ValidationFailed
from engine.taskforms import validate_task_data
from forms.definition import FormDefinition
from forms.errors import FormDefinitionError
from forms.render import render_form
from tests.unit.form_of import L, form_of

MODE = {
    "name": "mode",
    "type": "select",
    "required": True,
    "label": L,
    "options": [{"value": "single", "label": L}, {"value": "race", "label": L}],
}
RACE = {"field": "mode", "values": ["race"]}


def form(*fields: dict[str, Any]) -> FormDefinition:
    return form_of(MODE, *fields)


SELECTION = form(
    {"name": "stage_due", "type": "date", "required": True, "label": L, "shown_when": RACE},
    {"name": "stage_task", "type": "text", "label": L, "shown_when": RACE},
    {"name": "reason", "type": "text", "label": L},
)


def test_a_single_selection_stores_nothing_of_the_race_fields_a_draft_kept() -> None:
    draft = {"mode": "single", "stage_due": "2026-11-30", "stage_task": "样机", "reason": "评分最高"}
    assert validate_task_data(SELECTION, draft) == {
        "mode": "single",
        "reason": "评分最高",
        "stage_due": None,  # not given: the diagrams' scripts still name it
        "stage_task": None,
    }


def test_a_race_keeps_its_fields_and_needs_the_required_one() -> None:
    race = {"mode": "race", "stage_due": "2026-11-30", "stage_task": "样机"}
    stored = validate_task_data(SELECTION, race)
    assert (stored["stage_due"], stored["stage_task"]) == ("2026-11-30", "样机")
    with pytest.raises(ValidationFailed) as refused:
        validate_task_data(SELECTION, {"mode": "race"})
    assert "stage_due" in refused.value.details["fields"]
    # hidden, a required field is not asked for
    assert validate_task_data(SELECTION, {"mode": "single"})["stage_due"] is None


def test_the_page_marks_the_field_for_the_script_that_hides_it() -> None:
    html = str(render_form(SELECTION, values={"mode": "single"}, lang="zh"))
    assert 'data-jb-shown-when="mode"' in html and "data-jb-shown-values=" in html
    assert "&#34;race&#34;" in html or "&quot;race&quot;" in html


@pytest.mark.parametrize(
    ("rule", "fragment"),
    [
        ({"field": "nothing", "values": ["race"]}, "is not a single select or a checkbox beside this field"),
        ({"field": "reason", "values": ["race"]}, "is not a single select or a checkbox beside this field"),
        ({"field": "mode", "values": ["relay"]}, "relay is not an option of 'mode'"),
        ({"field": "mode"}, "must be {"),
        ({"field": "mode", "values": []}, "must be {"),
    ],
)
def test_a_rule_naming_no_select_or_no_option_is_refused(rule: dict[str, Any], fragment: str) -> None:
    with pytest.raises(FormDefinitionError) as caught:
        form(
            {"name": "reason", "type": "text", "label": L},
            {"name": "x", "type": "text", "label": L, "shown_when": rule},
        )
    assert fragment in str(caught.value)


def test_a_field_shown_while_a_checkbox_is_ticked_is_stored_only_then() -> None:
    """need_post: the race plan is asked for only when the issuer ticks 拟采用赛马制."""
    defn = form_of(
        {"name": "race_wanted", "type": "checkbox", "label": L},
        {
            "name": "race_plan",
            "type": "text",
            "required": True,
            "label": L,
            "shown_when": {"field": "race_wanted", "values": ["true"]},
        },
    )
    plan = "三个团队平行攻关"
    assert validate_task_data(defn, {"race_wanted": True, "race_plan": plan})["race_plan"] == plan
    assert validate_task_data(defn, {"race_wanted": False, "race_plan": plan})["race_plan"] is None
    with pytest.raises(ValidationFailed) as refused:
        validate_task_data(defn, {"race_wanted": True})
    assert "race_plan" in refused.value.details["fields"]
    html = str(render_form(defn, values={}, lang="zh"))
    assert 'data-jb-shown-when="race_wanted"' in html


def test_a_checkbox_rule_names_ticked_or_not() -> None:
    with pytest.raises(FormDefinitionError) as caught:
        form_of(
            {"name": "race_wanted", "type": "checkbox", "label": L},
            {
                "name": "x",
                "type": "text",
                "label": L,
                "shown_when": {"field": "race_wanted", "values": ["on"]},
            },
        )
    assert "a checkbox 'race_wanted' is" in str(caught.value)


def test_each_choice_builds_its_schema_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The form as a choice leaves it is cached on the form, so a submission's schema is built once per choice,
    not once per submission (issue 15)."""
    from forms import schema

    built: list[str] = []
    build = schema._schema_for

    def counted(specs: Any, *, name: str) -> Any:
        built.append(name)
        return build(specs, name=name)

    monkeypatch.setattr(schema, "_schema_for", counted)
    chosen = form(  # a form of its own: no other test has filled its caches
        {"name": "stage_due", "type": "date", "required": True, "label": L, "shown_when": RACE},
        {"name": "reason", "type": "text", "label": L},
    )
    for _ in range(3):
        assert validate_task_data(chosen, {"mode": "single", "reason": "x"})["stage_due"] is None
        assert validate_task_data(chosen, {"mode": "race", "stage_due": "2026-11-30"})["reason"] is None
    assert len(built) == 2  # one schema for each choice
    assert chosen.as_chosen({"mode": "single"})[0] is chosen.as_chosen({"mode": "single"})[0]
