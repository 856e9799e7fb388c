"""Real Chromium, as the Dazu bureau choosing the solver (001 八(四)): it first thinks of a 赛马, fills the race
stage and saves a draft; then it settles on one team. The race fields disappear from the form as soon as 常规（一家）
is chosen, and the completed selection stores nothing of them (forms/FORMAT.md ``shown_when``)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.browser.conftest import demo_flow, demo_scored, screenshot, task_of

pytestmark = pytest.mark.browser


def test_a_single_selection_keeps_nothing_of_a_race_draft(
    roles: Any, dazu_experts: None, db_session: Session, sim: Any
) -> None:
    flow = demo_flow(db_session, sim)
    demo_scored(flow, {"DAZU-S1": 90, "DAZU-S2": 80})
    task = task_of(flow, "select")
    bureau = roles("bureau_dazu")
    page = bureau.page
    bureau.open(f"/tasks/{task.id}", "确定揭榜方与支持金额")
    assert not page.locator("#f-stage_due").is_visible()  # no mode chosen yet: no race fields
    page.select_option("#f-mode", "race")
    assert page.locator("#f-stage_due").is_visible()
    bureau.check("赛马阶段考核日期")
    page.fill("#f-stage_due", "2027-06-30")
    page.fill("#f-stage_task", "样机现场测试")
    page.fill("#f-race_first_pct_case", "20")
    page.click("button[name=action][value=draft]")
    page.wait_for_load_state("networkidle")
    bureau.check("草稿已保存")
    assert page.input_value("#f-stage_due") == "2027-06-30"  # the draft holds the race fields

    page.select_option("#f-mode", "single")
    for name in ("stage_due", "stage_task", "race_first_pct_case"):
        assert not page.locator(f"#f-{name}").is_visible(), name  # hidden as soon as one team is chosen
    page.select_option("[name=selected]", ["DAZU-S1"])
    page.fill("#f-contract_fen", "3,000,000")
    page.fill("#f-fiscal_support_fen", "900,000")
    page.fill("#f-selection_reason", "评分最高")
    bureau.check(shot="selection-single-after-race-draft")
    screenshot(page, "selection-single-after-race-draft")
    page.click("button[name=action][value=submit]")
    page.wait_for_load_state("networkidle")
    assert "表单有误" not in page.inner_text("main"), page.inner_text("main")

    flow.s.rollback()
    data = flow.data
    assert data["mode"] == "single" and data["selected"] == "DAZU-S1"
    assert data.get("stage_due") is None and data.get("stage_task") is None
    assert data.get("race_first_pct_case") is None
    assert all(not t.get("stage_due") for t in data.get("race_teams") or [])
