"""The inbox in the browser: an objection filed on the portal shows in the bureau's inbox (Chinese UI, strict
CSP), with the unread count in the menu; marking it read; the preferences page."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


def test_bureau_sees_an_objection_in_its_inbox_and_marks_it_read(roles: Any, demo_data: Any) -> None:
    public = roles(None)
    public.open("/portal/notices/DEMO-URUMQI-001")
    public.page.fill("#o-name", "王五")
    public.page.fill("#o-contact", "13800000000")
    public.page.fill("#o-text", "该单位与发榜方存在股权关联，不符合申报条件。")
    public.page.click("#objection button[type=submit]")
    public.page.wait_for_selector("[data-receipt]")
    receipt = public.page.inner_text("[data-receipt]")

    bureau = roles("bureau_urumqi")
    bureau.open("/", "消息")
    badge = bureau.page.locator("a[data-inbox] .badge")
    before = int(badge.inner_text())
    assert before >= 2  # the objection and the task to handle it
    text = bureau.open("/inbox", "收到异议", f"回执号 {receipt}", "待办任务", "全部标为已读", shot="inbox-zh")
    assert f"未读 {before} 条。" in text

    item = bureau.page.locator("li.unread", has_text="收到异议")
    item.locator("button", has_text="标为已读").click()
    bureau.page.wait_for_load_state("networkidle")
    assert bureau.page.locator("li.read", has_text="收到异议").count() == 1
    assert int(bureau.page.locator("a[data-inbox] .badge").inner_text()) == before - 1

    bureau.open(
        "/inbox/preferences", "通知设置", "电子邮件", "手机号码", "收到异议", shot="inbox-preferences-zh"
    )
    bureau.page.fill("#pref-email", "kjj@urumqi.example.cn")
    bureau.page.click("button[type=submit].primary")
    bureau.page.wait_for_load_state("networkidle")
    bureau.check("通知设置已保存。")
    assert bureau.page.input_value("#pref-email") == "kjj@urumqi.example.cn"
    for watched in (public, bureau):
        assert watched.problems == []
