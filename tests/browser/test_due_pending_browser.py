"""A working-day due date in a year whose holiday schedule is not imported yet: instead of "—" the queue, the
task and the case say what it waits for ("待导入2027年节假日安排"), and staff who may import it get a link to
the holiday schedule page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from engine import instances
from engine.bundle import collect_paths
from engine.deploy import deploy_bundle
from engine.users import add_user
from tests.browser.conftest import PASSWORD, screenshot

pytestmark = pytest.mark.browser

BPMN = Path(__file__).resolve().parents[2] / "bpmn"


@pytest.fixture
def late_december(db_session: Session, sim: Any, calendar_loaded: Any) -> int:
    """A Dazu need posted on 28 December 2026: its post_need task counts working days into 2027 (not loaded)."""
    from web.demo import load_organisations

    fast = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    add_user(db_session, "issuer_dazu", roles=["issuer"], jurisdiction="dazu", password_hash=fast)
    add_user(db_session, "bureau_dazu", roles=["bureau"], jurisdiction="dazu", password_hash=fast)
    load_organisations(db_session)
    deploy_bundle(db_session, collect_paths([BPMN]))
    sim.set("2026-12-28T10:00:00+08:00")
    inst = instances.start_instance(
        db_session,
        "dazu_challenge",
        business_key="DAZU-2026-088",
        data={
            "jurisdiction": "dazu",
            "title": "钒钛磁铁矿综合利用",
            "issuer_code": "DAZU-ISS",
            "project_code": "DAZU-2026-088",
            "notice_call_closes": "2026-12-31T17:30:00+08:00",
        },
    )
    db_session.commit()
    return inst.id


def test_the_due_date_says_it_waits_for_the_2027_schedule(roles: Any, late_december: int) -> None:
    issuer = roles("issuer_dazu")
    issuer.open("/tasks", "DAZU-2026-088", "填报需求")
    due = issuer.page.locator("table.queue tbody tr", has_text="DAZU-2026-088").locator("td.due").inner_text()
    assert due.strip() == "待导入2027年节假日安排"  # the issuer cannot import it: no link
    issuer.page.locator("tr", has_text="DAZU-2026-088").locator("a", has_text="办理").first.click()
    issuer.page.wait_for_load_state("networkidle")
    issuer.check("期限：待导入2027年节假日安排", shot="due-pending-issuer-task")
    assert issuer.page.locator("main a", has_text="去导入").count() == 0

    clerk = roles("bureau_dazu")
    clerk.open(f"/instances/{late_december}", "待导入2027年节假日安排", shot="due-pending-bureau-case")
    clerk.page.locator("main a", has_text="去导入").first.click()
    clerk.page.wait_for_load_state("networkidle")
    assert "/admin/calendar" in clerk.page.url
    clerk.check("节假日安排")
    clerk.open(f"/instances/{late_december}?lang=en", "Awaiting the 2027 holiday schedule", "Import it")


def test_the_import_gives_the_waiting_task_its_due_date(
    roles: Any, late_december: int, tmp_path: Path
) -> None:
    """The bureau imports 2027 on the holiday schedule page; the issuer's task made before it, which said what it
    waited for, now has its due date in the queue (counted from when it became ready, 28 December)."""
    clerk = roles("bureau_dazu")
    clerk.open("/admin/calendar/", "节假日安排")
    schedule = tmp_path / "2027.csv"
    schedule.write_text(
        "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-08,holiday,春节\n", encoding="utf-8"
    )
    clerk.page.set_input_files("#calendar-file", str(schedule))
    clerk.page.get_by_role("button", name="预览").click()
    clerk.page.wait_for_load_state("networkidle")
    clerk.page.get_by_role("button", name="确认导入").click()
    clerk.page.wait_for_load_state("networkidle")
    clerk.check("已导入 2027 年的节假日安排")

    issuer = roles("issuer_dazu")
    issuer.open("/tasks", "DAZU-2026-088", "填报需求", shot="due-filled-after-import")
    due = issuer.page.locator("table.queue tbody tr", has_text="DAZU-2026-088").locator("td.due").inner_text()
    assert "待导入" not in due and "—" not in due
    # 10 working days from Monday 28 December (that day counts, POLICIES.md §6), 1 January off: through
    # Monday 11 January
    assert "2027年1月11日 24:00" in due, due


def test_the_race_plan_is_asked_for_once_the_issuer_ticks_race(roles: Any, late_december: int) -> None:
    """need_post (forms/FORMAT.md ``shown_when`` on a checkbox): 赛马 plan only while 拟采用赛马制 is ticked."""
    issuer = roles("issuer_dazu")
    issuer.open("/tasks", "DAZU-2026-088", "填报需求")
    issuer.page.locator("tr", has_text="DAZU-2026-088").locator("a", has_text="办理").first.click()
    issuer.page.wait_for_load_state("networkidle")
    plan = issuer.page.locator('[data-jb-field="race_plan"]')
    assert plan.is_hidden()
    issuer.page.check("#f-race_wanted")
    assert plan.is_visible()
    screenshot(issuer.page, "need-post-race-plan-shown")
    issuer.page.uncheck("#f-race_wanted")
    assert plan.is_hidden()
