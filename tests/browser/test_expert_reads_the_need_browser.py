"""Real Chromium, as a drawn panel member of each jurisdiction: the scoring page shows, read-only and in Chinese,
what the challenge asked — its technical problem (技术难题) and its core indicators (核心技术指标) — beside the
candidates, so the expert scores against the need (000 §12(4), 001 八(四), 003 §12(5)); the expert's scoring
receives these as declared inputs (bpmn/shared/expert_scoring.bpmn), not the whole case."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models.task import HumanTask
from tests.browser.conftest import fast_passwords
from tests.lifecycle.conftest import start, world  # noqa: F401 (fixtures)
from tests.lifecycle.drivers import JURISDICTIONS, to_scoring

pytestmark = pytest.mark.browser

PROBLEM = "提纯工艺能耗高"
INDICATORS = "纯度 ≥ 99.9999%"


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
def test_the_expert_scores_with_the_problem_and_indicators_in_view(
    jurisdiction: str,
    start: Any,  # noqa: F811
    db_session: Session,
    roles: Any,
) -> None:
    flow = start(jurisdiction)
    experts = to_scoring(flow)
    fast_passwords(db_session, experts[0])
    task_id = db_session.scalars(
        select(HumanTask.id).where(
            HumanTask.instance_id == flow.id,
            HumanTask.task_spec == "score",
            HumanTask.assignee == experts[0],
            HumanTask.status == "ready",
        )
    ).one()
    expert = roles(experts[0])
    expert.open(f"/tasks/{task_id}", "专家评分")
    page = expert.page
    problem = page.locator("form [data-jb-field=problem_view]").inner_text()
    indicators = page.locator("form [data-jb-field=indicators_view]").inner_text()
    assert "技术难题" in problem and PROBLEM in problem, problem
    assert "核心技术指标" in indicators and INDICATORS in indicators, indicators
    assert "未填写" not in problem + indicators
    if jurisdiction == "dazu":
        expert.check(shot="expert-reads-the-need")
