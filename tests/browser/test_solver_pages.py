"""Real Chromium, as the demo solver ``solver_dazu`` (DAZU-S1): apply online → see the application → (the
bureau, experts, approver and issuer drive the challenge with engine calls) → see the decision and the money →
a too-late extension refused beside the field, nothing sent → an extension ≥30 days before the end, recorded →
see the decision on it."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models.event import InstanceEvent
from tests.browser.conftest import DEMO_DAZU, demo_contracted, demo_flow, demo_scored
from tests.browser.journey import apply_online, pdf
from tests.lifecycle.conftest import Flow

pytestmark = pytest.mark.browser

KEY = DEMO_DAZU


def _extension_messages(flow: Flow) -> int:
    flow.s.rollback()
    rows = flow.s.scalars(
        select(InstanceEvent.data_json).where(
            InstanceEvent.instance_id == flow.id, InstanceEvent.kind == "message_received"
        )
    )
    return sum(1 for data in rows if '"extension_request"' in (data or ""))


def test_solver_applies_sees_the_decision_and_requests_an_extension(
    roles: Any, dazu_experts: None, db_session: Session, sim: Any
) -> None:
    solver = roles("solver_dazu")
    page = solver.page
    solver.open(f"/portal/challenges/{KEY}/apply")
    # team members by name from the directory (a picker), never typed codes
    offered = page.locator("[name=members] option").all_inner_texts()
    assert "大足研究员1（大足揭榜单位1）" in offered and not any("DAZU-P" in o for o in offered)
    apply_online(solver, ["DAZU-P1", "DAZU-P2"], shot="solver-0-apply-members")
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

    flow = demo_flow(db_session, sim)
    demo_scored(flow)
    demo_contracted(flow)
    flow.do("issuer_payment", {"issuer_paid_fen": "1,200,000"})
    flow.s.commit()
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


def _offered(page: Any) -> list[str]:
    """The team members the apply page offers now (those of other units are in the page, disabled)."""
    return page.locator("[name=members] option:not([disabled])").all_inner_texts()


def test_team_members_come_from_the_solvers_unit_and_the_partner_units_chosen(
    roles: Any, people: Any
) -> None:
    solver = roles("solver_dazu")
    page = solver.page
    solver.open(
        f"/portal/challenges/{KEY}/apply",
        "团队成员可从本单位和所选联合体成员单位的人员中选择",
        wait_for="[data-jb-people-ready]",
    )
    offered = _offered(page)
    assert "大足研究员1（大足揭榜单位1）" in offered
    assert not any("大足揭榜单位2" in o or "发榜联络人" in o for o in offered)  # another unit's people
    assert not page.locator("button[name=refresh_members]").count()  # no reload to ask for

    # a forged submission naming a person of an unrelated unit (the page does not even carry them: added here)
    assert not page.locator("[name=members] option[value='DAZU-P4']").count()
    page.evaluate(
        "() => { const o = new Option('x', 'DAZU-P4'); document.querySelector('[name=members]').add(o); }"
    )
    apply_online(solver, ["DAZU-P1", "DAZU-P4"])
    error = page.locator("#f-members-error").inner_text()
    assert "团队成员只能是本单位或所选联合体成员单位的人员：大足研究员4（大足揭榜单位2）不是" in error
    # the refused member is shown again by name, never by code
    chosen = page.locator("[name=members] option:checked").all_inner_texts()
    assert "大足研究员4（大足揭榜单位2）" in chosen and "DAZU-P4" not in chosen, chosen
    assert "回执编号" not in page.inner_text("main")
    solver.check(shot="solver-apply-member-refused")
    solver.open("/my/applications")
    assert KEY not in page.inner_text("main")  # nothing was sent

    # the solution document first, then 大足揭榜单位2 as partner: its people are offered at once, on the same
    # page (no reload), and the file chosen stays chosen
    solver.open(f"/portal/challenges/{KEY}/apply", wait_for="[data-jb-people-ready]")
    page.evaluate("() => { window.jbSamePage = true; }")
    page.set_input_files("input[name=plan_file]", files=pdf("方案书.pdf"))
    page.select_option("[name=partners]", label="大足揭榜单位2")
    page.wait_for_selector(
        "[name=members] option[value='DAZU-P4'][data-jb-unit]:not([disabled])", state="attached"
    )
    offered = _offered(page)
    assert "大足研究员4（大足揭榜单位2）" in offered and not any("大足揭榜单位3" in o for o in offered)
    assert page.evaluate("() => window.jbSamePage === true")
    assert (
        page.evaluate("() => document.querySelector('input[name=plan_file]').files[0].name") == "方案书.pdf"
    )
    page.select_option("[name=members]", ["DAZU-P1", "DAZU-P4"])
    solver.check(shot="solver-apply-partner-members")
    # the partner dropped again: its people leave the list and the team
    page.select_option("[name=partners]", [])
    assert not any("大足揭榜单位2" in o for o in _offered(page))
    assert page.evaluate(
        "() => Array.from(document.querySelector('[name=members]').selectedOptions).map(o => o.value)"
    ) == ["DAZU-P1"]
    page.select_option("[name=partners]", label="大足揭榜单位2")
    page.select_option("[name=members]", ["DAZU-P1", "DAZU-P4"])
    page.fill("[name=plan]", "数字孪生建模与故障预测联合攻关")
    page.fill("[name=budget_fen]", "1,000,000")
    page.check("input[name=pledge]")
    page.click("main form button.primary")
    page.wait_for_load_state("networkidle")
    assert "回执编号" in page.inner_text("main"), page.inner_text("main")
    text = solver.open(f"/my/applications/{KEY}", "方案书.pdf", "大足揭榜单位2")
    assert "大足研究员4（大足揭榜单位2）" in text
