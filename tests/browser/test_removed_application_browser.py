"""Real Chromium, as the demo solver ``solver_dazu`` (DAZU-S1): it applied online, and the bureau collected the
applications (受理揭榜申请) without it, listing another unit's offline application instead. The application list,
the application page and the inbox say that it was not put on the list and takes no further part; it no longer
counts among its unit's and members' applications (002 四(二))."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import applications
from engine.models.domain import Project
from engine.models.user import User
from tests.browser.conftest import DEMO_DAZU, DEMO_TEAMS, demo_flow
from tests.lifecycle.conftest import application

pytestmark = pytest.mark.browser

KEY = DEMO_DAZU


def test_solver_sees_that_the_bureau_left_its_application_off_the_list(
    roles: Any, people: None, db_session: Session, sim: Any
) -> None:
    flow = demo_flow(db_session, sim)
    me = db_session.scalars(select(User).where(User.username == "solver_dazu")).one()
    applications.submit(
        db_session, me, KEY, {"members": DEMO_TEAMS["DAZU-S1"], "plan": "方案", "pledge": True}
    )
    db_session.commit()
    close = date.fromisoformat(flow.data["applications_close_on"]) + timedelta(days=1)
    flow.at(f"{close}T00:00:05+08:00")
    flow.do("collect_applications", {"applications": [application("DAZU-S2", DEMO_TEAMS["DAZU-S2"])]})
    flow.s.commit()
    row = flow.s.scalars(select(Project).where(Project.code == f"{KEY}/DAZU-S1")).one()
    assert row.status == "removed"

    solver = roles("solver_dazu")
    text = solver.open("/my/applications", "未列入受理名单")
    assert "已提交，评审中" not in text
    solver.open(
        f"/my/applications/{KEY}",
        "未将贵单位的申请列入受理名单，该申请不再参加评审",
        shot="removed-application-zh",
    )
    solver.open("/inbox", "揭榜申请被移出受理名单：", shot="removed-application-inbox-zh")
    # the same page in English: English texts only (the unit's and the challenge's names stay as written)
    solver.open(f"/my/applications/{KEY}")
    solver.page.click("header button:has-text('English')")
    solver.page.wait_for_load_state("networkidle")
    text = solver.check(
        "Not on the bureau's list", "takes no further part in the review", shot="removed-application-en"
    )
    for chinese in ("受理名单", "评审", "状态"):
        assert chinese not in text, chinese
