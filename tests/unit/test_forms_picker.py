"""Picker fields (forms/FORMAT.md "Pickers"): definition, shape validation, existence check, HTML, web input."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from forms.definition import FormDefinition
from forms.errors import FormDefinitionError, FormInvalid
from forms.pickers import check_people, check_picks
from forms.render import render_form
from forms.schema import validate_submission
from forms.webinput import from_multidict

FORM = {
    "id": "team",
    "title": {"zh": "团队", "en": "Team"},
    "fields": [
        {
            "name": "solver",
            "type": "picker",
            "of": "organisation",
            "required": True,
            "label": {"zh": "揭榜单位", "en": "Solver"},
        },
        {
            "name": "members",
            "type": "picker",
            "of": "person",
            "multiple": True,
            "max_items": 3,
            "label": {"zh": "团队成员", "en": "Members"},
        },
    ],
}
ORGS = [("DAZU-S1", "大足揭榜单位1"), ("DAZU-S2", "大足揭榜单位2")]
PEOPLE = [
    ("DAZU-P1", "研究员甲（大足揭榜单位1）"),
    ("DAZU-P4", "研究员乙（大足揭榜单位2）"),
    ("DAZU-P5", "研究员丙（大足揭榜单位2）"),
]


def _choices(of: str) -> list[tuple[str, str]]:
    return {"organisation": ORGS, "person": PEOPLE}.get(of, [])


def _known(of: str, codes: list[str]) -> set[str]:
    offered = {c for c, _ in _choices(of)}
    return {c for c in codes if c in offered}


def test_a_picker_needs_a_known_kind() -> None:
    bad = {**FORM, "fields": [{**FORM["fields"][0], "of": "reviewer"}]}
    with pytest.raises(FormDefinitionError) as caught:
        FormDefinition.load(bad)
    assert "fields[0](solver).of" in str(caught.value)
    single = {**FORM, "fields": [{**FORM["fields"][0], "max_items": 2}]}
    with pytest.raises(FormDefinitionError, match="only for a multiple picker"):
        FormDefinition.load(single)


def test_multiple_codes_are_stored_joined_in_the_order_given() -> None:
    defn = FormDefinition.load(FORM)
    assert validate_submission(defn, {"solver": " DAZU-S1 ", "members": ["DAZU-P4", "DAZU-P1"]}) == {
        "solver": "DAZU-S1",
        "members": "DAZU-P4,DAZU-P1",
    }
    # the API may send the text the diagrams keep
    assert validate_submission(defn, {"solver": "DAZU-S1", "members": "DAZU-P1, DAZU-P4"})["members"] == (
        "DAZU-P1,DAZU-P4"
    )
    assert validate_submission(defn, {"solver": "DAZU-S1"})["members"] is None


@pytest.mark.parametrize(
    ("data", "path", "zh"),
    [
        ({"solver": "张三, 李四"}, "solver", "不是有效的代码"),
        ({"solver": "DAZU-S1", "members": "张三, 李四"}, "members", "不是有效的代码"),
        ({"solver": "DAZU-S1", "members": ["DAZU-P1", "DAZU-P1"]}, "members", "重复"),
        ({"solver": "DAZU-S1", "members": ["DAZU-P1", "DAZU-P4", "DAZU-P5", "DAZU-P6"]}, "members", "3"),
        ({}, "solver", "必填"),
    ],
)
def test_malformed_picks_are_refused(data: dict[str, object], path: str, zh: str) -> None:
    with pytest.raises(FormInvalid) as caught:
        validate_submission(FormDefinition.load(FORM), data)
    assert list(caught.value.errors_in("zh")) == [path]
    assert zh in caught.value.errors_in("zh")[path][0]


def test_an_unknown_code_is_refused_with_a_clear_message_in_both_languages() -> None:
    defn = FormDefinition.load(FORM)
    cleaned = validate_submission(defn, {"solver": "URUMQI-S1", "members": "DAZU-P1,DAZU-P9"})
    with pytest.raises(FormInvalid) as caught:
        check_picks(defn, cleaned, _known)
    zh, en = caught.value.errors_in("zh"), caught.value.errors_in("en")
    assert zh == {
        "solver": ["没有代码为“URUMQI-S1”的单位：请输入名称的一部分，从列表中选择"],
        "members": ["没有代码为“DAZU-P9”的人员：请输入名称的一部分，从列表中选择"],
    }
    assert en["solver"] == [
        "There is no organisation with the code “URUMQI-S1”: type part of its name and choose it from the list"
    ]
    check_picks(defn, {"solver": "DAZU-S1", "members": "DAZU-P4,DAZU-P1"}, _known)  # known codes pass


def test_pickers_in_group_rows_are_checked_with_the_row_path() -> None:
    group = {
        "id": "apps",
        "title": {"zh": "申请", "en": "Applications"},
        "fields": [
            {
                "name": "applications",
                "type": "group",
                "label": {"zh": "申请", "en": "Applications"},
                "fields": FORM["fields"],
            }
        ],
    }
    defn = FormDefinition.load(group)
    cleaned = validate_submission(defn, {"applications": [{"solver": "DAZU-S1"}, {"solver": "DAZU-XX"}]})
    with pytest.raises(FormInvalid) as caught:
        check_picks(defn, cleaned, _known)
    assert list(caught.value.errors_in("en")) == ["applications.1.solver"]


def test_the_picker_shows_names_submits_codes_and_keeps_the_chosen_order() -> None:
    defn = FormDefinition.load(FORM)
    html = str(
        render_form(defn, values={"solver": "DAZU-S2", "members": "DAZU-P5,DAZU-P1"}, choices=_choices)
    )
    assert '<option value="DAZU-S2" selected>大足揭榜单位2</option>' in html
    assert '<option value="DAZU-S1">大足揭榜单位1</option>' in html
    assert 'data-jb-picker-search="f-members"' in html and 'placeholder="输入名称查找"' in html
    # the chosen members come first, in their order, then the rest
    assert html.index("研究员丙") < html.index("研究员甲") < html.index("研究员乙")
    sent = MultiDict([("solver", "DAZU-S2"), ("members", "DAZU-P5"), ("members", "DAZU-P1")])
    assert validate_submission(defn, from_multidict(defn, sent)) == {
        "solver": "DAZU-S2",
        "members": "DAZU-P5,DAZU-P1",
    }
    english = str(render_form(defn, values={}, choices=_choices, lang="en"))
    assert 'placeholder="Type part of the name"' in english and "Choose…" in english


def test_without_choices_a_picker_keeps_its_current_codes() -> None:
    html = str(render_form(FormDefinition.load(FORM), values={"solver": "DAZU-S1"}))
    assert '<option value="DAZU-S1" selected>DAZU-S1</option>' in html


def test_a_field_of_some_jurisdictions_is_left_out_elsewhere() -> None:
    book = FormDefinition.load_path(
        Path(__file__).resolve().parents[2] / "bpmn/shared/forms/task_book.form.json"
    )
    dazu = [f.name for f in book.for_jurisdiction("dazu").fields]
    assert "confidentiality" in dazu and "chief_expert" not in dazu and "commissioner" not in dazu
    assert "chief_expert" in [f.name for f in book.for_jurisdiction("karamay").fields]
    # the checks of the form stay (the limits beside the fields, the refusals before completing)
    assert (
        book.for_jurisdiction("dazu").checks
        == book.checks
        == ("task_book_funding", "task_book_dates", "task_book_pledge")
    )
    assert book.for_jurisdiction("dazu").left_out == ("chief_expert", "commissioner")
    assert not {"confidentiality", "chief_expert", "commissioner"} & {
        f.name for f in book.for_jurisdiction("urumqi").fields
    }
    html = str(render_form(book.for_jurisdiction("dazu")))
    assert "首席专家" not in html and "驻企特派员" not in html and "已签保密协议" in html
    with pytest.raises(FormInvalid) as caught:  # a field of another jurisdiction is not accepted either
        validate_submission(
            book.for_jurisdiction("dazu"),
            {"period_months": 12, "ip_ownership": "约定", "disbursement_plan": "分期", "chief_expert": "甲"},
        )
    assert list(caught.value.errors_in("en")) == ["chief_expert"]
    with pytest.raises(FormDefinitionError, match="jurisdiction codes"):
        FormDefinition.load({**FORM, "fields": [{**FORM["fields"][0], "jurisdictions": "dazu"}]})


def test_a_readonly_list_of_organisations_shows_their_names() -> None:
    defn = FormDefinition.load(
        {
            "id": "view",
            "title": {"zh": "查看", "en": "View"},
            "fields": [
                {
                    "name": "candidates_view",
                    "type": "readonly",
                    "source": "candidates_text",
                    "format": "organisations",
                    "label": {"zh": "合格揭榜方", "en": "Eligible solvers"},
                }
            ],
        }
    )
    html = str(render_form(defn, context={"candidates_text": "DAZU-S2, DAZU-S1"}, choices=_choices))
    assert "大足揭榜单位2、大足揭榜单位1" in html and "DAZU-" not in html


def _team(people_of: object) -> dict[str, object]:
    members = dict(FORM["fields"][1], people_of=people_of)  # type: ignore[call-overload]
    return dict(FORM, fields=[FORM["fields"][0], members])  # type: ignore[index]


def test_people_of_names_unit_pickers_beside_the_person_picker() -> None:
    assert FormDefinition.load(_team(["solver"])).fields[1].people_of == ("solver",)
    for wrong in (["partners"], [], "solver", ["members"]):
        with pytest.raises(FormDefinitionError) as caught:
            FormDefinition.load(_team(wrong))
        assert "people_of" in str(caught.value)


def test_a_person_of_a_unit_not_chosen_beside_is_refused_by_name_and_unit() -> None:
    defn = FormDefinition.load(_team(["solver"]))
    units = {
        "DAZU-P1": ("研究员甲", "DAZU-S1", "大足揭榜单位1"),
        "DAZU-P4": ("研究员丁", "DAZU-S2", "大足揭榜单位2"),
    }

    def unit_of(codes: list[str]) -> dict[str, tuple[str, str, str]]:
        return {c: units[c] for c in codes if c in units}

    check_people(defn, {"solver": "DAZU-S1", "members": "DAZU-P1"}, unit_of)
    check_people(defn, {"solver": "DAZU-S1", "members": "DAZU-P1,DAZU-P4"}, unit_of, always=["DAZU-S2"])
    with pytest.raises(FormInvalid) as caught:
        check_people(defn, {"solver": "DAZU-S1", "members": "DAZU-P1,DAZU-P4"}, unit_of)
    assert list(caught.value.errors_in("zh")) == ["members"]
    assert "研究员丁（大足揭榜单位2）不是" in caught.value.errors_in("zh")["members"][0]


def test_a_people_picker_carries_each_persons_unit_for_the_script() -> None:
    defn = FormDefinition.load(_team(["solver"]))
    html = str(
        render_form(
            defn,
            values={"solver": "DAZU-S1"},
            choices=lambda of: {"organisation": ORGS, "person": PEOPLE}.get(of, []),
            units=lambda of: {"DAZU-P1": "DAZU-S1", "DAZU-P4": "DAZU-S2"} if of == "person" else {},
            people_always=["DAZU-S9"],
        )
    )
    assert 'data-jb-people-of="solver"' in html and 'data-jb-people-always="DAZU-S9"' in html
    assert 'value="DAZU-P4" data-jb-unit="DAZU-S2"' in html
