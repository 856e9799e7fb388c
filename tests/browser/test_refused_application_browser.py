"""Real Chromium, as the demo solver ``solver_dazu`` (DAZU-S1): it applied online, then a serious dishonesty record
of its unit was entered; the bureau records the application received (a unit that applied may be recorded, the
pickers refuse only units that never did) and the eligibility check refuses it (000 §10) — the application list
and the application page say so with the reason, and the inbox has the notice."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import applications
from engine.models.domain import CreditRecord
from engine.models.user import User
from tests.browser.conftest import DEMO_DAZU, copy_for_readme, demo_flow, screenshot
from tests.lifecycle.conftest import application

pytestmark = pytest.mark.browser

KEY = DEMO_DAZU


def test_solver_sees_why_its_application_was_refused(
    roles: Any, people: None, db_session: Session, sim: Any
) -> None:
    flow = demo_flow(db_session, sim)
    me = db_session.scalars(select(User).where(User.username == "solver_dazu")).one()
    applications.submit(db_session, me, KEY, {"members": "DAZU-P1,DAZU-P2", "plan": "方案", "pledge": True})
    db_session.add(
        CreditRecord(
            subject="DAZU-S1", kind="serious_dishonesty", recorded_on=date(2026, 9, 28), source="信用中国"
        )
    )
    db_session.commit()
    close = date.fromisoformat(flow.data["applications_close_on"]) + timedelta(days=1)
    flow.at(f"{close}T00:00:05+08:00")
    flow.do("collect_applications", {"applications": [application("DAZU-S1", "DAZU-P1,DAZU-P2")]})
    flow.s.commit()

    solver = roles("solver_dazu")
    text = solver.open("/my/applications", "未通过资格审查", "揭榜方近三年内有严重失信或违法记录", "000 §10")
    assert "已提交，评审中" not in text
    copy_for_readme(screenshot(solver.page, "due-refused-application-zh"), "due-refused-application")
    solver.open(
        f"/my/applications/{KEY}",
        "贵单位的申请未通过资格审查，原因如下：",
        "揭榜方近三年内有严重失信或违法记录",
    )
    solver.open(
        "/inbox",
        "揭榜申请未通过资格审查：",
        "原因：揭榜方近三年内有严重失信或违法记录",
        shot="due-refused-inbox-zh",
    )
