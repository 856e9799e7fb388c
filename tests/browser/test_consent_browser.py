"""Real Chromium, Chinese UI: the party whose agreement a termination or an extension needs besides the
bureau's refuses it with a reason, told before submitting that the reason is required, and the solver reads
the decision in its inbox — the Dazu district government refusing a termination (001 八(八)) and the Karamay
issuer refusing, then agreeing to, an extension (003 §19)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from engine import instances
from engine.domain import ledger
from engine.models.task import HumanTask
from engine.models.user import User
from engine.users import add_user
from tests.browser.conftest import PASSWORD, screenshot
from tests.lifecycle.conftest import PDF, Flow
from tests.lifecycle.drivers import FIRST_FEN, implementing, status

pytestmark = pytest.mark.browser


@pytest.fixture
def people(db_session: Session, demo_data: Any, sim: Any) -> None:
    fast = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    for user in db_session.scalars(select(User)):
        user.password_hash = fast
    for name in ("e1", "e2", "e3", "e4", "e5"):
        add_user(db_session, name, roles=["expert"])
    db_session.commit()
    sim.set("2026-05-06T09:00:00+08:00")  # the lifecycle drivers' calendar


def _starter(session: Session, sim: Any) -> Any:
    def start(j: str) -> Flow:
        key = f"{j.upper()}-C1"
        data = {
            "jurisdiction": j,
            "title": "高纯硅提纯关键技术",
            "issuer_code": f"{j.upper()}-ISS",
            "project_code": key,
            "notice_call_closes": "2026-12-31T18:00:00+08:00",
        }
        inst = instances.start_instance(
            session, f"{j}_challenge", business_key=key, data=data, actor=f"bureau_{j}"
        )
        return Flow(session, sim, j, inst.id, key)

    return start


def _task(flow: Flow, spec: str) -> HumanTask:
    flow.s.rollback()
    return flow.s.scalars(
        select(HumanTask).where(
            HumanTask.instance_id == flow.id, HumanTask.task_spec == spec, HumanTask.status == "ready"
        )
    ).one()


def _shot(page: Any, name: str) -> None:
    screenshot(page, name)


def _submit(page: Any) -> None:
    page.click("button[name=action][value=submit]")
    page.wait_for_load_state("networkidle")


def test_001_8_8_district_government_refuses_a_termination_with_its_reason(
    db_session: Session, sim: Any, people: None, roles: Any
) -> None:
    flow = implementing(_starter(db_session, sim), "dazu")
    flow.at("2027-03-01T09:00:00+08:00")
    request = {"cause": "objective", "reason": "市场变化，技术路线不可行", "submitted_by": "solver_dazu"}
    flow.message("termination_request", request)
    flow.do(
        "audit", {"audit_report": PDF, "audit_unspent": [{"solver": "DAZU-S1", "unspent_fen": "100,000"}]}
    )
    flow.do("decide", {"termination_decision": "approve", "termination_opinion": "审计属实，同意终止"})
    flow.s.commit()

    government = roles("approver_dazu")
    page = government.page
    task = _task(flow, "gov_consent")
    government.open(
        f"/tasks/{task.id}",
        "区政府同意终止",
        "审计属实，同意终止",
        "不同意终止的，须写明理由（将告知申请方）。（依据：001 八(八)）",
    )
    # Dazu's district government reads Dazu's rule only, not Karamay's joint review with the issuer
    description = page.inner_text("p.description")
    assert "报区政府同意后方可终止（001 八(八)）" in description
    assert "克拉玛依" not in description and "发榜方" not in description and "003" not in description
    _shot(page, "consent-termination-approver-dazu")
    page.click("button[lang=en]")
    page.wait_for_load_state("networkidle")
    english = page.inner_text("p.description")
    assert "district government's consent (001 八(八))" in english
    assert "Karamay" not in english and "issuer" not in english and "003" not in english
    _shot(page, "consent-termination-approver-dazu-en")
    page.click("button[lang=zh-CN]")
    page.wait_for_load_state("networkidle")
    page.select_option("#f-consent_decision", "reject")
    _submit(page)
    error = page.inner_text("#f-consent_opinion-error")
    assert "须写明理由" in error and "001 八(八)" in error
    government.check("表单有误，尚未提交")
    _shot(page, "consent-termination-reason-required-approver")
    assert _task(flow, "gov_consent").status == "ready"
    page.fill("#f-consent_opinion", "项目仍有望完成，继续实施")
    _submit(page)
    government.check("已提交")
    flow.s.rollback()
    assert status(flow) == "ongoing" and flow.ready() == []
    assert flow.data["termination_result"] == "refused"

    solver = roles("solver_dazu")
    solver.open("/inbox", "终止申请未获同意", "区政府不同意终止", "项目仍有望完成，继续实施")
    _shot(solver.page, "consent-termination-refused-solver-inbox")
    solver.open(
        f"/my/projects/{flow.key}", "终止申请：未获同意，项目继续实施", "区政府", "项目仍有望完成，继续实施"
    )
    assert solver.page.locator("[data-termination-result=refused]").count() == 1
    assert solver.page.locator("#request-termination form").count() == 1  # it may ask again
    _shot(solver.page, "consent-termination-refused-solver-project")


def test_003_19_issuer_refuses_then_agrees_to_an_extension(
    db_session: Session, sim: Any, people: None, roles: Any
) -> None:
    flow = implementing(_starter(db_session, sim), "karamay")
    end = flow.data["period_end"]
    flow.at("2027-03-01T09:00:00+08:00")
    flow.message("extension_request", {"days": 90, "reason": "关键设备延迟到货"})
    flow.do("review", {"extension_decision": "approve", "extension_reason": "属客观原因"})
    flow.s.commit()

    issuer = roles("issuer_karamay")
    page = issuer.page
    task = _task(flow, "issuer_approve")
    issuer.open(f"/tasks/{task.id}", "发榜方审核延期申请", "关键设备延迟到货", "属客观原因", "003 §19")
    page.select_option("#f-issuer_decision", "reject")
    _submit(page)
    assert "须写明理由" in page.inner_text("#f-issuer_reason-error")
    _shot(page, "consent-extension-reason-required-issuer")
    page.fill("#f-issuer_reason", "设备可由发榜方调剂，无需延期")
    _submit(page)
    issuer.check("已提交")
    flow.s.rollback()
    assert flow.data["extension_result"] == "rejected" and flow.data["period_end"] == end

    solver = roles("solver_karamay")
    solver.open("/inbox", "延期申请未获同意", "发榜方不同意。理由：设备可由发榜方调剂，无需延期")
    _shot(solver.page, "consent-extension-refused-solver-inbox")

    flow.message("extension_request", {"days": 90, "reason": "调剂设备仍未到货"})
    flow.do("review", {"extension_decision": "approve", "extension_reason": "属客观原因"})
    flow.s.commit()
    issuer.open(f"/tasks/{_task(flow, 'issuer_approve').id}", "调剂设备仍未到货")
    page.select_option("#f-issuer_decision", "approve")
    _submit(page)
    issuer.check("已提交")
    flow.s.rollback()
    assert flow.data["extension_result"] == "granted" and flow.data["period_end"] > end
    solver.open("/inbox", "延期申请已批准")
    _shot(solver.page, "consent-extension-granted-solver-inbox")
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == FIRST_FEN["karamay"]
