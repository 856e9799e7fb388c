"""Real Chromium: a staff member claims a task and completes its form after a validation error (shown beside the
field, the other input kept); a member of the public files an objection to a publicity notice (after a
validation error) and gets a receipt number, and the bureau then sees the objection on the instance."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from engine import instances
from engine.models.domain import Person
from engine.models.instance import ProcessInstance
from engine.models.task import HumanTask
from engine.models.web import Objection
from tests.browser.conftest import PASSWORD, copy_for_readme, screenshot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def need_task(db_session: Session, sim, calendar_loaded, deploy) -> HumanTask:  # type: ignore[no-untyped-def]
    """tests/fixtures/basic deployed, an issuer in Urumqi, and an instance waiting at its first task `submit`."""
    from engine.users import add_user

    sim.set("2026-09-28T10:00:00+08:00")
    deploy("basic")
    fast = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    add_user(db_session, "issuer_urumqi", roles=["issuer"], jurisdiction="urumqi", password_hash=fast)
    db_session.add(
        Person(code="URUMQI-P-WLX", name="王立新", username="issuer_urumqi")
    )  # the account's holder
    inst = instances.start_instance(
        db_session,
        "publicity_demo",
        business_key="NEED-2026-001",
        data={"jurisdiction": "urumqi", "publicity_days": 7, "publicity_unit": "days"},
    )
    db_session.commit()
    return db_session.scalars(select(HumanTask).where(HumanTask.instance_id == inst.id)).one()


def test_staff_claims_and_completes_a_form_after_a_validation_error(
    page: Any, live_app: str, need_task: HumanTask, db_session: Session
) -> None:
    task_id, instance_id = need_task.id, need_task.instance_id
    assert need_task.task_spec == "submit" and need_task.assignee is None
    sign_in(page, live_app, "issuer_urumqi", "/tasks")
    page.goto(f"{live_app}/tasks")
    row = page.locator(f"tr[data-task='{task_id}']")
    assert "NEED-2026-001" in row.inner_text()
    screenshot(page, "staff-queue")

    row.locator("button", has_text="认领").click()
    page.wait_for_load_state("networkidle")
    row = page.locator(f"tr[data-task='{task_id}']")
    # the claimant by the name of the account's holder, the same in the queue and on the task page
    assert "王立新 已认领" in row.inner_text() and "issuer_urumqi" not in row.inner_text()
    assert row.locator("button", has_text="退回").count() == 1
    screenshot(page, "staff-queue-claimed")

    row.locator("a.button").click()
    page.wait_for_selector("form[data-jb-task-form]")
    assert page.url.endswith(f"/tasks/{task_id}")
    assert "认领人：王立新" in page.inner_text(".task-meta")
    screenshot(page, "staff-task-form")

    # first try: an amount with three decimals is not money; the other input must survive
    page.fill("input[name=title]", "高纯硅提纯关键技术需求")
    page.fill("input[name=budget]", "12.345")
    page.check("input[name=pledge_unit]")
    page.click("button[name=action][value=submit]")
    page.wait_for_selector("#f-budget-error")
    assert page.locator("#f-budget-error").is_visible()
    assert page.get_attribute("input[name=budget]", "aria-invalid") == "true"
    assert page.input_value("input[name=title]") == "高纯硅提纯关键技术需求"
    assert page.input_value("input[name=budget]") == "12.345"
    assert page.is_checked("input[name=pledge_unit]")
    assert page.locator("#f-title-error").count() == 0
    copy_for_readme(screenshot(page, "staff-task-error"), "staff-task-error")
    db_session.rollback()
    assert db_session.get(HumanTask, task_id).status == "ready"

    # corrected: the task leaves the queue and the instance moves on to the review
    page.fill("input[name=budget]", "500,000")
    page.click("button[name=action][value=submit]")
    page.wait_for_url(re.compile(r".*/tasks(\?.*)?$"))
    page.wait_for_load_state("networkidle")
    assert page.locator(f"tr[data-task='{task_id}']").count() == 0
    assert "已提交" in page.inner_text("body")
    screenshot(page, "staff-queue-after-submit")
    page.goto(f"{live_app}/tasks/{task_id}")  # the done task says who did it, by name
    done_by = page.inner_text("p.notice[role=alert]")
    assert done_by.startswith("此任务已由 王立新 于") and "issuer_urumqi" not in done_by, done_by
    screenshot(page, "staff-task-done-by-name")

    db_session.rollback()
    done = db_session.get(HumanTask, task_id)
    assert done.status == "completed" and done.completed_by == "issuer_urumqi"
    info = instances.describe(db_session, instance_id)
    assert info["data"]["title"] == "高纯硅提纯关键技术需求"
    assert info["data"]["budget"] == 50_000_000  # fen
    open_specs = [
        t.task_spec
        for t in db_session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id))
        if t.status == "ready"
    ]
    assert open_specs == ["review"]
    assert not page.js_errors, page.js_errors


OBJECTION_TEXT = "该单位与发榜方存在股权关联，不符合回避规定。"


def test_public_files_an_objection_and_the_bureau_sees_it(
    page: Any, browser: Any, live_app: str, demo_data: Any, db_session: Session
) -> None:
    key = "DEMO-URUMQI-001"
    iid = db_session.scalars(select(ProcessInstance.id).where(ProcessInstance.business_key == key)).one()

    # a member of the public, not signed in
    page.goto(f"{live_app}/portal/")
    notice_row = page.locator(f"tr[data-notice='{key}']")
    assert notice_row.count() == 1
    assert "2026年10月4日 24:00" in notice_row.inner_text()  # 7 days from 28 Sep end at 24:00 of 4 Oct
    copy_for_readme(screenshot(page, "portal-notices"), "portal-notices")

    notice_row.locator("a", has_text="提出异议").click()
    page.wait_for_selector("#objection form")
    screenshot(page, "portal-notice")

    page.fill("#o-name", "王五")
    page.fill("#o-contact", "13800000000")
    page.fill("#o-text", "")
    page.click("#objection button[type=submit]")
    page.wait_for_selector("#o-text-error")
    assert page.locator("#o-text-error").is_visible()
    assert page.get_attribute("#o-text", "aria-invalid") == "true"
    assert page.input_value("#o-name") == "王五" and page.input_value("#o-contact") == "13800000000"
    assert page.locator("#o-contact-error").count() == 0
    screenshot(page, "portal-objection-error")
    db_session.rollback()
    assert db_session.scalars(select(Objection)).all() == []

    page.fill("#o-text", OBJECTION_TEXT)
    page.click("#objection button[type=submit]")
    page.wait_for_selector("[data-receipt]")
    receipt = page.inner_text("[data-receipt]").strip()
    assert re.fullmatch(r"YY20260928-[0-9A-F]{8}", receipt), receipt
    copy_for_readme(screenshot(page, "portal-receipt"), "portal-receipt")
    db_session.rollback()
    assert db_session.scalars(select(Objection.receipt)).all() == [receipt]
    assert not page.js_errors, page.js_errors

    # the bureau of Urumqi, in a browser of its own, sees the objection and the task it created
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    context.set_default_timeout(20_000)
    try:
        staff = context.new_page()
        sign_in(staff, live_app, "bureau_urumqi", f"/instances/{iid}")
        staff.goto(f"{live_app}/instances/{iid}")
        objections = staff.inner_text("section.objections")
        assert receipt in objections and OBJECTION_TEXT in objections and "13800000000" in objections
        assert "处理异议" in staff.inner_text("main")
        copy_for_readme(screenshot(staff, "instance-objection"), "instance-objection")

        staff.click("a:has-text('处理异议')")
        staff.wait_for_selector("form[data-jb-task-form]")
        assert OBJECTION_TEXT in staff.inner_text("body")  # the objection shown to whoever decides on it
        screenshot(staff, "handle-objection-task")
        staff.select_option("select[name=objection_decision]", "continue")
        staff.fill("textarea[name=objection_reason]", "经核实，两家单位不存在股权关联。")
        staff.click("button[name=action][value=submit]")
        staff.wait_for_url(re.compile(r".*/tasks(\?.*)?$"))
    finally:
        context.close()

    # the objector looks the outcome up with the receipt number alone
    page.goto(f"{live_app}/portal/")
    page.get_by_role("link", name="凭回执编号查询异议处理结果").click()
    page.fill("#receipt-number", receipt.lower())
    page.get_by_role("button", name="查询").click()
    page.wait_for_selector("#receipt-status")
    assert page.inner_text("#receipt-state").strip() == "已处理：异议不成立，重新公示"
    assert page.inner_text("#receipt-reason") == "经核实，两家单位不存在股权关联。"
    assert "13800000000" not in page.inner_text("main")
    screenshot(page, "portal-receipt-lookup")
