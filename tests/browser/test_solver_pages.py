"""Real Chromium, as the demo solver ``solver_dazu`` (DAZU-S1): apply online → see the application → (the
bureau, experts, approver and issuer drive the challenge with engine calls) → see the decision and the money →
a too-late extension refused beside the field, nothing sent → an extension ≥30 days before the end, recorded →
see the decision on it."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from engine.models.event import InstanceEvent
from engine.models.instance import ProcessInstance
from engine.models.user import User
from engine.users import add_user
from tests.browser.conftest import PASSWORD, screenshot
from tests.lifecycle.conftest import Flow, application, panel, score_all
from tests.lifecycle.drivers import end_of_publicity

pytestmark = pytest.mark.browser

KEY = "DAZU-2026-002"  # the demo's Dazu challenge open for applications
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def people(db_session: Session, demo_data: Any) -> None:
    fast = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    for user in db_session.scalars(select(User)):
        user.password_hash = fast
    db_session.commit()
    for name in ("e1", "e2", "e3", "e4", "e5"):  # the panel: each member scores their own assigned task
        add_user(db_session, name, roles=["expert"], jurisdiction="dazu")


def _flow(session: Session, sim: Any) -> Flow:
    session.rollback()
    iid = session.scalars(select(ProcessInstance.id).where(ProcessInstance.business_key == KEY)).one()
    return Flow(session, sim, "dazu", iid, KEY)


def _select_and_contract(flow: Flow) -> None:
    """What the bureau, the experts, the district government and the issuer do (no UI needed here)."""
    close = date.fromisoformat(flow.data["applications_close_on"]) + timedelta(days=1)
    flow.at(f"{close}T00:00:05+08:00")
    assert flow.ready() == ["collect_applications"]
    flow.do("collect_applications", {"applications": [application("DAZU-S1", "DAZU-P1,DAZU-P2")]})
    flow.do("form_panel", panel(["e1", "e2", "e3", "e4", "e5"]))
    score_all(flow, {"DAZU-S1": 90})
    flow.do(
        "select",
        {
            "mode": "single",
            "selected": "DAZU-S1",
            "contract_fen": "3,000,000",
            "fiscal_support_fen": "900,000",
            "selection_reason": "评分最高",
        },
    )
    flow.do("approve", {"approval": "approve"})
    due = datetime.fromisoformat(end_of_publicity(flow))
    flow.at((due + timedelta(minutes=1)).isoformat())
    flow.do(
        "sign_contract",
        {
            "period_months": 24,
            "ip_ownership": "双方共有",
            "disbursement_plan": "按政策分期",
            "confidentiality": True,
            "integrity_pledge": True,
            "milestones": [],
        },
    )
    flow.do("issuer_payment", {"issuer_paid_fen": "1,200,000"})
    flow.s.commit()


def _extension_messages(flow: Flow) -> int:
    flow.s.rollback()
    rows = flow.s.scalars(
        select(InstanceEvent.data_json).where(
            InstanceEvent.instance_id == flow.id, InstanceEvent.kind == "message_received"
        )
    )
    return sum(1 for data in rows if '"extension_request"' in (data or ""))


def test_solver_applies_sees_the_decision_and_requests_an_extension(
    roles: Any, people: None, db_session: Session, sim: Any
) -> None:
    solver = roles("solver_dazu")
    page = solver.page
    solver.open(f"/portal/challenges/{KEY}/apply")
    # team members by name from the directory (a picker), never typed codes
    offered = page.locator("[name=members] option").all_inner_texts()
    assert "大足研究员1（大足揭榜单位1）" in offered and not any("DAZU-P" in o for o in offered)
    page.select_option("[name=members]", ["DAZU-P1", "DAZU-P2"])
    page.fill("[name=plan]", "数字孪生建模与故障预测联合攻关")
    page.fill("[name=budget_fen]", "1,000,000")
    screenshot(page, "solver-0-apply-members")
    page.set_input_files(
        "input[name=plan_file]", files=[{"name": "方案书.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.check("input[name=pledge]")
    page.click("main form button.primary")
    page.wait_for_load_state("networkidle")
    assert re.search(r"/portal/?$", page.url), page.inner_text("main")
    found = re.search(r"回执编号 (JB\d{8}-[0-9A-F]{8})", page.inner_text("main"))
    assert found, page.inner_text("main")
    receipt = found.group(1)

    # the public (anyone with the receipt) looks the application up on the portal: what, whose, its status
    public = roles(None)
    public.open("/portal/", "凭回执编号查询异议处理结果、揭榜申请结果")
    public.page.get_by_role("link", name="凭回执编号查询异议处理结果、揭榜申请结果").click()
    public.page.fill("#receipt-number", receipt)
    public.page.click("main form button[type=submit]")
    public.page.wait_for_load_state("networkidle")
    looked = public.check(receipt, "大足揭榜单位1", "已提交，评审中", shot="public-application-receipt")
    assert "数字孪生建模与故障预测联合攻关" not in looked and "大足研究员1" not in looked  # not its content

    text = solver.open("/my/applications", "我的申请", KEY, "已提交，评审中", shot="solver-1-applications")
    assert "大足揭榜单位1" in text and "DAZU-S1" not in text  # the unit by its name, never its code
    text = solver.open(
        f"/my/applications/{KEY}",
        "方案书.pdf",
        "数字孪生建模与故障预测联合攻关",
        "大足研究员1（大足揭榜单位1）、大足研究员2（大足揭榜单位1）",
        shot="solver-2-application",
    )
    assert "DAZU-P1" not in text
    with page.expect_download() as download:
        page.click("text=方案书.pdf")
    assert download.value.suggested_filename == "方案书.pdf"

    flow = _flow(db_session, sim)
    _select_and_contract(flow)
    period_end = date.fromisoformat(flow.data["period_end"][:10])

    solver.open("/my/applications", "已入选", shot="solver-3-selected")
    solver.open("/my/projects", KEY, "实施中", "1,200,000.00", shot="solver-4-projects")
    # Dazu pays the fiscal tranches to the need unit (001 十(二), policy_dazu fiscal_recipient): none to the solver
    row = page.locator("tr", has_text=KEY)
    assert row.locator("[data-fiscal]").inner_text().strip() == "0.00"

    # 20 days before the end: ext_notice_days of policy_dazu is 30 — the page says so before anything is typed
    # and offers no request that would only be refused; nothing is sent
    sim.set(f"{period_end - timedelta(days=20)}T10:00:00+08:00")
    db_session.commit()
    solver.open(f"/my/projects/{KEY}", "延期申请")
    assert "须在实施期届满 30 日前提出" in page.inner_text("#extension-closed")
    assert not page.locator("#extension-days").count()
    solver.check(shot="solver-5-extension-too-late")
    assert _extension_messages(flow) == 0 and flow.ready() == []

    # 60 days before the end: sent to the instance, recorded, and decided by the bureau and the government
    sim.set(f"{period_end - timedelta(days=60)}T10:00:00+08:00")
    db_session.commit()
    solver.open(f"/my/projects/{KEY}")
    page.fill("#extension-days", "90")
    page.fill("#extension-reason", "关键设备到货延迟")
    page.click("#request-extension button[type=submit]")
    page.wait_for_load_state("networkidle")
    solver.check("申请已提交", "审核中", "项目目前不受理延期申请", shot="solver-6-extension-recorded")
    assert _extension_messages(flow) == 1 and flow.ready() == ["review"]

    flow.do("review", {"extension_decision": "approve", "extension_reason": "客观原因"})
    flow.do("gov_approve", {"gov_decision": "approve"})
    flow.s.commit()
    longer = (period_end + timedelta(days=90)).isoformat()
    text = solver.open(f"/my/projects/{KEY}", "已批准", longer, shot="solver-7-extension-granted")
    assert "已延期次数 1" in text
    solver.open("/my/projects", longer)  # the list follows the extended period (project row)
