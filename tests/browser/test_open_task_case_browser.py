"""Real Chromium, Chinese UI: Karamay's commissioned third party (第三方专业机构) has the task 提出建议名单并核定经费
总额 (003 §12(5)). From the task page it follows the link to the case and reads the case page — not "您不能查看
这个项目案卷" — with the case's summary and its open task. A third party of another jurisdiction still may not."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.browser.conftest import fast_passwords, screenshot
from tests.browser.journey import karamay_to_recommendation, ready_task_id
from tests.lifecycle.conftest import start, world  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def test_karamay_third_party_reads_the_case_of_its_open_task(roles: Any, start, world: Session) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    fast_passwords(world, "third_party_karamay", "third_party_dazu")
    flow = start("karamay")
    karamay_to_recommendation(flow)
    task_id = ready_task_id(flow, "third_party_recommend")

    third = roles("third_party_karamay")
    third.open(f"/tasks/{task_id}", "提出建议名单并核定经费总额")
    third.page.locator("p.crumbs a", has_text=flow.key).click()
    third.page.wait_for_load_state("networkidle")
    assert third.page.url.endswith(f"/instances/{flow.id}"), third.page.url
    text = third.check("高纯硅提纯关键技术", "待办环节", "提出建议名单并核定经费总额")
    assert "您不能查看这个项目案卷" not in text
    screenshot(third.page, "access2-karamay-third-party-case-page")

    # a third party of another jurisdiction still cannot open the case
    stranger = roles("third_party_dazu")
    response = stranger.page.goto(f"{stranger.base}/instances/{flow.id}")
    assert response is not None and response.status == 403
    stranger.check("您不能查看这个项目案卷")
