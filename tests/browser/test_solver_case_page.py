"""Real Chromium, as the demo solver ``solver_dazu`` (大足揭榜单位1) whose project runs: it opens its case file
from its project page — in Chinese and in English — and reads its own application, the decisions and the task
book, never the other applicant's (大足揭榜单位2) application. A case it has no part in answers with a page that
says what it cannot see and where to go, naming no account and no instance number."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models.instance import ProcessInstance
from tests.browser.conftest import DEMO_DAZU, screenshot
from tests.browser.journey import demo_project_running

pytestmark = pytest.mark.browser


def test_a_running_projects_solver_reads_its_case_and_is_told_plainly_where_it_may_not(
    roles: Any, dazu_experts: None, db_session: Session, sim: Any
) -> None:
    solver = roles("solver_dazu")
    page = solver.page
    # 大足揭榜单位2 applied too, and lost
    flow, _signed = demo_project_running(
        solver, db_session, sim, scores={"DAZU-S1": 90, "DAZU-S2": 80}, milestone_in_days=30
    )

    solver.open(f"/my/projects/{DEMO_DAZU}", "项目案卷")
    page.click("[data-case-link]")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/instances/{flow.id}"), page.url
    text = solver.check("智能装备数字孪生运维平台", "大足揭榜单位1", "签订合同/任务书", "纯度 ≥ 6N")
    assert "无权访问" not in text
    assert "大足揭榜单位2" not in text and "大足研究员4" not in text  # the other applicant stays hidden
    screenshot(page, "solver-case-zh")

    # a case it has no part in: the Dazu challenge still taking needs (the bureau's)
    db_session.rollback()
    other = db_session.scalars(
        select(ProcessInstance.id).where(ProcessInstance.business_key == "DAZU-2026-001")
    ).one()
    response = page.goto(f"{solver.base}/instances/{other}")
    assert response is not None and response.status == 403
    text = solver.check("无权访问", "您不能查看这个项目案卷", "待办任务", "我的项目", "请联系科技局")
    main = page.inner_text("main")
    assert "solver_dazu" not in main and "当前账号" not in main and "流程实例" not in main
    assert str(other) not in main.replace("403", "")  # no instance number
    screenshot(page, "solver-403-zh")
    page.click("main a:has-text('去待办任务')")
    page.wait_for_load_state("networkidle")
    assert page.url.rstrip("/").endswith("/tasks"), page.url

    page.click("header button:has-text('English')")
    page.wait_for_load_state("networkidle")
    solver.open(f"/instances/{flow.id}", "Task book", "Choose solvers", "大足揭榜单位1")
    screenshot(page, "solver-case-en")
    page.goto(f"{solver.base}/instances/{other}")
    solver.check("You cannot see this case file", "ask the bureau", "Go to your work queue")
    main = page.inner_text("main")
    assert "solver_dazu" not in main and "process instance" not in main.lower()
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in main)  # English only in the English UI
    screenshot(page, "solver-403-en")
