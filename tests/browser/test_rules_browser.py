"""Real Chromium on the demo's Dazu challenge DAZU-2026-002: the bureau clerk is told before submitting that the
need did not ask for a race (001 八(四)); the task book asks for the integrity pledge (001 八(六)); the district
government consents to a termination in its own task (001 八(八))."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from engine.models.instance import ProcessInstance
from engine.models.task import HumanTask
from engine.models.user import User
from engine.users import add_user
from tests.browser.conftest import PASSWORD, screenshot
from tests.lifecycle.conftest import PDF, Flow, application, panel, score_all
from tests.lifecycle.drivers import end_of_publicity, status

pytestmark = pytest.mark.browser

KEY = "DAZU-2026-002"
#: the screenshots the branch's report points to (also kept where every browser test keeps its own)


@pytest.fixture
def people(db_session: Session, demo_data: Any) -> None:
    fast = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    for user in db_session.scalars(select(User)):
        user.password_hash = fast
    db_session.commit()
    for name in ("e1", "e2", "e3", "e4", "e5"):
        add_user(db_session, name, roles=["expert"], jurisdiction="dazu")
    db_session.commit()


def _flow(session: Session, sim: Any) -> Flow:
    session.rollback()
    iid = session.scalars(select(ProcessInstance.id).where(ProcessInstance.business_key == KEY)).one()
    return Flow(session, sim, "dazu", iid, KEY)


def _task(flow: Flow, spec: str) -> HumanTask:
    flow.s.rollback()
    return flow.s.scalars(
        select(HumanTask).where(HumanTask.instance_id == flow.id, HumanTask.task_spec == spec)
    ).one()


def _shot(page: Any, name: str) -> None:
    screenshot(page, name)


def _submit(page: Any) -> None:
    page.click("button[name=action][value=submit]")
    page.wait_for_load_state("networkidle")


def _to_selection(flow: Flow) -> None:
    close = date.fromisoformat(flow.data["applications_close_on"]) + timedelta(days=1)
    flow.at(f"{close}T00:00:05+08:00")
    apps = [application("DAZU-S1", "DAZU-P1,DAZU-P2"), application("DAZU-S2", "DAZU-P4")]
    flow.do("collect_applications", {"applications": apps})
    flow.do("form_panel", panel(["e1", "e2", "e3", "e4", "e5"]))
    score_all(flow, {"DAZU-S1": 90, "DAZU-S2": 89})
    flow.s.commit()


def test_001_8_4_race_refused_before_submit_and_001_8_6_pledge_in_the_task_book(
    db_session: Session, sim: Any, people: None, roles: Any
) -> None:
    flow = _flow(db_session, sim)
    _to_selection(flow)
    clerk = roles("bureau_dazu")
    page = clerk.page
    task = _task(flow, "select")
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
    assert _task(flow, "select").status == "ready"
    page.select_option("#f-mode", "single")
    page.select_option("#f-selected", ["DAZU-S1"])
    _submit(page)
    clerk.check("任务“确定揭榜方与支持金额”已提交。")
    flow.s.rollback()
    assert flow.ready() == ["approve"], flow.data.get("selection_problem")

    flow.do("approve", {"approval": "approve"})
    flow.at((datetime.fromisoformat(end_of_publicity(flow)) + timedelta(minutes=1)).isoformat())
    flow.s.commit()
    book = _task(flow, "sign_contract")
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
    db_session: Session, sim: Any, people: None, roles: Any
) -> None:
    flow = _flow(db_session, sim)
    _to_selection(flow)
    choice = {"mode": "single", "selected": "DAZU-S1", "selection_reason": "评分最高"}
    flow.do("select", dict(choice, contract_fen="3,000,000", fiscal_support_fen="900,000"))
    flow.do("approve", {"approval": "approve"})
    flow.at((datetime.fromisoformat(end_of_publicity(flow)) + timedelta(minutes=1)).isoformat())
    book = {"period_months": 24, "ip_ownership": "双方共有", "disbursement_plan": "分期"}
    flow.do("sign_contract", dict(book, confidentiality=True, integrity_pledge=True))
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
    task = _task(flow, "gov_consent")
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
