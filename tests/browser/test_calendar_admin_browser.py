"""An administrator in Chromium: sees the banner that next year's holiday schedule is missing, imports it from a
file with a preview, sees the banner go and the instance that had failed for the missing year resumed by the
import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from engine import instances
from tests.browser.conftest import PASSWORD, screenshot, sign_in
from tests.publicity_demo import approved_publicity

pytestmark = pytest.mark.browser

SCHEDULE_2027 = (
    "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,workday,春节调休\n"
    "2027-02-08,holiday,春节\n2027-02-09,holiday,春节\n"
)


def _approved_publicity(
    session: Session, deploy: Any, sim: Any, *, at: str, key: str, days: int, unit: str
) -> int:
    """An admin who signs in, and a publicity (tests/fixtures/basic) approved at ``at``: its window is computed
    then — with 2027 missing, a 5-working-day window from 28 December fails."""
    from engine.users import add_user

    fast = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    add_user(session, "admin", roles=["admin"], password_hash=fast)
    add_user(session, "issuer1", roles=["issuer"], jurisdiction="urumqi")
    add_user(session, "bureau1", roles=["bureau"], jurisdiction="urumqi")
    deploy("basic")
    sim.set(at)
    inst_id, _state = approved_publicity(
        session, issuer="issuer1", bureau="bureau1", key=key, days=days, unit=unit
    )
    return inst_id


def test_admin_imports_next_year_and_the_failed_instance_moves_on(
    page: Any, live_app: str, db_session: Session, deploy, sim, calendar_loaded, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    inst_id = _approved_publicity(
        db_session,
        deploy,
        sim,
        at="2026-12-28T10:00:00+08:00",
        key="需求-2027-001",
        days=5,
        unit="working_days",
    )

    sign_in(page, live_app, "admin", "/tasks")
    banner = page.locator("#calendar-banner")
    assert "2027 年的放假和调休安排尚未导入" in banner.inner_text()
    banner.get_by_role("link", name="去导入").click()
    page.wait_for_load_state("networkidle")
    assert "需求-2027-001" in page.locator("#failures").inner_text()
    screenshot(page, "calendar-missing-year")

    schedule = tmp_path / "2027年节假日安排.csv"
    schedule.write_text(SCHEDULE_2027, encoding="utf-8")
    page.set_input_files("#calendar-file", str(schedule))
    page.get_by_role("button", name="预览").click()
    page.wait_for_load_state("networkidle")
    preview = page.locator("#preview-2027").inner_text()
    assert "工作日放假 3 天，周末调休上班 1 天" in preview and "春节调休" in preview
    screenshot(page, "calendar-preview")
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_load_state("networkidle")
    main = page.inner_text("main")
    assert "已导入 2027 年的节假日安排" in main
    assert page.locator("#calendar-banner").count() == 0
    # the import resumed the instance by itself: no retry left to press
    assert "因缺少 2027 年节假日安排而中断的 1 个实例已自动恢复运行" in main
    assert page.locator("#no-failures").is_visible() and page.locator("#retry-all").count() == 0
    screenshot(page, "calendar-imported-and-resumed")
    assert not page.js_errors  # type: ignore[attr-defined]
    db_session.rollback()
    db_session.expire_all()
    info = instances.describe(db_session, inst_id)
    # 12-28..12-31 are 4 working days, 2027-01-01 and 02-08/09 are off: the 5th working day is 2027-01-04
    assert info["status"] == "running" and info["data"]["publicity_end"] == "2027-01-05T00:00:00+08:00"


def test_admin_advances_the_simulated_clock_and_a_publicity_window_closes(
    page: Any, live_app: str, db_session: Session, deploy, sim, calendar_loaded
) -> None:  # type: ignore[no-untyped-def]
    inst_id = _approved_publicity(
        db_session, deploy, sim, at="2026-09-28T10:00:00+08:00", key="公示-2026-018", days=7, unit="days"
    )

    sign_in(page, live_app, "admin", "/tasks")
    banner = page.locator("#clock-banner")
    assert "2026-09-28 10:00" in banner.inner_text()
    banner.get_by_role("link", name="调整时钟").click()
    page.wait_for_load_state("networkidle")
    assert "公示-2026-018" in page.locator("#pending-timers").inner_text()
    screenshot(page, "clock-before")

    page.fill("#clock-amount", "7")
    page.select_option("select[name=unit]", "days")
    page.locator("#clock-advance").click()
    page.wait_for_load_state("networkidle")
    main = page.inner_text("main")
    assert "模拟时钟已调到 2026-10-05 10:00" in main and "1 个期限已到期并触发：公示-2026-018" in main
    assert "2026-10-05 10:00" in page.locator("#clock-banner").inner_text()
    assert page.locator("#no-timers").is_visible()
    screenshot(page, "clock-after")
    db_session.rollback()
    db_session.expire_all()
    assert instances.describe(db_session, inst_id)["status"] == "completed"
