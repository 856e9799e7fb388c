"""Real Chromium: a Dazu issuer's work queue reminds them of a milestone (001 八(七): issuer-led checks) through
its last day, "2027年3月31日 24:00"; on 1 April, the check not yet done, it is overdue in red; once the issuer has
done the check, the reminder is gone — it does not stay red for the 30 days reminders are kept (Chinese and
English UI)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.browser.conftest import fast_passwords, screenshot
from tests.lifecycle.conftest import start, world  # noqa: F401 (fixtures)
from tests.lifecycle.drivers import implementing

pytestmark = pytest.mark.browser

MILESTONE = {"title": "样机", "due_date": "2027-03-31", "indicators": "效率≥95%"}


def test_001_8_7_a_done_milestone_check_is_no_longer_overdue_in_the_queue(
    roles: Any,
    start,  # type: ignore[no-untyped-def]  # noqa: F811
    world: Session,  # noqa: F811
) -> None:
    flow = implementing(start, "dazu", milestones=[MILESTONE])
    fast_passwords(world, "issuer_dazu")
    flow.at("2027-03-17T08:00:00+08:00")  # 14 days before (reminder_days): the reminder is sent
    flow.s.commit()

    issuer = roles("issuer_dazu")
    title = flow.data["title"]
    # what is due, for which case, by when (24:00 of the milestone's day, as the pages say a deadline)
    issuer.open("/tasks", f"“{title}”的里程碑“样机”将于北京时间 2027年3月31日 24:00 到期", "剩余 14 天")
    reminder = issuer.page.locator("[data-reminder=milestone]")
    assert "overdue" not in (reminder.locator(".left").get_attribute("class") or "")
    screenshot(issuer.page, "reminder-milestone-before-zh")
    # the reminder names its case and opens it: the issuer took part in the case, so the policy lets them read it
    reminder.locator(".reminder-case a", has_text=title).click()
    issuer.page.wait_for_load_state("networkidle")
    assert issuer.page.url.endswith(f"/instances/{flow.id}"), issuer.page.url
    issuer.page.click("button[lang=en]")
    issuer.page.wait_for_load_state("networkidle")
    issuer.open("/tasks", f"Milestone “样机” of “{title}” is due by 2027-03-31 24:00 (Beijing time)")
    screenshot(issuer.page, "reminder-milestone-before-en")
    issuer.page.click("button[lang=zh-CN]")
    issuer.page.wait_for_load_state("networkidle")

    flow.at("2027-04-01T08:00:00+08:00")  # the day after: the check is due and not yet done
    assert flow.ready() == ["milestone_check"]
    flow.s.commit()
    # the reminder's date has come (neutral, not red): the check itself is the task in the queue below it
    issuer.open("/tasks", "2027年3月31日 24:00", "已到期")
    assert reminder.locator(".left.passed").count() == 1 and reminder.locator(".overdue").count() == 0
    screenshot(issuer.page, "reminder-milestone-overdue-zh")

    flow.do(
        "milestone_check", {"milestone_passed": "yes", "milestone_panel": "甲,乙,丙,丁,戊"}, role="issuer"
    )
    flow.s.commit()
    queue = issuer.open("/tasks", "待办任务")
    assert reminder.count() == 0, queue
    assert "样机" not in queue and "已逾期" not in queue
    screenshot(issuer.page, "reminder-milestone-done-zh")

    issuer.page.click("button[lang=en]")
    issuer.page.wait_for_load_state("networkidle")
    queue = issuer.open("/tasks", "Work queue")
    assert reminder.count() == 0 and "Overdue" not in queue and "样机" not in queue
    screenshot(issuer.page, "reminder-milestone-done-en")
