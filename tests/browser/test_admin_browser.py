"""An administrator in the browser: registers an organisation (refused first for a wrong 统一社会信用代码), a
person of it, an account linked to the person with a role chosen by its Chinese name; the new user signs in,
then the administrator disables the account and the user's open page falls back to the sign-in page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from engine.models.domain import Person
from engine.users import add_user
from tests.browser.conftest import PASSWORD, TIMEOUT_MS, screenshot, sign_in

USCC = "91650100MA70000004"
NEW_PASSWORD = "first password 2026"


def test_admin_sets_up_a_solver_and_disables_it(
    browser: Any, page: Any, live_app: str, db_session: Session
) -> None:
    add_user(
        db_session,
        "admin",
        roles=["admin"],
        display_name="系统管理员",
        password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"),
    )
    base = live_app
    sign_in(page, base, "admin", "/admin/organisations")
    assert page.url.endswith("/admin/organisations")

    page.fill("#org-code", "91650100MA70000005")
    page.fill("#org-name", "新疆硅材料研究院")
    page.select_option("#org-jurisdiction", label="乌鲁木齐")
    page.select_option("#org-kind", label="科研院所")
    page.click("button:has-text('登记单位')")
    error = page.inner_text("#org-code-error")
    assert "统一社会信用代码校验位不正确" in error
    assert page.get_attribute("#org-code", "aria-invalid") == "true"
    screenshot(page, "admin-organisation-invalid-uscc")

    page.fill("#org-code", USCC)
    page.click("button:has-text('登记单位')")
    page.wait_for_url("**/admin/organisations/*")
    assert "已登记单位“新疆硅材料研究院”（91650100MA70000004）" in page.inner_text("body")
    screenshot(page, "admin-organisation-created")

    page.click("text=为该单位登记人员")
    page.fill("#person-code", "XJ-P001")
    page.fill("#person-name", "王工程师")
    assert page.input_value("#person-organisation") == USCC  # preselected from the organisation's page
    page.click("button:has-text('登记人员')")
    page.wait_for_url("**/admin/people/*")
    person_url = page.url
    assert "已登记人员“王工程师”" in page.inner_text("body")

    page.goto(f"{base}/admin/users")
    page.fill("#new-username", "wang.xj")
    page.fill("#new-display-name", "王工程师")
    page.fill("#new-password", NEW_PASSWORD)
    page.click("button:has-text('创建账号')")
    page.wait_for_url("**/admin/users/wang.xj")
    page.select_option("#grant-role", label="揭榜单位")
    page.select_option("#grant-jurisdiction", label="乌鲁木齐")
    page.click("button:has-text('授予角色')")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("[data-grant='solver@urumqi']").split() == ["揭榜单位", "乌鲁木齐", "撤销"]

    page.goto(person_url)
    page.fill("#person-username", "wang.xj")
    page.click("button:has-text('保存')")
    page.wait_for_load_state("networkidle")
    assert "已保存人员信息。" in page.inner_text("body")
    db_session.rollback()
    linked = db_session.scalars(select(Person).where(Person.code == "XJ-P001")).one()
    assert (linked.organisation, linked.username) == (USCC, "wang.xj")
    page.goto(f"{base}/admin/users/wang.xj")
    assert "王工程师" in page.inner_text("section:has(h2:has-text('关联人员'))")
    screenshot(page, "admin-user-with-role")

    solver_context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    solver_context.set_default_timeout(TIMEOUT_MS)
    solver = solver_context.new_page()
    try:
        solver.goto(f"{base}/login?next=/tasks")
        solver.fill("input[name=username]", "wang.xj")
        solver.fill("input[name=password]", NEW_PASSWORD)
        solver.press("input[name=password]", "Enter")
        solver.wait_for_url("**/tasks")
        assert "王工程师" in solver.inner_text("header")

        page.once("dialog", lambda dialog: dialog.accept())
        page.click("button:has-text('停用账号')")
        page.wait_for_load_state("networkidle")
        assert "已停用账号 wang.xj，其登录会话已全部结束。" in page.inner_text("body")
        assert page.inner_text("[data-account-state]") == "已停用"
        screenshot(page, "admin-user-disabled")

        solver.reload()
        solver.wait_for_load_state("networkidle")
        assert "/login" in solver.url and "请先登录" in solver.inner_text("body")
        screenshot(solver, "admin-disabled-user-signed-out")
    finally:
        solver_context.close()
    page.goto(f"{base}/admin/users?q=wang")
    screenshot(page, "admin-users-list")
