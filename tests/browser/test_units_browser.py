"""Real Chromium, in Chinese: Urumqi's issuer registers the technology contract after the task book and the first
tranche waits for it (002 五(二)6); a bureau clerk registering an organisation with a wrong 统一社会信用代码 or
region sees the error beside the field; a solver registered outside Urumqi is refused before it applies for a
成果转化 challenge (000 §10(二), 002 二(四))."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from engine import instances
from engine.domain import ledger
from engine.models.domain import Organisation
from engine.models.task import HumanTask
from engine.models.user import User
from engine.users import add_user
from tests.browser.conftest import PASSWORD, screenshot
from tests.lifecycle.conftest import Flow, need
from tests.lifecycle.drivers import end_of_publicity
from tests.lifecycle.test_urumqi import to_contract

pytestmark = pytest.mark.browser


def _shot(page: Any, name: str) -> None:
    screenshot(page, name)


@pytest.fixture
def people(db_session: Session, demo_data: Any) -> None:
    fast = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    for name, role in (("recommender_urumqi", "recommender"), ("expert2", "expert"), ("expert3", "expert")):
        add_user(db_session, name, roles=[role], jurisdiction="urumqi")
    for user in db_session.scalars(select(User)):
        user.password_hash = fast
    db_session.commit()


def _urumqi(db_session: Session, sim: Any, key: str) -> Flow:
    sim.set("2026-05-06T09:00:00+08:00")  # inside Urumqi's call window (002 五(一)1)
    inst = instances.start_instance(
        db_session,
        "urumqi_challenge",
        business_key=key,
        data={
            "jurisdiction": "urumqi",
            "title": "高纯硅提纯关键技术",
            "issuer_code": "URUMQI-ISS",
            "project_code": key,
            "notice_call_closes": "2026-12-31T18:00:00+08:00",
        },
        actor="bureau_urumqi",
    )
    return Flow(db_session, sim, "urumqi", inst.id, key)


def _task(flow: Flow, spec: str) -> HumanTask:
    flow.s.rollback()
    return flow.s.scalars(
        select(HumanTask).where(HumanTask.instance_id == flow.id, HumanTask.task_spec == spec)
    ).one()


def test_002_5_2_6_issuer_registers_the_contract_then_the_first_tranche_is_paid(
    db_session: Session, sim: Any, people: None, roles: Any, tmp_path: Path
) -> None:
    flow = _urumqi(db_session, sim, "URUMQI-2026-REG")
    to_contract(flow)
    due = datetime.fromisoformat(end_of_publicity(flow))
    flow.at((due + timedelta(hours=10)).isoformat())
    flow.do("sign_contract", {"period_months": 24, "ip_ownership": "发榜方", "disbursement_plan": "50/50"})
    flow.s.commit()
    opened = flow.data["opened_on"]
    task = _task(flow, "register_contract")
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == 0

    issuer = roles("issuer_urumqi")
    page = issuer.page
    issuer.open(
        f"/tasks/{task.id}",
        "技术合同登记",
        "立项完成后须及时进行技术合同登记",
        "登记完成后才拨付首笔财政资金。（依据：002 五(二)6）",
    )
    pdf = tmp_path / "登记证明.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.fill("#f-contract_reg_number", "2026650100000123")
    early = (datetime.fromisoformat(opened) - timedelta(days=3)).date().isoformat()
    page.fill("#f-contract_reg_date", early)
    page.set_input_files("#f-contract_reg_certificate", str(pdf))
    page.click("button[name=action][value=submit]")
    page.wait_for_load_state("networkidle")
    error = page.inner_text("#f-contract_reg_date-error")
    assert "早于立项（任务书签订）日期" in error and "（依据：002 五(二)6）" in error
    _shot(page, "units-contract-registration-refused")
    assert _task(flow, "register_contract").status == "ready"
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == 0

    page.fill("#f-contract_reg_date", opened)
    page.set_input_files("#f-contract_reg_certificate", str(pdf))
    page.click("button[name=action][value=submit]")
    page.wait_for_load_state("networkidle")
    issuer.check("任务“技术合同登记”已提交。")
    _shot(page, "units-contract-registration-done")
    assert _task(flow, "register_contract").status == "completed"
    assert flow.data["contract_reg_number"] == "2026650100000123"
    assert ledger.balance(flow.s, flow.key)["disbursed_fen"] == 100_000_000  # the first 50% now


def test_bureau_registering_a_unit_sees_code_and_region_errors_beside_the_fields(
    db_session: Session, people: None, roles: Any
) -> None:
    clerk = roles("bureau_urumqi")
    page = clerk.page
    clerk.open("/admin/organisations", "统一社会信用代码", "注册地行政区划代码")
    page.fill("#org-code", "91650100MA70000005")
    page.fill("#org-name", "乌鲁木齐新材料有限公司")
    page.fill("#org-region", "6501")
    page.click("button:has-text('登记单位')")
    page.wait_for_load_state("networkidle")
    assert "统一社会信用代码校验位不正确" in page.inner_text("#org-code-error")
    assert "注册地行政区划代码应为 6 位数字" in page.inner_text("#org-region-error")
    assert page.get_attribute("#org-region", "aria-invalid") == "true"
    _shot(page, "units-organisation-invalid-uscc-region")

    page.fill("#org-code", "91650100MA70000004")
    page.fill("#org-region", "")
    page.click("button:has-text('登记单位')")
    page.wait_for_url("**/admin/organisations/*")
    clerk.check("已登记单位“乌鲁木齐新材料有限公司”（91650100MA70000004）")
    db_session.rollback()
    org = db_session.scalars(select(Organisation).where(Organisation.code == "91650100MA70000004")).one()
    assert (org.uscc, org.region) == ("91650100MA70000004", "650100")  # the registration authority's region
    assert page.input_value("#org-region") == "650100"
    _shot(page, "units-organisation-created-region")


def test_000_10_2_solver_outside_urumqi_is_refused_before_applying_for_a_transfer(
    db_session: Session, sim: Any, people: None, roles: Any
) -> None:
    key = "URUMQI-2026-TRF"
    flow = _urumqi(db_session, sim, key)
    flow.do("post_need", need(category="transfer"))  # 000 §9(二): a transfer issuer may be anywhere
    flow.do("recommend", {"recommended": "yes"})
    flow.do(
        "need_review", {"importance": 90, "feasibility": 80, "difficulty": 70, "need_listed_decision": "list"}
    )
    flow.do("publish_list", {"list_published_on": "2026-05-06", "applications_close_on": "2026-06-30"})
    s1 = db_session.scalars(select(Organisation).where(Organisation.code == "URUMQI-S1")).one()
    s1.region = "110108"  # registered in Beijing's Haidian district
    db_session.commit()

    solver = roles("solver_urumqi")
    text = solver.open(
        f"/portal/challenges/{key}/apply",
        "不能揭榜",
        "注册地（行政区划代码 110108）不在乌鲁木齐市域内",
        "（依据：000 §10(二), 002 二(四)）",
    )
    assert "提交揭榜申请" not in text  # refused before anything is filled in
    _shot(solver.page, "units-solver-not-local-refused")

    s1.region = "650102"
    db_session.commit()
    solver.open(f"/portal/challenges/{key}/apply", "提交揭榜申请")


def test_004_2_group_leader_sees_the_pilot_count_and_a_sixth_approval_is_refused(
    db_session: Session, sim: Any, people: None, roles: Any
) -> None:
    from tests.lifecycle.drivers import to_approve

    for name in ("e1", "e2", "e3"):
        add_user(db_session, name, roles=["expert"], jurisdiction="zhangye")
    db_session.commit()
    sim.set("2026-05-06T09:00:00+08:00")
    flows = []
    for i in range(6):
        inst = instances.start_instance(
            db_session,
            "zhangye_challenge",
            business_key=f"ZHANGYE-2026-P{i + 1}",
            data={
                "jurisdiction": "zhangye",
                "title": f"试点项目{i + 1}",
                "issuer_code": "ZHANGYE-ISS",
                "project_code": f"ZHANGYE-2026-P{i + 1}",
                "notice_call_closes": "2026-12-31T18:00:00+08:00",
            },
            actor="bureau_zhangye",
        )
        flow = Flow(db_session, sim, "zhangye", inst.id, f"ZHANGYE-2026-P{i + 1}")
        to_approve(flow)
        if i < 5:
            flow.do("approve", {"approval": "approve"})
        flows.append(flow)
    db_session.commit()
    task = _task(flows[5], "approve")

    leader = roles("approver_zhangye")
    page = leader.page
    leader.open(
        f"/tasks/{task.id}",
        "试点期间已支持 5 个项目（试点方案支持 3–5 个）。已达上限，不能再批准。（依据：004 二）",
    )
    page.select_option("#f-approval", "approve")
    page.click("button[name=action][value=submit]")
    page.wait_for_load_state("networkidle")
    error = page.inner_text("#f-approval-error")
    assert "已达试点方案规定的上限 5 个，不能再批准立项" in error and "（依据：004 二）" in error
    _shot(page, "units-pilot-sixth-refused")
    assert _task(flows[5], "approve").status == "ready"
    page.select_option("#f-approval", "reject")
    page.click("button[name=action][value=submit]")
    page.wait_for_load_state("networkidle")
    leader.check("已提交")


def test_004_2_pilot_evaluation_warns_while_fewer_than_three_projects_were_supported(
    db_session: Session, sim: Any, people: None, roles: Any
) -> None:
    inst = instances.start_instance(
        db_session,
        "zhangye_pilot_evaluation",
        business_key="ZHANGYE-2026-PILOT-001",
        data={"jurisdiction": "zhangye", "from_year": 2025, "to_year": 2026},
        actor="bureau_zhangye",
    )
    db_session.commit()
    flow = Flow(db_session, sim, "zhangye", inst.id, "ZHANGYE-2026-PILOT-001")
    task = _task(flow, "write_evaluation")
    clerk = roles("bureau_zhangye")
    clerk.open(
        f"/tasks/{task.id}",
        "试点期间已支持 0 个项目（试点方案支持 3–5 个）。注意：尚少于 3 个。（依据：004 二）",
    )
    _shot(clerk.page, "units-pilot-evaluation-warning")


def test_000_9_the_issuer_reads_the_locality_rule_beside_the_category(
    db_session: Session, sim: Any, people: None, roles: Any
) -> None:
    from engine.models.instance import ProcessInstance

    iid = db_session.scalars(
        select(ProcessInstance.id).where(ProcessInstance.business_key == "URUMQI-2026-001")
    ).one()
    flow = Flow(db_session, sim, "urumqi", iid, "URUMQI-2026-001")
    task = _task(flow, "post_need")
    issuer = roles("issuer_urumqi")
    issuer.open(
        f"/tasks/{task.id}",
        "技术攻关类需求的发榜方须为乌鲁木齐市域内具有独立法人资格的单位（按统一社会信用代码和注册地核对）。"
        "（依据：000 §9(一), 002 二(一)1）",
    )
    _shot(issuer.page, "units-need-locality-hint")
