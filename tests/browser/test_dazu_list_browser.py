"""Real Chromium, Dazu 遴选发榜 and contest projects: the district government returns a list with its reason and
the issuer reads it (001 八(二)); the bureau records the municipal award and the district matching support of a
municipal-list project (001 八(二)); the bureau starts a contest-won project that goes straight to the task
book (001 十二(一)). Every check a user can fail is shown beside the field before anything is stored."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from engine import instances
from engine.domain import ledger
from tests.browser.conftest import Watched, screenshot
from tests.lifecycle.conftest import Flow, need, panel
from tests.lifecycle.drivers import NEED_PANEL, REVIEW

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _shot(who: Watched, name: str) -> None:
    screenshot(who.page, name)


def _listed(session: Session, sim: Any, key: str, title: str, municipal: str) -> Flow:
    """A Dazu need accepted, assessed by its panel (001 八(二)) and past the municipal question."""
    inst = instances.start_instance(
        session,
        "dazu_challenge",
        business_key=key,
        data={
            "jurisdiction": "dazu",
            "title": title,
            "issuer_code": "DAZU-ISS",
            "project_code": key,
            "notice_call_closes": "2026-12-31T18:00:00+08:00",
        },
        actor="bureau_dazu",
    )
    flow = Flow(session, sim, "dazu", inst.id, key)
    flow.do("post_need", need(need_title=title))
    flow.do("form_need_panel", panel(NEED_PANEL))
    flow.do("need_review", dict(REVIEW, need_review_opinion="带动性强，建议列入"))
    flow.do("municipal_check", {"taken_municipal": municipal})
    session.commit()
    return flow


def _open_task(who: Watched, key: str, task: str) -> None:
    who.open("/tasks", "待办任务")
    row = who.page.locator("table.queue tbody tr", has_text=key).filter(has_text=task)
    assert row.count() >= 1, who.page.inner_text("main")
    row.first.locator("a", has_text="办理").click()
    who.page.wait_for_load_state("networkidle")


def _submit(who: Watched) -> None:
    who.page.click("button[name=action][value=submit]")
    who.page.wait_for_load_state("networkidle")


def test_001_8_2_government_returns_the_list_and_the_issuer_reads_why(
    db_session: Session, sim: Any, dazu_experts: None, roles: Any
) -> None:
    key, title = "DAZU-2026-901", "工业机器人视觉质检"
    flow = _listed(db_session, sim, key, title, municipal="no")
    approver = roles("approver_dazu")
    _open_task(approver, key, "审议项目榜单")
    approver.check(title, "带动性强，建议列入", "不同意时须写明理由")
    approver.page.select_option("#f-list_review", "return")
    _submit(approver)
    error = approver.page.inner_text("#f-list_review_opinion-error")
    assert "须写明理由" in error and "001 八(二)" in error, error
    approver.check("表单有误，尚未提交")
    _shot(approver, "dazu-list-review-refused")
    approver.page.fill("#f-list_review_opinion", "与区产业规划重复，暂不发布")
    _shot(approver, "dazu-list-review")
    _submit(approver)
    approver.check("已提交")

    issuer = roles("issuer_dazu")
    issuer.open(f"/instances/{flow.id}", title, "已办结")
    reason = issuer.page.inner_text("#need-not-listed")
    assert "区政府审议未通过项目榜单" in reason and "与区产业规划重复" in reason and "001 八(二)" in reason
    _shot(issuer, "dazu-not-listed-issuer")


def test_001_8_2_municipal_project_gets_district_matching(
    db_session: Session, sim: Any, dazu_experts: None, roles: Any
) -> None:
    key, title = "DAZU-2026-902", "氢燃料电池电堆"
    flow = _listed(db_session, sim, key, title, municipal="yes")
    bureau = roles("bureau_dazu")
    _open_task(bureau, key, "市级榜单发布与区级配套")
    bureau.check(title, "政策未规定配套比例与上限", "001 八(二)")  # the requirement, before typing
    bureau.page.select_option("#f-municipal_published", "yes")
    bureau.page.fill("#f-matching_fen", "500,000")
    _submit(bureau)
    error = bureau.page.inner_text("#f-municipal_award_fen-error")
    assert "市级立项支持金额" in error and "001 八(二)" in error, error
    assert bureau.page.input_value("#f-matching_fen") == "500,000"
    _shot(bureau, "dazu-municipal-award-refused")
    bureau.page.fill("#f-municipal_award_fen", "2,000,000")
    _shot(bureau, "dazu-municipal-award")
    _submit(bureau)
    bureau.check("已提交")
    db_session.rollback()
    (entry,) = ledger.entries(db_session, key)
    assert entry["amount_fen"] == 50_000_000 and entry["party"] == "DAZU-ISS"
    bureau.open(f"/instances/{flow.id}", title, "项目账目", "市级项目区级配套", "500,000.00")
    assert "账目不平衡" not in bureau.page.inner_text("main")
    _shot(bureau, "dazu-municipal-matching-books")


def test_001_12_1_bureau_starts_a_contest_project_straight_to_the_task_book(
    db_session: Session, dazu_experts: None, roles: Any
) -> None:
    title = "矿山智能巡检机器人"
    bureau = roles("bureau_dazu")
    bureau.open("/start/dazu_challenge", "立项方式", "赛事揭榜项目（直接签订任务书）")
    page = bureau.page
    page.select_option("#f-entry_route", "contest")
    page.locator("#f-issuer_code").select_option(label="大足硅业股份有限公司")
    page.fill("#f-title", title)
    page.click("button.primary")
    page.wait_for_load_state("networkidle")
    # the contest and its winner are required for a contest project, beside the fields, nothing started
    assert "赛事名称" in page.inner_text("#f-contest_name-error")
    assert "揭榜的单位" in page.inner_text("#f-contest_solver-error")
    _shot(bureau, "dazu-contest-start-refused")
    page.fill("#f-contest_name", "中国创新挑战赛（重庆）")
    page.locator("#f-contest_solver").select_option(label="大足揭榜单位1")
    _shot(bureau, "dazu-contest-start")
    page.click("button.primary")
    page.wait_for_load_state("networkidle")
    text = bureau.check("已发起", title)
    key = text.split(title + "（", 1)[1].split("）", 1)[0]

    _open_task(bureau, key, "赛事揭榜项目立项")
    bureau.check("中国创新挑战赛（重庆）", "大足揭榜单位1")
    page.select_option("#f-contest_members", ["DAZU-P1", "DAZU-P2"])
    page.set_input_files(
        "#f-contest_award",
        files=[{"name": "赛事揭榜证书.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    page.fill("#f-need_total_fen", "3,000,000")
    page.fill("#f-contract_fen", "3,000,000")
    page.fill("#f-fiscal_support_fen", "1,000,000")
    _submit(bureau)
    error = page.inner_text("#f-fiscal_support_fen-error")
    assert "900,000.00" in error and "001 十(一)" in error, error
    _shot(bureau, "dazu-contest-terms-refused")
    page.fill("#f-fiscal_support_fen", "900,000")
    page.set_input_files(
        "#f-contest_award",
        files=[{"name": "赛事揭榜证书.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    _shot(bureau, "dazu-contest-terms")
    _submit(bureau)
    bureau.check("已提交")
    # straight to the task book: the next step is the bureau's 签订合同/任务书, no list, review or publicity
    _open_task(bureau, key, "签订合同/任务书")
    bureau.check("本辖区须签订保密协议")
    _shot(bureau, "dazu-contest-task-book")
