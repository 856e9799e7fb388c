"""Stage reports outside a milestone task (Jiebang issue 13; engine.stage_reports): as the demo solver
``solver_dazu`` (DAZU-S1), once its project is being implemented, a stage report (period, progress, file) sent
from its project page at any time — a period ending in the future refused beside the field first, nothing
recorded; the bureau reads it in the project's history; at the next milestone the issuer's check lists the
reports received since the last one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models.event import InstanceEvent
from engine.stage_reports import EVENT
from tests.browser.conftest import DEMO_DAZU, screenshot
from tests.browser.journey import demo_project_running, open_task, pdf
from tests.lifecycle.conftest import Flow

pytestmark = pytest.mark.browser

KEY = DEMO_DAZU


def _reports(flow: Flow) -> int:
    flow.s.rollback()
    return flow.s.scalar(
        select(func.count()).where(InstanceEvent.instance_id == flow.id, InstanceEvent.kind == EVENT)
    )


def test_solver_sends_a_stage_report_outside_a_milestone_and_the_next_check_lists_it(
    roles: Any, dazu_experts: None, db_session: Session, sim: Any
) -> None:
    solver = roles("solver_dazu")
    page = solver.page
    # the solver applies; the bureau, the experts, the government and the issuer bring the project to
    # implementation with one milestone 90 days after the task book (engine calls: this test is about the
    # solver's page)
    flow, signed = demo_project_running(solver, db_session, sim, milestone_in_days=90)
    milestone = signed.date() + timedelta(days=90)
    sim.set(f"{milestone - timedelta(days=30)}T10:00:00+08:00")
    db_session.commit()
    today = milestone - timedelta(days=30)

    # a period ending after today is refused beside the field; nothing is recorded, the input is kept
    solver.open(f"/my/projects/{KEY}", "阶段报告", "实施期间可随时提交阶段报告")
    page.fill("#report-period_start", (today - timedelta(days=60)).isoformat())
    page.fill("#report-period_end", (today + timedelta(days=1)).isoformat())
    page.fill("#report-progress", "完成提纯装置搭建，样品纯度 5N8")
    page.set_input_files("#report-report_file", files=pdf("第一阶段报告.pdf"))
    page.click("#stage-reports button[type=submit]")
    page.wait_for_load_state("networkidle")
    error = page.inner_text('[data-error="report.period_end"]')
    assert f"报告期不能晚于今天（{today.isoformat()}）" in error, error
    assert page.locator("#report-progress").input_value() == "完成提纯装置搭建，样品纯度 5N8"
    screenshot(page, "stage-report-refused")
    assert _reports(flow) == 0

    # without a file: refused too
    page.fill("#report-period_end", today.isoformat())
    page.click("#stage-reports button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "请上传阶段报告" in page.inner_text('[data-error="report.report_file"]')
    assert _reports(flow) == 0

    page.set_input_files("#report-report_file", files=pdf("第一阶段报告.pdf"))
    page.click("#stage-reports button[type=submit]")
    page.wait_for_load_state("networkidle")
    solver.check("阶段报告已提交", "完成提纯装置搭建，样品纯度 5N8", "第一阶段报告.pdf")
    screenshot(page, "stage-report-sent")
    assert _reports(flow) == 1 and flow.ready() == []  # no task completed, no workflow state changed

    # the bureau reads it in the project's history
    bureau = roles("bureau_dazu")
    bureau.open(f"/instances/{flow.id}", "阶段报告", "大足揭榜单位1", "完成提纯装置搭建，样品纯度 5N8")
    bureau.page.locator("text=完成提纯装置搭建，样品纯度 5N8").first.scroll_into_view_if_needed()
    screenshot(bureau.page, "stage-report-bureau-history")

    # the milestone falls due: the issuer's check lists the report received since the last check
    flow.at(f"{milestone + timedelta(days=1)}T00:00:05+08:00")
    flow.s.commit()
    issuer = roles("issuer_dazu")
    open_task(issuer, KEY, "里程碑考核")
    row = issuer.page.locator("#received-reports tr[data-stage-report]")
    assert row.count() == 1
    assert "大足揭榜单位1" in row.inner_text() and "第一阶段报告.pdf" in row.inner_text()
    screenshot(issuer.page, "stage-report-milestone-task")
    href = row.locator("a", has_text="第一阶段报告.pdf").get_attribute("href")
    got = issuer.page.request.get(issuer.base + href)
    assert got.status == 200 and got.body().startswith(b"%PDF"), (got.status, got.text()[:300])
