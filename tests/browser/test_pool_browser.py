"""Real Chromium: the Dazu bureau clerk keeps the expert pool (search, add, mark unavailable) and forms the
panel of a challenge by a random draw — the policy minimum shown first (001 八(四): ≥5, odd), a wrong size
refused, the draw with names, titles and organisations, the experts left out and why (回避), one declined
expert replaced with a reason, the panel confirmed, and the 抽取记录 on the instance page."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from engine import audit, tasks
from engine.models.domain import Person
from engine.models.expert import PanelDraw
from engine.models.instance import ProcessInstance
from engine.users import add_user
from tests.browser.conftest import PASSWORD, copy_for_readme, screenshot
from tests.lifecycle.conftest import Flow, application

pytestmark = pytest.mark.browser

KEY = "DAZU-2026-002"  # the demo's Dazu challenge open for applications


@pytest.fixture
def clerk(db_session: Session, demo_data: Any) -> None:
    fast = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    add_user(db_session, "bureau_dazu", roles=[], password_hash=fast)
    add_user(db_session, "expert_dazu_13", roles=["expert"], jurisdiction="dazu", display_name="秦晓峰")
    db_session.add(Person(code="DAZU-E13", name="秦晓峰", organisation="DAZU-EU", username="expert_dazu_13"))
    db_session.commit()


def _to_panel(session: Session, sim: Any) -> str:
    iid = session.scalars(select(ProcessInstance.id).where(ProcessInstance.business_key == KEY)).one()
    flow = Flow(session, sim, "dazu", iid, KEY)
    close = date.fromisoformat(flow.data["applications_close_on"]) + timedelta(days=1)
    flow.at(f"{close}T00:00:05+08:00")
    flow.do("collect_applications", {"applications": [application("DAZU-S1", "DAZU-P1")]})
    session.commit()
    (row,) = [t for t in tasks.list_tasks(session, instance_id=iid) if t.task_spec == "form_panel"]
    return row.id


def test_bureau_keeps_the_pool_and_draws_a_dazu_panel(roles, db_session: Session, sim, clerk) -> None:  # type: ignore[no-untyped-def]
    bureau = roles("bureau_dazu")
    page = bureau.page

    # the pool beside the directory: search by field, add a person, mark an expert unavailable
    bureau.open("/admin/experts", "专家库", "陈光明", "正高级工程师", "重庆文理工程学院", "暂不可用")
    page.fill("#q", "化工工艺")
    page.click("button:has-text('查找')")
    listed = page.inner_text("table.admin-list")
    assert "化工工艺" in listed and "乌鲁木齐" not in listed
    page.goto(bureau.base + "/admin/experts")
    page.click("button:has-text('加入专家库')")
    assert "请选择专家本人" in page.inner_text("#expert-person-error")
    page.select_option("#expert-person", label="秦晓峰 · 重庆文理工程学院")
    page.fill("#expert-title", "副教授")
    page.fill("#expert-fields", "新材料、硅基材料")
    page.click("button:has-text('加入专家库')")
    page.wait_for_url("**/admin/experts/*")
    bureau.check("已将该人员加入专家库", "秦晓峰", "重庆文理工程学院")
    page.check("#expert-unavailable")
    page.fill("#expert-until", "2026-12-31")
    page.fill("#expert-note", "出差三个月")
    page.click("button:has-text('保存')")
    bureau.check("已保存专家信息")
    page.goto(bureau.base + "/admin/experts?q=秦晓峰")
    bureau.check("暂不可用，至 2026-12-31")
    bureau.open("/admin/experts", "秦晓峰", "胡春林")
    copy_for_readme(screenshot(page, "pool-admin-list"), "pool-admin-list")
    events = [e.event for e in audit.list_events(db_session, user="DAZU-E13")]
    assert "expert_created" in events and "expert_updated" in events

    task_id = _to_panel(db_session, sim)
    # the task page of a panel task leads to the draw; the policy minimum is shown before anything is drawn
    page.goto(f"{bureau.base}/tasks/{task_id}")
    page.wait_for_url(f"**/tasks/{task_id}/panel")
    bureau.check("政策要求", "专家组不少于 5 人，且人数为奇数。", "001 八(四)", "随机抽取")
    page.fill("#draw-size", "4")
    page.click("button:has-text('随机抽取')")
    assert "不少于 5 人" in page.inner_text("#draw-size-error")
    db_session.rollback()
    assert db_session.scalar(select(PanelDraw.id)) is None  # refused: nothing stored

    page.fill("#draw-size", "5")
    page.click("button:has-text('随机抽取')")
    bureau.check("已随机抽取专家组", "专家组成员", "回避名单", "抽取记录", "随机种子")
    # 回避: the issuer's expert, the one of the applicant DAZU-S1, the one of the issuer's affiliate, the absent
    excluded = page.inner_text("[data-jb-excluded]")
    for name, reason in (
        ("罗丽君", "与发榜方或申报单位为同一单位"),
        ("蒋德华", "与发榜方或申报单位为同一单位"),
        ("谭小红", "存在关联关系"),
        ("胡春林", "暂不可参加评审"),
        ("秦晓峰", "暂不可参加评审"),
    ):
        assert name in excluded and reason in excluded, (name, excluded)
    assert "DAZU-" not in page.inner_text(".task-form")  # names, never codes
    members = page.inner_text("[data-jb-members]")
    assert len(page.query_selector_all("[data-jb-members] tbody tr")) == 5
    screenshot(page, "pool-draw")
    copy_for_readme(screenshot(page, "pool-draw"), "pool-draw")

    # replace a declined expert: a reason is required; then drawn again from the remaining eligible experts
    db_session.rollback()
    draw = db_session.scalars(select(PanelDraw)).one()
    declined = json.loads(draw.members_json)[0]
    page.select_option("#replace-removed", value=declined)
    page.click("button:has-text('替换')")
    assert "请填写替换原因" in page.inner_text("#replace-reason-error")
    page.select_option("#replace-removed", value=declined)
    page.fill("#replace-reason", "本人出差，无法参加评审")
    page.fill("#replace-search", "重庆")  # the searchable list narrows as one types
    page.click("button:has-text('替换')")
    bureau.check("已替换专家", "本人出差，无法参加评审")
    after = page.inner_text("[data-jb-members]")
    assert after != members

    # or chosen by name from the searchable list of the remaining eligible experts
    db_session.rollback()
    second = json.loads(db_session.scalars(select(PanelDraw)).one().members_json)[1]
    options = page.eval_on_selector_all("#replace-chosen option", "os => os.map(o => o.textContent)")
    wanted = options[-1].split("（")[0]
    page.select_option("#replace-removed", value=second)
    page.fill("#replace-reason", "身体原因")
    page.check("input[name=how][value=chosen]")
    page.fill("#replace-search", wanted)
    shown = page.eval_on_selector_all("#replace-chosen option", "os => os.filter(o => !o.hidden).length")
    assert shown == 1 < len(options)
    page.select_option("#replace-chosen", label=options[-1])
    page.click("button:has-text('替换')")
    bureau.check(f"已替换专家，替补：{wanted}", "身体原因", "指定")
    assert wanted in page.inner_text("[data-jb-members]")
    screenshot(page, "pool-replaced")

    page.click("button:has-text('确认专家组并提交')")
    page.wait_for_url("**/tasks")
    bureau.check("已提交")
    db_session.rollback()
    iid = db_session.scalars(select(ProcessInstance.id).where(ProcessInstance.business_key == KEY)).one()
    flow = Flow(db_session, sim, "dazu", iid, KEY)
    assert flow.ready() == ["score"] * 5
    assert all(e["name"].startswith("expert_dazu") for e in flow.data["experts"])

    text = bureau.open(
        f"/instances/{iid}", "抽取记录", "已确认", "替换记录", "本人出差，无法参加评审", "结果一致", wanted
    )
    assert "expert_dazu" not in text  # the panel in the record and the history: names, never accounts
    screenshot(page, "pool-instance-record")
    copy_for_readme(screenshot(page, "pool-instance-record"), "pool-instance-record")
