"""Due dates in the browser: a bureau clerk's work queue shows each task's due date in Beijing time, the overdue
one in red with "已逾期 N 天"; the task page shows it; the inbox has the overdue notice; the monitor's overdue filter
finds the instance (Chinese UI, strict CSP)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import instances
from engine.models.instance import ProcessInstance
from engine.models.task import HumanTask
from engine.simulation import move_clock
from tests.browser.conftest import copy_for_readme, screenshot

pytestmark = pytest.mark.browser


def _notice(session: Session, key: str, title: str) -> tuple[ProcessInstance, HumanTask]:
    inst = instances.start_instance(
        session,
        "publicity_demo",
        business_key=key,
        data={"jurisdiction": "urumqi", "title": title, "publicity_length": 7, "publicity_unit": "days"},
        actor="bureau_urumqi",
    )
    session.commit()
    task = session.scalar(select(HumanTask).where(HumanTask.instance_id == inst.id))
    assert task is not None
    return inst, task


def test_clerk_sees_due_dates_and_the_overdue_task_in_red(
    roles: Any, demo_data: Any, db_session: Session
) -> None:
    # Monday 28 September 10:00: "拟定公示" takes 5 working days (task_deadlines_urumqi.dmn) — the National Day
    # holiday (1–7 October) is skipped: 28, 29, 30 September, 8, 9 October → due through 9 October, i.e. stored
    # as 10 October 00:00 and read as "9 October 24:00" (engine.deadline_text), never as "10 October 00:00".
    old, late = _notice(db_session, "DUE-URUMQI-OLD", "逾期演示公示")
    assert late.due_at is not None and late.due_at.isoformat() == "2026-10-09T16:00:00+00:00"
    move_clock(db_session, by=timedelta(days=14))  # Monday 12 October: 2 days late, the bureau was told
    _fresh, new = _notice(db_session, "DUE-URUMQI-NEW", "期限内演示公示")

    clerk = roles("bureau_urumqi")
    clerk.open(
        "/",
        "期限",
        "2026年10月9日 24:00",
        "已逾期 2 天",
        "2026年10月16日 24:00",
        "剩余 4 天",
        shot="due-queue-zh",
    )
    due_cells = clerk.page.inner_text("table")
    assert "00:00" not in due_cells and "10月10日" not in due_cells and "10月17日" not in due_cells
    overdue = clerk.page.locator(f"tr[data-task='{late.id}'] .left.overdue")
    assert overdue.inner_text() == "已逾期 2 天"
    in_time = clerk.page.locator(f"tr[data-task='{new.id}'] .left")
    assert "overdue" not in (in_time.get_attribute("class") or "")
    red = overdue.evaluate("el => getComputedStyle(el).color")
    assert red != in_time.evaluate("el => getComputedStyle(el).color")
    red_channel, green, _blue = (int(c) for c in red[red.index("(") + 1 : -1].split(",")[:3])
    assert red_channel > 150 and green < 80  # red
    copy_for_readme(screenshot(clerk.page, "due-queue-zh"), "due-queue")

    task_page = clerk.open(
        f"/tasks/{late.id}", "期限", "2026年10月9日 24:00", "已逾期 2 天", shot="due-task-zh"
    )
    assert "10月10日" not in task_page and "2026-10-10" not in task_page
    case_page = clerk.open(f"/instances/{old.id}", "2026年10月9日 24:00", "已逾期 2 天", shot="due-case-zh")
    assert "2026-10-10" not in case_page and "10月10日" not in case_page

    text = clerk.open(
        "/inbox", "任务已逾期：拟定公示", "（逾期演示公示）", "逾期任务上报", shot="due-inbox-zh"
    )
    assert "“期限内演示公示”的任务“拟定公示 Prepare the notice”已于" not in text
    assert "已于北京时间 2026年10月9日 24:00 到期" in text, text
    copy_for_readme(screenshot(clerk.page, "due-inbox-zh"), "due-inbox")

    text = clerk.open("/monitor/?overdue=1", "DUE-URUMQI-OLD", shot="due-monitor-zh")
    assert "DUE-URUMQI-NEW" not in text

    # the English queue, all in English
    clerk.page.click("button[lang=en]")
    clerk.page.wait_for_load_state("networkidle")
    text = clerk.open(
        "/",
        "Due",
        "2026-10-09 24:00",
        "Overdue by 2 days",
        "2026-10-16 24:00",
        "4 d 14 h left",
        shot="due-queue-en",
    )
    assert "已逾期" not in text and "剩余" not in text and "2026-10-10" not in text
