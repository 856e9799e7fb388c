"""A bureau clerk draws the task book of a running Dazu project on the instance page and downloads it; the
supervisor reads the monitor in one language, with names, exports it to Excel, and reads an instance's
history in words (issue 14 §3, §4)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import update
from werkzeug.security import generate_password_hash

from engine.models.user import User
from engine.users import add_user
from tests.browser.conftest import PASSWORD, copy_for_readme, screenshot
from tests.lifecycle.conftest import start, world  # noqa: F401 (fixtures)
from tests.lifecycle.drivers import implementing


def _people(world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    add_user(world, "supervisor_all", roles=["supervisor"], jurisdiction=None, display_name="督查员王静")
    world.execute(
        update(User)
        .where(User.username.in_(("bureau_dazu", "supervisor_all")))
        .values(password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"))
    )
    world.execute(update(User).where(User.username == "bureau_dazu").values(display_name="大足科技局李明"))
    world.commit()


def test_clerk_draws_task_book_and_supervisor_exports(roles: Any, start, world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    flow = implementing(start, "dazu")
    _people(world)
    clerk = roles("bureau_dazu")
    clerk.open(f"/instances/{flow.id}", "文书", "尚未生成文书。")
    clerk.page.select_option("#document-kind", "task_book")
    clerk.page.click("#documents button[type=submit]")
    clerk.page.wait_for_load_state("networkidle")
    clerk.check("已生成《揭榜挂帅项目任务书》第 1 版。", "揭榜挂帅项目任务书", "第 1 版", "下载 PDF")
    shot = screenshot(clerk.page, "documents-instance-page")
    copy_for_readme(shot, "documents-instance-page")
    with clerk.page.expect_download() as download:
        clerk.page.click("#documents a:has-text('下载 PDF')")
    assert download.value.suggested_filename.endswith(".pdf")
    assert open(download.value.path(), "rb").read(4) == b"%PDF"

    boss = roles("supervisor_all")
    text = boss.open(
        "/monitor/?jurisdiction=dazu", "流程监控", "大足", "导出 Excel", shot="documents-monitor-list"
    )
    assert "Key" not in text and "Process monitor" not in text  # one language at a time
    with boss.page.expect_download() as download:
        boss.page.click("a:has-text('导出 Excel')")
    sheet = load_workbook(BytesIO(open(download.value.path(), "rb").read())).active
    keys = [row[1] for row in list(sheet.iter_rows(values_only=True))[1:]]
    assert keys == [flow.key]
    text = boss.open(
        f"/monitor/instances/{flow.id}", "办理经过", "发起流程", "办理完成", "生成文书", "大足科技局李明"
    )
    assert "task_completed" not in text and '"contract_fen"' not in text  # words; the raw data stays folded
    shot = screenshot(boss.page, "documents-monitor-instance")
    copy_for_readme(shot, "documents-monitor-instance")
    english = boss.open(
        f"/monitor/instances/{flow.id}?lang=en", "What happened", "Started", "Drew a document"
    )
    assert "办理经过" not in english
