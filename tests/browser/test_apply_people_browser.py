"""Real Chromium, as the demo solver ``solver_dazu`` (大足揭榜单位1) on a Dazu challenge's apply page: the page
does not carry the district's directory — only the people of its own unit. Choosing 大足揭榜单位2 as a partner
lists that unit's people at once (the picker script asks the server, behind the access policy), and the
application goes through with them. The server sends no one of a unit the solver may not pick as a partner (the
issuer, a unit in a joint-punishment period), whatever is asked."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import DEMO_DAZU
from tests.browser.journey import apply_online

pytestmark = pytest.mark.browser

APPLY = f"/portal/challenges/{DEMO_DAZU}/apply"
#: people of other units of the district (web.demo.load_organisations)
STRANGERS = ("大足研究员4", "大足研究员7", "大足发榜联络人", "大足失信研究员", "大足忙碌研究员")


def test_the_apply_page_sends_only_the_people_the_solver_may_pick(roles: Any, people: Any) -> None:
    solver = roles("solver_dazu")
    page = solver.page
    solver.open(APPLY, wait_for="[data-jb-people-ready]")
    source = page.content()
    assert "大足研究员1（大足揭榜单位1）" in source
    for name in STRANGERS:
        assert name not in source, name

    # a partner chosen: its people are listed without a reload
    page.select_option("[name=partners]", label="大足揭榜单位2")
    page.wait_for_selector(
        "[name=members] option[value='DAZU-P4'][data-jb-unit]:not([disabled])", state="attached"
    )
    page.wait_for_selector("[name=members][data-jb-people-ready]", state="attached")
    members = page.locator("[name=members] option:not([disabled])").all_inner_texts()
    assert "大足研究员4（大足揭榜单位2）" in members
    assert not any("大足揭榜单位3" in m or "发榜联络人" in m for m in members), members
    solver.check(shot="access2-apply-partner-people")

    # what the server answers the script: never the people of a unit the solver may not pick as a partner
    answer = page.evaluate(
        """(url) => fetch(url + '/people?unit=DAZU-ISS&unit=DAZU-PUN&unit=DAZU-S2',
                         {credentials: 'same-origin'}).then((r) => r.json())""",
        APPLY,
    )
    units = {p["unit"] for p in answer["people"]}
    assert units == {"DAZU-S1", "DAZU-S2"}, answer

    text = apply_online(solver, ["DAZU-P1", "DAZU-P4"])
    assert "回执编号" in text, text
