"""`jiebang demo load` and the start page, on the same database the engine uses."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from engine.models.instance import ProcessInstance
from tests.web.conftest import login
from web.app import create_app
from web.demo import load_demo


@pytest.mark.slow
def test_demo_load_is_idempotent_and_the_start_page_shows_it(
    db_session: Session, db_url: str, calendar_loaded, sim
) -> None:
    sim.set("2026-09-28T10:00:00+08:00")
    first = load_demo(db_session)
    # 4 challenges at the start, 4 publicity demos, 1 challenge open for online applications
    assert first["started"] == 9 and first["organisations"] > 0
    second = load_demo(db_session)
    assert second["started"] == 0 and second["organisations"] == 0
    assert second["deployment"]["unchanged"] is True
    assert db_session.query(ProcessInstance).count() == 9
    keys = {i.process_key for i in db_session.query(ProcessInstance)}
    assert {"urumqi_challenge", "dazu_challenge", "karamay_challenge", "zhangye_challenge"} <= keys
    db_session.commit()

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "TESTING": True, "SECRET_KEY": "test"})
    client = app.test_client()
    assert client.get("/").location.endswith("/portal/")  # the public start page
    portal = client.get("/portal/").get_data(as_text=True)
    assert "DEMO-URUMQI-001" in portal and "DEMO-DAZU-001" in portal  # both are in publicity
    assert "DAZU-2026-002" in portal  # open for online applications
    login(client, "bureau_karamay", "demo12345")
    assert client.get("/").location.endswith("/tasks")
    page = client.get("/tasks").get_data(as_text=True)
    assert "待办任务" in page and "publicity_demo" in page
    assert "DEMO-KARAMAY-001" in page  # Karamay and Zhangye wait at "prepare the notice"
    assert "DEMO-ZHANGYE-001" not in page  # another jurisdiction
    assert client.get("/healthz").json == {"status": "ok"}
    solver = app.test_client()
    login(solver, "solver_dazu", "demo12345")
    form = solver.get("/portal/challenges/DAZU-2026-002/apply").get_data(as_text=True)
    assert "DAZU-S1" in form and "提交揭榜申请" in form
