"""The supervisor opens the dashboard, sees the charts drawn in Chinese, clicks a bar and lands on the list
that bar counts (issue 14 §1)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import update
from werkzeug.security import generate_password_hash

from engine.models.user import User
from engine.users import add_user
from tests.browser.conftest import PASSWORD, copy_for_readme, screenshot
from tests.lifecycle.conftest import start, world  # noqa: F401 (fixtures)
from tests.lifecycle.drivers import implementing


def test_supervisor_clicks_a_bar_through_to_its_list(roles: Any, start, world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    implementing(start, "dazu")
    start("dazu")
    start("urumqi")
    add_user(world, "supervisor_all", roles=["supervisor"], jurisdiction=None, display_name="督查员王静")
    world.execute(
        update(User)
        .where(User.username == "supervisor_all")
        .values(password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"))
    )
    world.commit()
    boss = roles("supervisor_all")
    boss.open(
        "/dashboard",
        "监控总览",
        "各阶段在办实例",
        "各辖区实例状态",
        "资金收付：按辖区与年度",
        wait_for="body[data-dashboard-ready]",
    )
    for chart in ("chart-stages", "chart-statuses", "chart-money"):
        assert boss.page.get_attribute(f"#{chart}", "data-drawn") == "1", chart
        assert boss.page.locator(f"#{chart} canvas").count() >= 1
    labels = boss.page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('chart-statuses')).getOption().xAxis[0].data"
    )
    assert labels == ["大足", "乌鲁木齐"]  # names, not codes
    shot = screenshot(boss.page, "dashboard-supervisor")
    copy_for_readme(shot, "dashboard-supervisor")
    # the running Dazu bar: two running instances in Dazu (first category, first series "运行中")
    x, y = boss.page.evaluate(
        """() => {
            const el = document.getElementById('chart-statuses');
            el.scrollIntoView({block: 'center'});
            const chart = echarts.getInstanceByDom(el);
            const [px, py] = chart.convertToPixel({seriesIndex: 0}, [0, 1]);
            const box = el.getBoundingClientRect();
            return [box.left + px, box.top + py];
        }"""
    )
    boss.page.mouse.click(x, y)
    boss.page.wait_for_url(re.compile(r"/monitor/\?"))
    text = boss.check("流程监控", "共 2 个实例")
    assert "jurisdiction=dazu" in boss.page.url and "status=running" in boss.page.url
    assert "DAZU-T1" in text and "URUMQI" not in text


def test_heat_overlay_counts_on_the_diagram(roles: Any, start, world) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    implementing(start, "dazu")
    start("dazu")
    start("dazu")
    add_user(world, "supervisor_all", roles=["supervisor"], jurisdiction=None)
    world.execute(
        update(User)
        .where(User.username == "supervisor_all")
        .values(password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"))
    )
    world.commit()
    boss = roles("supervisor_all")
    boss.open("/dashboard", "按流程版本：在流程图上看各环节")
    boss.page.click("#table-versions a:has-text('各环节实例数')")
    boss.page.wait_for_selector("#diagram[data-import=ok]")
    boss.check("各环节实例数", "合计 3")
    # post_need lives in the needs stage (call activity stage_needs): the lifecycle shows the stage's badge
    stage = boss.page.locator("#diagram a.jb-heat-stage[data-element=stage_needs]")
    assert stage.inner_text() == "2"
    shot = screenshot(boss.page, "dashboard-heat-overlay")
    copy_for_readme(shot, "dashboard-heat-overlay")
    stage.click()
    boss.page.wait_for_url(re.compile(r"/monitor/\?"))
    boss.check("共 2 个实例")
