"""Real Chromium, issue 15 item 3: a panel member scores both applicants on the scoring page and submits; his
sheet lands in the review_sheet table (not in the workflow data), and once the panel has scored, the bureau's
select step shows the ranking and the history shows each member's scoring — as before the table, in Chinese
and in English (000 §12(4), 001 八(四))."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from engine import instances, review_sheets, tasks
from tests.browser.conftest import PASSWORD, screenshot
from tests.web.assign_case import AssignCase, build, ready, scores

pytestmark = pytest.mark.browser

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def case(db_session: Session, sim: Any, calendar_loaded: None) -> AssignCase:
    return build(db_session, sim, generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"))


def _shot(page: Any, name: str) -> None:
    screenshot(page, name)


def _fill_sheet(page: Any, rows: list[tuple[str, str]], opinion: str) -> None:
    for i, (score, comment) in enumerate(rows):
        page.fill(f"[name=scores-{i}-score]", score)
        page.fill(f"[name=scores-{i}-comment]", comment)
    page.fill("[name=opinion]", opinion)


def test_a_member_scores_and_the_bureau_reads_the_ranking_from_the_sheets(
    roles: Any, case: AssignCase, db_session: Session
) -> None:
    member = roles("e1")
    task = case.score_tasks["e1"]
    member.open(f"/tasks/{task}", "专家评分", "揭榜方", "得分（资质、可行性、满意度等）", "总体意见")
    assert member.page.locator("fieldset[data-jb-row=scores]").count() == 2  # one row per candidate
    _fill_sheet(member.page, [("91.5", "工艺路线成熟"), ("72", "验证数据不足")], "建议优先支持揭榜单位1")
    _shot(member.page, "scores-1-expert-scoring-zh")
    member.page.click("form[data-jb-task-form] button.primary")
    member.page.wait_for_load_state("networkidle")
    member.check("已提交")

    db_session.rollback()
    (sheet,) = review_sheets.sheets(db_session, "DAZU-AS-1", ["e1"]).values()
    assert sheet.opinion == "建议优先支持揭榜单位1"
    assert [(s.solver, s.score_tenths, s.comment) for s in sheet.scores] == [
        ("DAZU-S1", 915, "工艺路线成熟"),
        ("DAZU-S2", 720, "验证数据不足"),
    ]
    data = instances.describe(db_session, case.scoring)["data"]
    assert "工艺路线成熟" not in str(data) and "建议优先支持" not in str(data)

    # the same page in English for the next member (English texts only; names as people wrote them)
    second = roles("e2")
    second.open(f"/tasks/{case.score_tasks['e2']}?lang=en", "Expert scoring", "Overall opinion")
    _fill_sheet(second.page, [("80", "Mature route"), ("75", "")], "Both are feasible")
    _shot(second.page, "scores-2-expert-scoring-en")
    labels = " ".join(second.page.locator("form label, form legend").all_inner_texts())
    assert not CHINESE.search(labels), labels
    second.page.click("form[data-jb-task-form] button.primary")
    second.page.wait_for_load_state("networkidle")
    for expert in ("e3", "e4", "e5"):
        tasks.complete(db_session, case.score_tasks[expert], actor=expert, data=scores(85, 65))
    db_session.commit()
    assert len(review_sheets.sheets(db_session, "DAZU-AS-1")) == 5

    (select,) = ready(db_session, case.scoring, "select")
    clerk = roles("bureau_dazu")
    text = clerk.open(
        f"/tasks/{select.id}", "专家评审排名", "评分专家数", "工艺路线成熟", "建议优先支持揭榜单位1"
    )
    ranking = clerk.page.locator("section.case-ranking tbody tr").all_inner_texts()
    # (91.5 + 80 + 85 × 3) / 5 = 85.3 and (72 + 75 + 65 × 3) / 5 = 68.4, each over five sheets
    assert [r.split("\t")[2:] for r in ranking] == [["85.3", "5"], ["68.4", "5"]], ranking
    assert "专家甲" in text
    _shot(clerk.page, "scores-3-bureau-review-summary-zh")
    clerk.open(f"/tasks/{select.id}?lang=en", "Expert ranking", "Both are feasible")
    headings = clerk.page.locator("section.case-ranking thead").inner_text()
    assert not CHINESE.search(headings), headings
    _shot(clerk.page, "scores-4-bureau-review-summary-en")
