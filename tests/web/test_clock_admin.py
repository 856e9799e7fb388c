"""The simulated clock in the browser's pages (training and demo deployments only): the banner on every page,
an administrator moving the clock and seeing the deadlines that fell due fire; nothing of it on a real clock."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from engine import instances, tasks
from engine.users import add_user
from tests.web.conftest import _FAST_HASH, csrf_token, login

NEED = {"title": "高温合金", "budget": "100", "pledge_unit": True}
APPROVE = {"decision": "approve", "reason": "符合条件"}


@pytest.fixture
def admin(db_session: Session) -> str:
    add_user(db_session, "admin", roles=["admin"], password_hash=_FAST_HASH)
    return "admin"


def _in_publicity(session: Session, users: dict[str, str]) -> int:
    """A publicity of 7 calendar days approved at 2026-09-28 10:00: it ends 2026-10-05 00:00 (Beijing)."""
    inst = instances.start_instance(
        session,
        "publicity_demo",
        business_key="公示-001",
        data={"jurisdiction": "urumqi", "publicity_days": 7, "publicity_unit": "days"},
    )
    for actor, data in ((users["issuer"], NEED), (users["bureau"], APPROVE)):
        (task,) = tasks.list_tasks(session, instance_id=inst.id)
        tasks.complete(session, task.id, actor=actor, data=data)
    return inst.id


def _move(client: FlaskClient, **data: str):  # type: ignore[no-untyped-def]
    payload = {"csrf_token": csrf_token(client, "/admin/clock/"), **data}
    return client.post("/admin/clock/", data=payload, follow_redirects=True)


def test_admin_advances_the_clock_and_the_publicity_window_closes(
    client: FlaskClient,
    web_users: dict[str, str],
    admin: str,
    db_session: Session,
    deploy,
    sim,
    calendar_loaded,
) -> None:  # type: ignore[no-untyped-def]
    deploy("basic")
    sim.set("2026-09-28T10:00:00+08:00")
    instance_id = _in_publicity(db_session, web_users)

    login(client, admin)
    page = client.get("/tasks").get_data(as_text=True)
    assert 'id="clock-banner"' in page and "2026-09-28 10:00" in page and "不是真实时间" in page
    clock_page = client.get("/admin/clock/").get_data(as_text=True)
    assert "公示-001" in clock_page and "2026年10月4日 24:00" in clock_page

    early = _move(client, action="advance", amount="3", unit="days").get_data(as_text=True)
    assert "模拟时钟已调到 2026-10-01 10:00" in early and "这段时间内没有期限到期" in early
    assert instances.describe(db_session, instance_id)["status"] == "running"

    late = _move(client, action="advance", amount="4", unit="days").get_data(as_text=True)
    assert "模拟时钟已调到 2026-10-05 10:00" in late and "1 个期限已到期并触发：公示-001" in late
    db_session.rollback()
    db_session.expire_all()
    info = instances.describe(db_session, instance_id)
    assert info["status"] == "completed" and info["timers"] == []
    assert 'id="no-timers"' in late


def test_bad_input_moves_nothing(
    client: FlaskClient, admin: str, db_session: Session, sim, calendar_loaded
) -> None:  # type: ignore[no-untyped-def]
    sim.set("2026-09-28T10:00:00+08:00")
    login(client, admin)
    for data, message in (
        ({"action": "advance", "amount": "0", "unit": "days"}, "1 到 1000 之间的整数"),
        ({"action": "advance", "amount": "abc", "unit": "days"}, "1 到 1000 之间的整数"),
        ({"action": "advance", "amount": "2", "unit": "centuries"}, "1 到 1000 之间的整数"),
        ({"action": "set", "to": "明天"}, "年-月-日 时:分"),
        ({"action": "set", "to": "2036-01-01T00:00"}, "最多调整 4 年"),
    ):
        answer = client.post(
            "/admin/clock/", data={"csrf_token": csrf_token(client, "/admin/clock/"), **data}
        )
        assert answer.status_code == 422 and message in answer.get_data(as_text=True), data
    assert sim.now().isoformat() == "2026-09-28T02:00:00+00:00"


def test_set_goes_to_the_given_beijing_time(client: FlaskClient, admin: str, sim, calendar_loaded) -> None:  # type: ignore[no-untyped-def]
    sim.set("2026-09-28T10:00:00+08:00")
    login(client, admin)
    page = _move(client, action="set", to="2026-12-31T23:30").get_data(as_text=True)
    assert "模拟时钟已调到 2026-12-31 23:30" in page
    assert sim.now().isoformat() == "2026-12-31T15:30:00+00:00"


def test_only_admins_and_only_on_a_simulated_clock(
    client: FlaskClient, web_users: dict[str, str], admin: str, monkeypatch: pytest.MonkeyPatch, sim
) -> None:  # type: ignore[no-untyped-def]
    login(client, web_users["bureau"])
    assert client.get("/admin/clock/").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/tasks")})

    monkeypatch.setenv("JIEBANG_SIMULATED_CLOCK", "0")
    login(client, admin)
    assert client.get("/admin/clock/").status_code == 404
    assert 'id="clock-banner"' not in client.get("/tasks").get_data(as_text=True)
