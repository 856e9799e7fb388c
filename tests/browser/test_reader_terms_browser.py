"""Real Chromium, what a reader takes from a page: the public sees a notice's publicity period as the days it
covers, its last day included (not "00:00:00" of the next day), in Chinese and in English; a demo clerk sees
their own name in the page header, not their login."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_the_public_reads_the_last_day_of_a_publicity_period(roles, demo_data: Any) -> None:  # type: ignore[no-untyped-def]
    public = roles(None)
    # Urumqi: 7 calendar days from 28 Sep 10:00 end at 24:00 of 4 Oct; Dazu: 5 working days over National Day
    # end at 24:00 of 9 Oct (Asia/Shanghai)
    public.open("/portal/", "公示期", "公示截止（北京时间）")
    urumqi = public.page.locator("tr[data-notice='DEMO-URUMQI-001']")
    assert urumqi.locator("[data-notice-period]").inner_text() == "2026年9月28日至2026年10月4日（含）"
    assert urumqi.locator("[data-notice-end]").inner_text() == "2026年10月4日 24:00"
    dazu = public.page.locator("tr[data-notice='DEMO-DAZU-001']")
    assert dazu.locator("[data-notice-end]").inner_text() == "2026年10月9日 24:00"
    listed = public.page.inner_text("section.notices")
    assert "00:00:00" not in listed and "10月5日" not in listed and "10月10日" not in listed
    screenshot(public.page, "reader-portal-notices")

    notice = public.open(
        "/portal/notices/DEMO-DAZU-001", "公示期", "可在公示截止时间（北京时间 2026年10月9日 24:00）前提出"
    )
    assert public.page.inner_text("#notice-period") == "2026年9月28日至2026年10月9日（含）"
    assert public.page.inner_text("#notice-end") == "2026年10月9日 24:00 （北京时间）"
    assert "10月10日" not in notice and "00:00:00" not in notice
    screenshot(public.page, "reader-portal-notice")

    # the English page: the same days in its own terms, no Chinese date
    public.open("/portal/notices/DEMO-DAZU-001?lang=en", "Publicity period")
    period = public.page.inner_text("#notice-period")
    assert period == "2026-09-28 to 2026-10-09 (inclusive)", period
    assert public.page.inner_text("#notice-end").startswith("2026-10-09 24:00")
    assert not re.search(r"[年月日含]", period + public.page.inner_text("#notice-end"))
    screenshot(public.page, "reader-portal-notice-en")


@pytest.mark.parametrize(
    ("username", "shown"),
    [("bureau_dazu", "大足区科技局 张敏"), ("issuer_urumqi", "乌鲁木齐硅业股份有限公司 马晓燕")],
)
def test_a_demo_user_sees_their_name_in_the_header(roles, people: Any, username: str, shown: str) -> None:  # type: ignore[no-untyped-def]
    user = roles(username)
    user.open("/tasks")
    header = user.page.locator("#header-user")
    assert header.inner_text() == shown
    assert username not in user.page.inner_text("header")
    assert header.get_attribute("title") in ("科技局", "发榜单位")  # the role by its name, not its code
    screenshot(user.page, f"reader-header-{username}")
