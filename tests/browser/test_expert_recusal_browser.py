"""Real Chromium, Chinese UI: Dazu's acceptance panel (001 八(八)) is picked from the district's expert pool, and
the picker offers no expert who must 回避 the case — the draw's own rule (engine.domain.panel, 000 §12(4), 003
§7): not the expert at the issuer, nor the one at the company the issuer holds shares in, nor the one at the
solver's own unit. A forged choice of one of them comes back refused beside the field, nothing saved."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.browser.conftest import fast_passwords
from tests.browser.journey import ready_task_id, refused
from tests.lifecycle.conftest import DOCS, start, world  # noqa: F401 (fixtures)
from tests.lifecycle.drivers import implementing

pytestmark = pytest.mark.browser

#: the demo pool's Dazu experts who must stand aside for a DAZU-ISS / DAZU-S1 case (web.demo.load_experts)
AT_ISSUER, AT_SHAREHOLDING, AT_SOLVER = "expert_dazu_06", "expert_dazu_08", "expert_dazu_10"


def test_the_dazu_acceptance_picker_offers_no_expert_who_must_stand_aside(
    roles: Any,
    start,  # type: ignore[no-untyped-def]  # noqa: F811
    world: Session,  # noqa: F811
) -> None:
    from web.demo import load_experts

    flow = implementing(start, "dazu")
    load_experts(world)
    flow.at(flow.data["checkpoint_at"])
    flow.do("request", DOCS)
    task_id = ready_task_id(flow, "review")
    fast_passwords(world, "expert_dazu")

    expert = roles("expert_dazu")
    page = expert.page
    expert.open(f"/tasks/{task_id}", "验收评价", "验收专家组成员")
    offered = page.locator("#f-acceptance_panel option").evaluate_all("(os) => os.map((o) => o.value)")
    assert "expert_dazu_02" in offered and len(offered) >= 5, offered
    for code in (AT_ISSUER, AT_SHAREHOLDING, AT_SOLVER):
        assert code not in offered, offered
    expert.check(shot="access2-dazu-acceptance-panel-picker")

    # a forged panel with the solver's own expert
    page.evaluate(
        """(code) => {
            const s = document.getElementById('f-acceptance_panel');
            s.add(new Option('伪造的专家', code));
            Array.from(s.options).forEach((o) => { o.selected = ['expert_dazu_02', 'expert_dazu_03',
                'expert_dazu_04', 'expert_dazu_05', code].includes(o.value); });
        }""",
        AT_SOLVER,
    )
    page.select_option("#f-acceptance_outcome", "pass")
    page.fill("#f-acceptance_opinion", "同意通过验收")
    stand_aside = ("不能参加本项目的专家组（回避）", "与发榜方或申报单位为同一单位")
    refused(expert, "acceptance_panel", *stand_aside, shot="access2-dazu-acceptance-panel-forged")
    # the refused expert is shown again by name and unit, never by the account
    chosen = page.locator("#f-acceptance_panel option:checked").all_inner_texts()
    assert not any(AT_SOLVER in label for label in chosen), chosen
    assert any("大足揭榜单位1" in label for label in chosen), chosen
    assert flow.ready() == ["review"]
