"""Real Chromium, as the Dazu bureau clerk ``bureau_dazu`` on the demo challenge DAZU-2026-002 (total
investment 3,000,000 元): the fiscal limit is shown beside the field before typing; too much fiscal support is
refused beside the field with its citation (001 十(一)) before anything is completed, the input kept; corrected,
it is accepted. Then the task book: a period over the policy's maximum is refused the same way, corrected,
accepted."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.browser.conftest import (
    DEMO_DAZU,
    copy_for_readme,
    demo_contracted,
    demo_flow,
    demo_scored,
    screenshot,
    task_of,
)
from tests.lifecycle.drivers import end_of_publicity

pytestmark = pytest.mark.browser

KEY = DEMO_DAZU


def _error(page: Any, field: str) -> str:
    return page.inner_text(f"#f-{field}-error")


def test_clerk_sees_the_limit_is_refused_with_the_citation_then_succeeds(
    db_session: Session, sim: Any, dazu_experts: None, roles: Any
) -> None:
    flow = demo_flow(db_session, sim)
    demo_scored(flow)
    task = task_of(flow, "select")

    clerk = roles("bureau_dazu")
    page = clerk.page
    # before typing: the limit, its reason and its source beside the field
    clerk.open(
        f"/tasks/{task.id}",
        "最多 900,000.00 元：项目投入总额的 30%（3,000,000.00 元），且不超过 1,000,000.00 元。（依据：001 十(一)）",
    )
    screenshot(page, "checks-select-hint")
    page.select_option("#f-mode", "single")
    page.select_option("#f-selected", "DAZU-S1")
    page.fill("#f-contract_fen", "3,000,000")
    page.fill("#f-fiscal_support_fen", "950,000")
    page.fill("#f-selection_reason", "评分最高，路线成熟")
    page.click("button[name=action][value=submit]")
    page.wait_for_load_state("networkidle")
    error = _error(page, "fiscal_support_fen")
    assert "财政支持最多 900,000.00 元" in error and "填写的是 950,000.00 元" in error
    assert "（依据：001 十(一)）" in error
    clerk.check("表单有误，尚未提交")
    assert page.input_value("#f-fiscal_support_fen") == "950,000"  # the input is kept
    assert page.input_value("#f-selection_reason") == "评分最高，路线成熟"
    path = screenshot(page, "checks-select-refused")
    copy_for_readme(path, "checks-select-refused")
    assert task_of(flow, "select").status == "ready" and flow.ready() == ["select"]  # nothing completed

    page.fill("#f-fiscal_support_fen", "900,000")
    page.click("button[name=action][value=submit]")
    page.wait_for_load_state("networkidle")
    clerk.check("任务“确定揭榜方与支持金额”已提交。")
    assert task_of(flow, "select").status == "completed" and flow.ready() == ["approve"]
    assert flow.data["fiscal_support_fen"] == 90_000_000

    # the task book: the period is at most 36 months in Dazu (001 七)
    flow.do("approve", {"approval": "approve"})
    due = datetime.fromisoformat(end_of_publicity(flow))
    flow.at((due + timedelta(minutes=1)).isoformat())
    flow.s.commit()
    book = task_of(flow, "sign_contract")
    clerk.open(f"/tasks/{book.id}", "1–36 个月。", "本辖区须签订保密协议。（依据：001 八(六)）")
    page.fill("#f-period_months", "48")
    page.fill("#f-ip_ownership", "双方共有")
    page.fill("#f-disbursement_plan", "按政策分期")
    page.click("button[name=action][value=submit]")
    page.wait_for_load_state("networkidle")
    assert "实施周期应为 1–36 个月，填写的是 48 个月" in _error(page, "period_months")
    assert "须签订保密协议" in _error(page, "confidentiality")
    assert "须随任务书签署诚信承诺书" in _error(page, "integrity_pledge")  # 001 八(六)
    assert page.input_value("#f-ip_ownership") == "双方共有"
    path = screenshot(page, "checks-task-book-refused")
    copy_for_readme(path, "checks-task-book-refused")
    assert task_of(flow, "sign_contract").status == "ready"

    page.fill("#f-period_months", "24")
    page.check("#f-confidentiality")
    page.check("#f-integrity_pledge")
    page.click("button[name=action][value=submit]")
    page.wait_for_load_state("networkidle")
    clerk.check("已提交")
    assert task_of(flow, "sign_contract").status == "completed" and flow.ready() == ["issuer_payment"]


def test_issuer_sees_the_prepayment_owed_before_typing(
    db_session: Session, sim: Any, dazu_experts: None, roles: Any
) -> None:
    """001 十(二): the issuer prepays 40% of the contract before the first fiscal tranche — the amount owed is
    on the form before anything is typed; too little is refused beside the field."""
    flow = demo_flow(db_session, sim)
    demo_scored(flow)
    demo_contracted(flow, contract_fen="5,000,000")
    task = task_of(flow, "issuer_payment")
    issuer = roles("issuer_dazu")
    page = issuer.page
    issuer.open(
        f"/tasks/{task.id}",
        "首笔财政资金拨付前，发榜方须预付 2,000,000.00 元；已付 0.00 元，本次至少 2,000,000.00 元。",
    )
    path = screenshot(page, "checks-prepayment-hint")
    copy_for_readme(path, "checks-prepayment-hint")
    page.fill("#f-issuer_paid_fen", "1,500,000")
    page.click("button[name=action][value=submit]")
    page.wait_for_load_state("networkidle")
    assert "本次至少 2,000,000.00 元（填写的是 1,500,000.00 元）" in _error(page, "issuer_paid_fen")
    assert task_of(flow, "issuer_payment").status == "ready"
    page.fill("#f-issuer_paid_fen", "2,000,000")
    page.click("button[name=action][value=submit]")
    page.wait_for_load_state("networkidle")
    issuer.check("已提交")
    assert task_of(flow, "issuer_payment").status == "completed"
