"""One 回避 rule for every way a panel is made (engine.expert_pool.recusal_case → engine.domain.panel): the
expert picker of a case (Dazu's acceptance panel, 001 八(八)) leaves out exactly the experts the random draw
leaves out for the same case — of the issuer's unit, of the solver's, of a consortium partner's, or affiliated
with one of them (000 §12(4), 003 §7) — and refuses a forged one with the reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from engine.domain import panel as rules
from engine.expert_pool import _candidates, pool_rows, recusal_case, today
from engine.models.domain import Person
from engine.models.expert import Expert
from engine.pickers import PickerScope
from engine.users import add_user
from forms.definition import FormDefinition
from forms.errors import FormInvalid
from web.demo import load_experts

#: a Dazu case of DAZU-ISS whose applicant DAZU-S1 applies with the partner DAZU-S2
DATA = {
    "issuer_code": "DAZU-ISS",
    "applications": [{"solver": "DAZU-S1", "partners": "DAZU-S2"}],
    "solvers": ["DAZU-S1"],
}
#: the acceptance review's form as a Dazu case has it (its panel is a picker of the expert pool)
FORM = Path(__file__).resolve().parents[2] / "bpmn" / "shared" / "forms" / "acceptance_review.form.json"


def _partner_expert(session: Session) -> None:
    """An expert of the partner's unit (the demo pool has none)."""
    add_user(session, "expert_dazu_partner", roles=["expert"], jurisdiction="dazu")
    session.add(
        Person(code="DAZU-EP", name="合作单位专家", organisation="DAZU-S2", username="expert_dazu_partner")
    )
    session.add(
        Expert(person_code="DAZU-EP", jurisdiction="dazu", title="教授", fields_json=json.dumps(["新材料"]))
    )
    session.commit()


def test_the_picker_leaves_out_whom_the_draw_leaves_out(world: Session) -> None:
    load_experts(world)
    _partner_expert(world)
    scope = PickerScope(world, "dazu", "DAZU-T1", data=DATA)
    offered = {code for code, _name in scope.choices("expert")}
    for left_out in ("expert_dazu_06", "expert_dazu_08", "expert_dazu_10", "expert_dazu_partner"):
        assert left_out not in offered  # the issuer's, the issuer's shareholding, the solver's, the partner's
    assert "expert_dazu_02" in offered

    rows = pool_rows(world, "dazu")
    eligible, _excluded = rules.split_pool(_candidates(rows), recusal_case(world, DATA, today(world)))
    by_code = {r.expert.person_code: r.person.username for r in rows}
    assert {by_code[c] for c in eligible} == offered


@pytest.mark.parametrize(
    ("username", "reason"),
    [("expert_dazu_partner", "与发榜方或申报单位为同一单位"), ("expert_dazu_08", "存在关联关系")],
)
def test_a_forged_expert_who_must_stand_aside_is_refused_with_the_reason(
    world: Session, username: str, reason: str
) -> None:
    load_experts(world)
    _partner_expert(world)
    scope = PickerScope(world, "dazu", "DAZU-T1", data=DATA)
    defn = FormDefinition.load_path(FORM).for_jurisdiction("dazu")
    with pytest.raises(FormInvalid) as caught:
        scope.check(defn, {"acceptance_panel": f"expert_dazu_02,{username}"})
    text = json.dumps(caught.value.errors, ensure_ascii=False, default=str)
    assert "不能参加本项目的专家组（回避）" in text and reason in text, text
