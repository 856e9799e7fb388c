"""What Urumqi and Dazu people read on screens a walk through the demo found wrong, in Chromium and in Chinese:

- Urumqi's bureau, with fewer than three teams (000 §12(3)), reads the eligible units by name (not
  ``URUMQI-S1``) and goes on without an extension: the form's old closing date, long passed, is not refused;
- Urumqi's issuer registering the technology contract (002 五(二)6) reads the bounds of the registration date
  (not before the task book, not after today) before typing, not only after a refused submit;
- a Dazu case stopped because next year's holiday schedule is missing: the bureau's case page and the
  supervisor's dashboard name the failed step and say what is wrong in Chinese only — no exception class, no
  element id, no English half."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update
from werkzeug.security import generate_password_hash

from engine.models.user import User
from engine.users import add_user
from tests.browser.conftest import PASSWORD
from tests.browser.journey import Journey, ready_task_id
from tests.lifecycle.conftest import application, need, start, world  # noqa: F401 (fixtures)
from tests.lifecycle.drivers import REVIEW, end_of_publicity, implementing, to_approve
from tests.lifecycle.test_urumqi import to_contract

pytestmark = pytest.mark.browser

J = Journey("walk-urumqi-dazu", "urumqi")


def _fast_passwords(session: Any) -> None:
    fast = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    session.execute(update(User).values(password_hash=fast))
    session.commit()


def test_urumqi_bureau_goes_on_with_too_few_teams_reading_their_names(roles: Any, start, world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    _fast_passwords(world)
    flow = start("urumqi")
    flow.do("post_need", need(need_title="高寒风电叶片覆冰监测"))
    flow.do("recommend", {"recommended": "yes"})
    flow.do("need_review", REVIEW)
    flow.do("publish_list", {"list_published_on": "2026-05-06", "applications_close_on": "2026-06-05"})
    flow.at("2026-06-06T00:01:00+08:00")  # the window is over
    flow.do("collect_applications", {"applications": [application("URUMQI-S1", "URUMQI-P1")]})
    assert flow.ready() == ["few_teams"]

    bureau = roles("bureau_urumqi")
    bureau.open(f"/tasks/{ready_task_id(flow, 'few_teams')}", "揭榜团队不足", "000 §12(3)")
    eligible = bureau.page.inner_text("#f-count_view").strip()
    assert eligible == "乌鲁木齐揭榜单位1", eligible
    shown = [c for c in J.code.findall(bureau.page.inner_text("main")) if c != flow.key]
    assert not shown, f"codes shown: {shown}"
    # the date field still holds the window that closed; going on without an extension must not trip on it
    assert bureau.page.input_value("#f-applications_close_on") == "2026-06-05"
    bureau.page.select_option("#f-few_teams_choice", "proceed")
    bureau.page.fill("#f-few_teams_reason", "本领域具备条件的单位较少，继续评审")
    J.shot(bureau, "bureau-few-teams-proceed")
    bureau.page.click("button[name=action][value=submit]")
    bureau.page.wait_for_load_state("networkidle")
    bureau.check("已提交")
    flow.s.rollback()  # read what the page did
    assert flow.ready() == ["form_panel"]


def test_urumqi_bureau_extending_into_the_past_is_still_refused(roles: Any, start, world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    _fast_passwords(world)
    flow = start("urumqi")
    flow.do("post_need", need())
    flow.do("recommend", {"recommended": "yes"})
    flow.do("need_review", REVIEW)
    flow.do("publish_list", {"list_published_on": "2026-05-06", "applications_close_on": "2026-06-05"})
    flow.at("2026-06-06T00:01:00+08:00")
    flow.do("collect_applications", {"applications": [application("URUMQI-S1", "URUMQI-P1")]})

    bureau = roles("bureau_urumqi")
    bureau.open(f"/tasks/{ready_task_id(flow, 'few_teams')}", "揭榜团队不足")
    bureau.page.select_option("#f-few_teams_choice", "extend")
    bureau.page.fill("#f-few_teams_reason", "延长两周")
    bureau.page.click("button[name=action][value=submit]")
    bureau.page.wait_for_load_state("networkidle")
    error = bureau.page.inner_text("#f-applications_close_on-error")
    assert "延长后的截止日期 2026-06-05 已过（今天是 2026-06-06）" in error, error
    bureau.check("表单有误，尚未提交")
    flow.s.rollback()
    assert flow.ready() == ["few_teams"]


def test_a_case_stopped_for_a_missing_holiday_schedule_reads_in_chinese(roles: Any, start, world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    _fast_passwords(world)
    flow = start("dazu")
    to_approve(flow)
    # approved at the end of the year: the publicity's 5 working days run into a year not loaded yet
    flow.at("2026-12-29T09:00:00+08:00")
    flow.do("approve", {"approval": "approve"})
    flow.s.commit()
    assert flow.info()["status"] == "error"

    bureau = roles("bureau_dazu")
    bureau.open(f"/instances/{flow.id}", "出错待处理")
    notice = bureau.page.inner_text("p.notice-error")
    assert "计算公示截止时间" in notice and "2027 年的法定节假日和调休安排尚未载入" in notice, notice
    for leak in ("CalendarMissing", "set_window", "The 2027", "schedule"):
        assert leak not in notice, f"{leak!r} shown to the bureau: {notice}"
    J.shot(bureau, "bureau-case-error")

    add_user(world, "supervisor", roles=["supervisor"])
    _fast_passwords(world)
    supervisor = roles("supervisor")
    supervisor.open("/dashboard", "监控总览")
    row = supervisor.page.locator("#table-failed tbody tr").first.inner_text()  # the one failed case
    assert "计算公示截止时间" in row and "尚未载入" in row, row
    for leak in ("CalendarMissing", "set_window", "The 2027"):
        assert leak not in row, f"{leak!r} on the dashboard: {row}"


def test_urumqi_issuer_reads_the_registration_date_bounds_before_typing(roles: Any, start, world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    _fast_passwords(world)
    flow = start("urumqi")
    to_contract(flow)
    due = datetime.fromisoformat(end_of_publicity(flow))
    flow.at((due + timedelta(hours=10)).isoformat())
    flow.do("sign_contract", {"period_months": 24, "ip_ownership": "发榜方", "disbursement_plan": "50/50"})
    flow.at((due + timedelta(days=3, hours=10)).isoformat())  # the issuer comes to it three days later
    opened = flow.data["opened_on"]
    today = (due + timedelta(days=3, hours=10)).date().isoformat()

    issuer = roles("issuer_urumqi")
    issuer.open(f"/tasks/{ready_task_id(flow, 'register_contract')}", "技术合同登记")
    rule = issuer.page.inner_text("#f-contract_reg_date-rule0")
    assert f"不早于立项日期（{opened}），不晚于今天（{today}）" in rule, rule
    assert "002 五(二)6" in rule, rule
    J.shot(issuer, "issuer-registration-date-bounds")


def test_the_holiday_schedule_page_names_who_imported_a_year(roles: Any, world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    fast = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    add_user(world, "clerk_dazu", roles=["bureau"], jurisdiction="dazu", display_name="大足区科技局 张敏")
    world.execute(update(User).where(User.username == "clerk_dazu").values(password_hash=fast))
    world.commit()

    clerk = roles("clerk_dazu")
    clerk.open("/admin/calendar/", "节假日安排")
    schedule = "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-08,holiday,春节\n"
    clerk.page.set_input_files(
        "#calendar-file",
        files=[{"name": "2027年节假日安排.csv", "mimeType": "text/csv", "buffer": schedule.encode()}],
    )
    clerk.page.get_by_role("button", name="预览").click()
    clerk.page.wait_for_load_state("networkidle")
    clerk.page.get_by_role("button", name="确认导入").click()
    clerk.page.wait_for_load_state("networkidle")
    clerk.check("已导入 2027 年的节假日安排")
    row = clerk.page.locator("#years tbody tr", has_text="2027").first.inner_text()
    assert "导入文件 2027年节假日安排.csv（大足区科技局 张敏）" in row, row
    assert "clerk_dazu" not in row, row
    J.shot(clerk, "bureau-calendar-imported-by")


def test_a_reminder_whose_date_has_passed_is_not_shown_as_overdue(roles: Any, start, world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from engine import reminders
    from engine.clock import get_clock

    _fast_passwords(world)
    flow = implementing(start, "urumqi")
    now = get_clock(world).now()
    for days, zh in (
        (-1, "实施期已于昨天结束，请在期满后 30 日内提出验收申请"),
        (10, "里程碑将于 10 天后到期"),
    ):
        reminders.add(
            world,
            project=flow.key,
            jurisdiction="urumqi",
            roles=["bureau"],
            kind="period_end" if days < 0 else "milestone",
            subject_zh=zh,
            subject_en="reminder",
            due_at=now + timedelta(days=days),
        )
    world.commit()

    bureau = roles("bureau_urumqi")
    bureau.open("/tasks", "提醒")
    passed = bureau.page.locator("li[data-reminder=period_end]").inner_text()
    assert "已到期" in passed and "已逾期" not in passed, passed
    assert bureau.page.locator("li[data-reminder=period_end] .overdue").count() == 0
    coming = bureau.page.locator("li[data-reminder=milestone]").inner_text()
    assert "剩余 10 天" in coming, coming
    J.shot(bureau, "bureau-reminders-passed-and-coming")
