"""Real Chromium, as the demo solver ``solver_dazu`` (DAZU-S1): its application is refused by the eligibility check
(the issuer named as a partner, 000 §8) — the application list and the application page say so with the reason,
and the inbox has the notice."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.browser.conftest import DEMO_DAZU, copy_for_readme, demo_flow, screenshot
from tests.lifecycle.conftest import application

pytestmark = pytest.mark.browser

KEY = DEMO_DAZU


def test_solver_sees_why_its_application_was_refused(
    roles: Any, people: None, db_session: Session, sim: Any
) -> None:
    flow = demo_flow(db_session, sim)
    close = date.fromisoformat(flow.data["applications_close_on"]) + timedelta(days=1)
    flow.at(f"{close}T00:00:05+08:00")
    flow.do(
        "collect_applications",
        {"applications": [application("DAZU-S1", "DAZU-P1,DAZU-P2", partners="DAZU-ISS")]},
    )
    flow.s.commit()

    solver = roles("solver_dazu")
    text = solver.open("/my/applications", "未通过资格审查", "发榜方不得作为揭榜方的合作单位", "000 §8")
    assert "已提交，评审中" not in text
    copy_for_readme(screenshot(solver.page, "due-refused-application-zh"), "due-refused-application")
    solver.open(
        f"/my/applications/{KEY}", "贵单位的申请未通过资格审查，原因如下：", "发榜方不得作为揭榜方的合作单位"
    )
    solver.open(
        "/inbox",
        "揭榜申请未通过资格审查：",
        "原因：发榜方不得作为揭榜方的合作单位",
        shot="due-refused-inbox-zh",
    )
