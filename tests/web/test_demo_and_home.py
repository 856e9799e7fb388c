"""`jiebang demo load` and the start page, on the same database the engine uses."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from engine.models.instance import ProcessInstance
from web.app import create_app
from web.demo import load_demo


@pytest.mark.slow
def test_demo_load_is_idempotent_and_the_start_page_shows_it(
    db_session: Session, db_url: str, calendar_loaded, sim
) -> None:
    sim.set("2026-09-28T10:00:00+08:00")
    first = load_demo(db_session)
    assert first["started"] == 4
    second = load_demo(db_session)
    assert second["started"] == 0 and second["deployment"]["unchanged"] is True
    assert db_session.query(ProcessInstance).count() == 4

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "TESTING": True})
    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    assert "待办任务" in page and "publicity_demo" in page
    assert "DEMO-KARAMAY-001" in page  # Karamay and Zhangye wait at "prepare the notice"
    assert client.get("/healthz").json == {"status": "ok"}
