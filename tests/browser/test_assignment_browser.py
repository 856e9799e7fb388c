"""Work assigned to people, in Chromium: two panel members each see only their own scoring, and a bureau clerk
reassigns a member's scoring to another expert with a reason, which the timeline shows."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from tests.browser.conftest import PASSWORD, copy_for_readme, screenshot
from tests.web.assign_case import AssignCase, build

pytestmark = pytest.mark.browser


@pytest.fixture
def case(db_session: Session, sim: Any, calendar_loaded: None) -> AssignCase:
    return build(db_session, sim, generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"))


def _score_rows(page: Any) -> int:
    return page.locator("table.queue tbody tr", has_text="专家评分").count()


def test_experts_see_their_own_scoring_and_the_bureau_reassigns(roles: Any, case: AssignCase) -> None:
    chair = roles("e1")
    chair.open("/tasks", "待办任务", "专家评分", "指派给 专家甲", shot="assign-1-expert-queue")
    assert _score_rows(chair.page) == 1
    assert "专家乙" not in chair.page.inner_text("table.queue")
    chair.open(f"/tasks/{case.score_tasks['e1']}", "专家评分", "指派给 专家甲")

    member = roles("e2")
    member.open("/tasks", "指派给 专家乙")
    assert _score_rows(member.page) == 1
    response = member.page.goto(member.base + f"/tasks/{case.score_tasks['e1']}")
    assert response is not None and response.status == 403  # another member's scoring: not even to look at

    clerk = roles("bureau_dazu")
    task = case.score_tasks["e3"]
    clerk.open(f"/tasks/{task}", "指派给 专家丙", "此任务由他人办理，您可以查看，不能办理。", "改派任务")
    page = clerk.page
    assert page.locator("form[data-jb-task-form]").count() == 0  # the clerk looks, but cannot score
    page.click("section.reassign button.primary")  # nothing chosen, no reason: told what is missing
    page.wait_for_load_state("networkidle")
    clerk.check(
        "请从列表中选择一位可以办理此任务的人员。", "请填写改派理由。", shot="assign-2-reassign-refused"
    )
    page.select_option("#reassign-to", label="专家己")
    page.fill("#reassign-reason", "专家丙与申报单位存在利益关系，申请回避")
    screenshot(page, "assign-3-reassign-form")
    page.click("section.reassign button.primary")
    page.wait_for_load_state("networkidle")
    clerk.check("已改派给 专家己", "指派给 专家己")
    shot = screenshot(page, "assign-4-reassigned")
    copy_for_readme(shot, "assign-reassigned")
    clerk.open(
        f"/instances/{case.scoring}",
        "改派给 专家己",
        "原办理人 专家丙",
        "专家丙与申报单位存在利益关系，申请回避",
    )
    copy_for_readme(screenshot(page, "assign-5-timeline"), "assign-timeline")

    # the same page in English: English texts only (names stay as people wrote them)
    clerk.open(f"/tasks/{case.score_tasks['e4']}")
    page.click("header button:has-text('English')")
    page.wait_for_load_state("networkidle")
    text = clerk.check(
        "Assigned to 专家丁", "Reassign the task", "Reason for the reassignment", shot="assign-7-english"
    )
    for chinese in ("改派", "指派给", "办理人", "理由"):
        assert chinese not in text, chinese

    spare = roles("e6")
    spare.open("/tasks", "专家评分", "指派给 专家己")
    copy_for_readme(screenshot(spare.page, "assign-6-new-assignee-queue"), "assign-new-assignee-queue")
    former = roles("e3")
    former.open("/tasks", "待办任务")
    assert _score_rows(former.page) == 0
