"""Real Chromium on the demo's Dazu challenge DAZU-2026-002: the bureau clerk is told before submitting that the
need did not ask for a race (001 八(四)); the task book asks for the integrity pledge (001 八(六)); the district
government consents to a termination in its own task (001 八(八))."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.browser.conftest import DEMO_DAZU, demo_contracted, demo_flow, demo_scored, screenshot, task_of
from tests.lifecycle.conftest import PDF
from tests.lifecycle.drivers import end_of_publicity, status

pytestmark = pytest.mark.browser

KEY = DEMO_DAZU
#: the screenshots the branch's report points to (also kept where every browser test keeps its own)


def _shot(page: Any, name: str) -> None:
    screenshot(page, name)


def _submit(page: Any) -> None:
    page.click("button[name=action][value=submit]")
    page.wait_for_load_state("networkidle")


def test_001_8_4_race_refused_before_submit_and_001_8_6_pledge_in_the_task_book(
    db_session: Session, sim: Any, dazu_experts: None, roles: Any
) -> None:
    flow = demo_flow(db_session, sim)
    demo_scored(flow, {"DAZU-S1": 90, "DAZU-S2": 89})
    clerk = roles("bureau_dazu")
    page = clerk.page
    task = task_of(flow, "select")
    clerk.open(f"/tasks/{task.id}", "发榜方未在需求中提出赛马，只能选择单一揭榜方。")
    page.select_option("#f-mode", "race")
    page.select_option("#f-selected", ["DAZU-S1", "DAZU-S2"])
    page.fill("#f-contract_fen", "3,000,000")
    page.fill("#f-fiscal_support_fen", "900,000")
    page.fill("#f-selection_reason", "两条技术路线")
    _submit(page)
    error = page.inner_text("#f-mode-error")
    assert "该需求未提出采用赛马制" in error and "001 八(四)" in error
    clerk.check("表单有误，尚未提交")
    _shot(page, "rules-race-refused-bureau")
    assert task_of(flow, "select").status == "ready"
    page.select_option("#f-mode", "single")
    page.select_option("#f-selected", ["DAZU-S1"])
    _submit(page)
    clerk.check("任务“确定揭榜方与支持金额”已提交。")
    flow.s.rollback()
    assert flow.ready() == ["approve"], flow.data.get("selection_problem")

    flow.do("approve", {"approval": "approve"})
    flow.at((datetime.fromisoformat(end_of_publicity(flow)) + timedelta(minutes=1)).isoformat())
    flow.s.commit()
    book = task_of(flow, "sign_contract")
    clerk.open(f"/tasks/{book.id}", "本辖区的诚信承诺书随三方任务书签署。（依据：001 八(六)）")
    page.fill("#f-period_months", "24")
    page.fill("#f-ip_ownership", "双方共有")
    page.fill("#f-disbursement_plan", "按政策分期")
    page.check("#f-confidentiality")
    _submit(page)
    assert "须随任务书签署诚信承诺书" in page.inner_text("#f-integrity_pledge-error")
    _shot(page, "rules-task-book-pledge-bureau")
    page.check("#f-integrity_pledge")
    _submit(page)
    clerk.check("任务“签订合同/任务书”已提交。")
    flow.s.rollback()
    assert flow.ready() == ["issuer_payment"]


def test_001_8_8_district_government_consents_to_a_termination(
    db_session: Session, sim: Any, dazu_experts: None, roles: Any
) -> None:
    flow = demo_flow(db_session, sim)
    demo_scored(flow, {"DAZU-S1": 90, "DAZU-S2": 89})
    demo_contracted(flow)
    flow.do("issuer_payment", {"issuer_paid_fen": "1,200,000"})
    flow.message("termination_request", {"cause": "objective", "reason": "市场变化，技术路线不可行"})
    flow.do(
        "audit", {"audit_report": PDF, "audit_unspent": [{"solver": "DAZU-S1", "unspent_fen": "100,000"}]}
    )
    flow.do("decide", {"termination_decision": "approve", "termination_opinion": "审计属实，同意终止"})
    flow.s.commit()
    assert flow.ready() == ["gov_consent"]

    government = roles("approver_dazu")
    page = government.page
    task = task_of(flow, "gov_consent")
    government.open(f"/tasks/{task.id}", "审核终止", "审计属实，同意终止", "报区政府同意后方可终止")
    _submit(page)
    assert page.inner_text("#f-consent_decision-error")
    _shot(page, "rules-termination-consent-approver")
    page.select_option("#f-consent_decision", "approve")
    page.fill("#f-consent_opinion", "同意终止，按规定收回结余资金")
    _submit(page)
    government.check("已提交")
    flow.s.rollback()
    assert status(flow) == "terminated"
