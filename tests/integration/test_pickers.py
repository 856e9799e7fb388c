"""What a case's pickers offer and accept (engine/pickers.py): the jurisdiction's records, a case's solvers."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from engine.errors import ValidationFailed
from engine.models.domain import Organisation, Project
from engine.pickers import PickerScope
from engine.taskforms import validate_task_data
from forms.definition import FormDefinition
from web.demo import load_organisations

FORM = FormDefinition.load(
    {
        "id": "pick",
        "title": {"zh": "选择", "en": "Pick"},
        "fields": [
            {"name": "unit", "type": "picker", "of": "organisation", "label": {"zh": "单位", "en": "Unit"}},
            {
                "name": "people",
                "type": "picker",
                "of": "person",
                "multiple": True,
                "label": {"zh": "人员", "en": "People"},
            },
            {
                "name": "chosen",
                "type": "picker",
                "of": "solver",
                "multiple": True,
                "label": {"zh": "揭榜方", "en": "Solvers"},
            },
        ],
    }
)


@pytest.fixture
def scope(db_session: Session) -> PickerScope:
    load_organisations(db_session)
    db_session.add(Organisation(code="NATIONAL-LAB", name="国家实验室", jurisdiction=None))
    for solver in ("DAZU-S2", "DAZU-S1"):
        db_session.add(
            Project(
                code=f"DAZU-T1/{solver}", jurisdiction="dazu", title="硅", solver=solver, status="applying"
            )
        )
    db_session.add(
        Project(
            code="DAZU-T2/DAZU-S3", jurisdiction="dazu", title="另案", solver="DAZU-S3", status="applying"
        )
    )
    db_session.commit()
    return PickerScope(db_session, "dazu", "DAZU-T1")


def test_the_choices_are_the_jurisdictions_records_by_name(scope: PickerScope) -> None:
    units = dict(scope.choices("organisation"))
    assert units["DAZU-S1"] == "大足揭榜单位1" and units["NATIONAL-LAB"] == "国家实验室"
    assert not any(code.startswith(("URUMQI", "KARAMAY", "ZHANGYE")) for code in units)
    people = dict(scope.choices("person"))
    assert people["DAZU-P4"] == "大足研究员4（大足揭榜单位2）"
    assert "URUMQI-P1" not in people
    assert scope.choices("solver") == [("DAZU-S1", "大足揭榜单位1"), ("DAZU-S2", "大足揭榜单位2")]


def test_codes_outside_the_case_are_refused_and_nothing_is_returned(scope: PickerScope) -> None:
    good = {"unit": "DAZU-ISS", "people": ["DAZU-P1", "DAZU-P4"], "chosen": "DAZU-S2"}
    assert validate_task_data(FORM, good, scope) == {
        "unit": "DAZU-ISS",
        "people": "DAZU-P1,DAZU-P4",
        "chosen": "DAZU-S2",
    }
    with pytest.raises(ValidationFailed) as caught:
        validate_task_data(FORM, {"unit": "URUMQI-S1", "people": "URUMQI-P1", "chosen": "DAZU-S3"}, scope)
    fields = caught.value.details["fields"]
    assert fields["unit"] == ["没有代码为“URUMQI-S1”的单位：请输入名称的一部分，从列表中选择"]
    assert "URUMQI-P1" in fields["people"][0]
    assert fields["chosen"] == ["没有代码为“DAZU-S3”的本项目的揭榜单位：请输入名称的一部分，从列表中选择"]
    assert (
        "There is no organisation with the code “URUMQI-S1”" in caught.value.details["fields_en"]["unit"][0]
    )


def test_a_scope_of_named_units_offers_and_accepts_only_their_people(db_session: Session) -> None:
    load_organisations(db_session)
    db_session.commit()
    team = PickerScope(db_session, "dazu", "DAZU-T1", people_of=["DAZU-S1", "DAZU-S3"])
    units = {name.split("（")[1] for _, name in team.choices("person")}
    assert units == {"大足揭榜单位1）", "大足揭榜单位3）"}
    assert team.known("person", ["DAZU-P1", "DAZU-P4", "DAZU-P7"]) == {"DAZU-P1", "DAZU-P7"}
    assert len(team.choices("organisation")) == len(
        PickerScope(db_session, "dazu", "DAZU-T1").choices("organisation")
    )
