"""A solver's own pages: its applications and projects, money received, requests checked by the instance's
policy numbers before they are sent (003 §19, 001 八(八)), and reminders of its own projects in its queue."""

from __future__ import annotations

from datetime import date, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models.event import InstanceEvent
from engine.models.user import User
from tests.lifecycle import conftest as lifecycle
from tests.lifecycle.conftest import Flow
from tests.lifecycle.drivers import implementing
from tests.web.conftest import _FAST_HASH, login, post

world = lifecycle.world
start = lifecycle.start


def _can_sign_in(session: Session, *names: str) -> None:
    for name in names:
        session.scalar(select(User).where(User.username == name)).password_hash = _FAST_HASH


def _messages(flow: Flow, name: str) -> int:
    flow.s.commit()  # a fresh snapshot: the web app wrote in its own session
    rows = flow.s.scalars(
        select(InstanceEvent).where(
            InstanceEvent.instance_id == flow.id, InstanceEvent.kind == "message_received"
        )
    )
    return sum(1 for e in rows if f'"message": "{name}"' in (e.data_json or ""))


def _project(db_session: Session, start) -> Flow:  # type: ignore[no-untyped-def]
    flow = implementing(start, "dazu")  # DAZU-S1 selected; solver_dazu is linked to DAZU-S1
    _can_sign_in(db_session, "solver_dazu", "solver_urumqi", "bureau_dazu")
    db_session.commit()
    return flow


def test_solver_sees_its_application_and_project_with_money_received(
    client: FlaskClient, db_session: Session, start
) -> None:  # type: ignore[no-untyped-def]
    flow = _project(db_session, start)
    login(client, "solver_dazu")
    page = client.get("/my/applications").get_data(as_text=True)
    assert f'data-application="{flow.key}"' in page and "已入选" in page
    page = client.get("/my/projects").get_data(as_text=True)
    assert f'data-project="{flow.key}"' in page
    # 001 十(二): the fiscal money (450,000 元, the first 50% of 900,000) goes to the 需求单位, not the solver;
    # the solver receives the issuer's 40% prepayment, in 元 with separators
    assert "450,000.00" not in page
    assert "1,200,000.00" in page
    page = client.get(f"/my/projects/{flow.key}").get_data(as_text=True)
    assert "提交延期申请" in page and "1,200,000.00" in page and "450,000.00" not in page
    # names, never codes: the unit and the tranches of the ledger
    assert "大足揭榜单位1" in page and "DAZU-S1" not in page
    assert "首笔财政资金" not in page and "发榜方预付款" in page and ">prepayment<" not in page
    other = client.application.test_client()
    login(other, "solver_urumqi")  # another unit sees neither the project nor the application
    assert flow.key not in other.get("/my/projects").get_data(as_text=True)
    assert other.get(f"/my/projects/{flow.key}").status_code == 404
    assert other.get(f"/my/applications/{flow.key}").status_code == 404
    staff = client.application.test_client()
    login(staff, "bureau_dazu")  # the pages are the solver's
    assert staff.get("/my/projects").status_code == 403


def test_extension_is_checked_against_the_instance_policy_before_it_is_sent(
    client: FlaskClient, db_session: Session, start
) -> None:  # type: ignore[no-untyped-def]
    flow = _project(db_session, start)
    end = flow.data["period_end"]
    login(client, "solver_dazu")
    path = f"/my/projects/{flow.key}/requests/extension"
    form = f"/my/projects/{flow.key}"
    # ext_max_months of policy_dazu is 12 (001 八(八)): a longer extension than one calendar year is refused
    refused = post(client, path, {"days": "400", "reason": "设备到货延迟"}, token_from=form)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "延期最长 12 个月" in text and "001 八(八)" in text
    assert _messages(flow, "extension_request") == 0
    # 29 days before the end: ext_notice_days is 30 — refused, nothing sent, nothing changed
    last = date.fromisoformat(end[:10])
    flow.sim.set(f"{last - timedelta(days=29)}T09:00:00+08:00")
    db_session.commit()
    refused = post(client, path, {"days": "90", "reason": "设备到货延迟"}, token_from=form)
    text = refused.get_data(as_text=True)
    # the page no longer offers a request that cannot be admitted: it says why instead of a form
    assert (
        refused.status_code == 422 and 'id="extension-closed"' in text and 'id="extension-days"' not in text
    )
    assert "须在实施期届满 30 日前提出" in text and "现在只剩 29 日" in text
    assert _messages(flow, "extension_request") == 0 and flow.ready() == []
    # 31 days before the end: sent to the instance as its message; the bureau reviews it
    flow.sim.set(f"{last - timedelta(days=31)}T09:00:00+08:00")
    db_session.commit()
    sent = post(client, path, {"days": "90", "reason": "设备到货延迟"}, token_from=form)
    assert sent.status_code == 302
    assert _messages(flow, "extension_request") == 1 and flow.ready() == ["review"]
    page = client.get(form).get_data(as_text=True)
    assert "审核中" in page and "项目目前不受理延期申请" in page  # one request at a time
    again = post(client, path, {"days": "30", "reason": "再次申请"}, token_from=form)
    assert again.status_code == 409 and _messages(flow, "extension_request") == 1


def test_change_of_the_solver_is_refused_beside_the_field(
    client: FlaskClient, db_session: Session, start
) -> None:  # type: ignore[no-untyped-def]
    flow = _project(db_session, start)
    login(client, "solver_dazu")
    path, form = f"/my/projects/{flow.key}/requests/change", f"/my/projects/{flow.key}"
    refused = post(client, path, {"kind": "solver", "detail": "换成别的单位", "reason": "x"}, token_from=form)
    assert refused.status_code == 422 and 'data-error="change.kind"' in refused.get_data(as_text=True)
    assert _messages(flow, "change_request") == 0
    sent = post(
        client, path, {"kind": "leader", "detail": "负责人改为乙", "reason": "工作调动"}, token_from=form
    )
    assert sent.status_code == 302 and _messages(flow, "change_request") == 1


def test_milestone_reminder_reaches_the_solver_of_the_project_only(
    client: FlaskClient, db_session: Session, start
) -> None:  # type: ignore[no-untyped-def]
    """The reminder for the solver lane (001 八(七)) shows in the queue of the selected unit's users, through
    the access policy, though the solver does not read the whole challenge instance."""
    milestone = {"title": "样机", "due_date": "2027-03-31", "indicators": "效率≥95%"}
    flow = implementing(start, "dazu", milestones=[milestone])
    _can_sign_in(db_session, "solver_dazu", "solver_urumqi")
    db_session.commit()
    assert flow.at("2027-03-17T08:00:00+08:00") == 1
    db_session.commit()
    login(client, "solver_dazu")
    page = client.get("/tasks").get_data(as_text=True)
    assert 'data-reminder="milestone"' in page and "样机" in page
    assert "样机" in client.get(f"/my/projects/{flow.key}").get_data(as_text=True)
    other = client.application.test_client()
    login(other, "solver_urumqi")
    assert 'data-reminder="milestone"' not in other.get("/tasks").get_data(as_text=True)
