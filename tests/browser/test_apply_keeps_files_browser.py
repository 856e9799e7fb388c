"""Real Chromium, as the demo solver ``solver_dazu`` (DAZU-S1) on a Dazu challenge's apply page: the partner list
offers neither its own unit (000 §8, 003 §8) nor 大足惩戒企业, a unit in a joint-punishment period (001 五(二)4,
八(八)). A forged choice of that unit is refused beside the field with the rule, and the solution document
chosen for that attempt is kept: the page shows it as uploaded and the next submission sends it without
choosing it again."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import DEMO_DAZU
from tests.browser.journey import apply_online

pytestmark = pytest.mark.browser

KEY = DEMO_DAZU


def test_a_refused_application_keeps_the_chosen_file(roles: Any, people: Any) -> None:
    solver = roles("solver_dazu")
    page = solver.page
    solver.open(f"/portal/challenges/{KEY}/apply", wait_for="[data-jb-people-ready]")
    partners = page.locator("[name=partners] option").all_inner_texts()
    assert "大足揭榜单位2" in partners
    assert "大足揭榜单位1" not in partners and "大足惩戒企业" not in partners

    # a forged partner: an option the list does not offer, added in the browser
    page.evaluate(
        "() => { const o = document.createElement('option'); o.value = 'DAZU-PUN'; o.text = 'x';"
        " document.querySelector('[name=partners]').append(o); o.selected = true; }"
    )
    text = apply_online(solver, ["DAZU-P1", "DAZU-P2"])
    assert "回执编号" not in text
    error = page.locator("#f-partners-error").inner_text()
    assert "“大足惩戒企业”不能作为合作单位：列入联合惩戒名单（惩戒期内），有不良信用记录" in error
    assert "001 五(一)5, 五(二)4, 八(八)" in error
    # what was entered is still there, the file included (not to be chosen again)
    assert page.input_value("[name=plan]") == "数字孪生建模与故障预测联合攻关"
    assert "已上传：方案书.pdf" in page.locator(".jb-files").inner_text()
    solver.check(shot="elig-apply-refused-partner-file-kept")

    # the partner corrected, no file chosen again: the application is sent with the kept document
    page.select_option("[name=partners]", [])
    page.check("input[name=pledge]")
    page.click("main form button.primary")
    page.wait_for_load_state("networkidle")
    assert "回执编号" in page.inner_text("main"), page.inner_text("main")
    solver.open(f"/my/applications/{KEY}", "方案书.pdf", "数字孪生建模与故障预测联合攻关")
    # sent: a fresh apply page starts empty again
    solver.open(f"/portal/challenges/{KEY}/apply", wait_for="[data-jb-people-ready]")
    assert not page.locator(".jb-files").count()
