"""The work queue: role-based listing, filters, search, pagination, claim/unclaim, due dates, 403."""

from __future__ import annotations

import re
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import instances
from engine.models.task import HumanTask
from tests.web.conftest import login, post


def _start(db_session: Session, n: int, jurisdiction: str, prefix: str) -> None:
    for i in range(n):
        instances.start_instance(
            db_session,
            "publicity_demo",
            business_key=f"{prefix}-{i:03d}",
            data={"jurisdiction": jurisdiction, "title": f"需求 {prefix} {i}"},
        )


def _rows(page: str) -> int:
    return page.count("<tr data-task=")


def test_roles_tasks_filters_search_and_pagination(
    client: FlaskClient, web_users: dict[str, str], db_session: Session, deploy, sim
) -> None:
    sim.set("2026-09-28T10:00:00+08:00")
    deploy("basic")
    _start(db_session, 27, "urumqi", "U")
    _start(db_session, 2, "dazu", "D")
    login(client, web_users["issuer"])

    first = client.get("/tasks").get_data(as_text=True)
    assert _rows(first) == 25 and "第 1 / 2 页，共 27 项" in first
    second = client.get("/tasks?page=2").get_data(as_text=True)
    assert _rows(second) == 2 and "D-000" not in first + second  # another jurisdiction's tasks

    found = client.get("/tasks?q=u-007").get_data(as_text=True)
    assert _rows(found) == 1 and "U-007" in found
    assert _rows(client.get("/tasks?q=需求 U 1").get_data(as_text=True)) == 11  # title: 1, 10–19
    assert _rows(client.get("/tasks?jurisdiction=dazu").get_data(as_text=True)) == 0
    assert _rows(client.get("/tasks?stage=review").get_data(as_text=True)) == 0
    assert _rows(client.get("/tasks?stage=submit&process=publicity_demo").get_data(as_text=True)) == 25
    assert _rows(client.get("/tasks?q=100%25").get_data(as_text=True)) == 0  # LIKE wildcards are escaped

    # the bureau holds no role for the issuer lane
    client2 = client.application.test_client()
    login(client2, web_users["bureau"])
    assert _rows(client2.get("/tasks").get_data(as_text=True)) == 0


def test_claim_and_unclaim(
    client: FlaskClient, web_users: dict[str, str], db_session: Session, deploy
) -> None:
    deploy("basic")
    _start(db_session, 2, "urumqi", "C")
    task = db_session.scalars(select(HumanTask).where(HumanTask.business_key == "C-001")).one()
    login(client, web_users["issuer"])
    assert _rows(client.get("/tasks?scope=mine").get_data(as_text=True)) == 0

    response = post(client, f"/tasks/{task.id}/claim", {"next": "/tasks?scope=mine"}, token_from="/tasks")
    assert response.status_code == 302 and response.location.endswith("/tasks?scope=mine")
    mine = client.get("/tasks?scope=mine").get_data(as_text=True)
    assert _rows(mine) == 1 and "C-001" in mine and "已认领任务" in mine and "退回" in mine
    # an account with no person and no display name is called by its jurisdiction and role on the task page
    meta = client.get(f"/tasks/{task.id}").get_data(as_text=True).split('<div class="task-meta">')[1]
    assert "认领人：乌鲁木齐发榜单位</span>" in meta.split("</div>")[0], meta

    other = client.application.test_client()
    from engine.users import add_user
    from tests.web.conftest import _FAST_HASH

    add_user(db_session, "issuer2", roles=["issuer"], jurisdiction="urumqi", password_hash=_FAST_HASH)
    login(other, "issuer2")
    refused = post(other, f"/tasks/{task.id}/claim", token_from="/tasks")
    assert refused.status_code == 302
    # the access policy: another issuer's claim puts the task out of issuer2's reach (not even who holds it)
    refusal = other.get("/tasks").get_data(as_text=True)
    told = re.search(r"您不能查看或办理这项任务[^<]*", refusal)
    assert told and "请联系科技局" in told.group(0)
    assert "issuer_urumqi" not in refusal and "issuer2" not in told.group(0)  # no account named

    post(client, f"/tasks/{task.id}/unclaim", token_from="/tasks")
    assert _rows(client.get("/tasks?scope=mine").get_data(as_text=True)) == 0
    db_session.rollback()
    assert db_session.get(HumanTask, task.id).assignee is None


def test_the_claimant_has_one_name_in_the_queue_and_on_the_task_page(
    client: FlaskClient, web_users: dict[str, str], db_session: Session, deploy
) -> None:
    from engine.models.domain import Person
    from engine.users import set_display_name

    deploy("basic")
    _start(db_session, 1, "urumqi", "N")
    set_display_name(db_session, web_users["issuer"], "乌鲁木齐示范企业 王立新")
    db_session.add(Person(code="P-WLX", name="王立新", username=web_users["issuer"]))
    db_session.commit()
    task = db_session.scalars(select(HumanTask).where(HumanTask.business_key == "N-000")).one()
    login(client, web_users["issuer"])
    post(client, f"/tasks/{task.id}/claim", {"next": "/tasks?scope=mine"}, token_from="/tasks")

    row = re.search(
        r'<tr data-task="[^"]+">.*?</tr>', client.get("/tasks?scope=mine").get_data(as_text=True), re.S
    )
    assert row and "王立新 已认领" in row.group(0) and "示范企业" not in row.group(0)
    meta = client.get(f"/tasks/{task.id}").get_data(as_text=True).split('<div class="task-meta">')[1]
    meta = meta.split("</div>")[0]
    assert "认领人：王立新</span>" in meta and "示范企业" not in meta and "issuer_urumqi" not in meta, meta


def test_due_date_and_time_left_red_when_overdue(
    client: FlaskClient, web_users: dict[str, str], db_session: Session, deploy, sim
) -> None:
    sim.set("2026-09-28T10:00:00+08:00")
    deploy("basic")
    _start(db_session, 2, "urumqi", "T")
    rows = db_session.scalars(select(HumanTask).order_by(HumanTask.business_key)).all()
    rows[0].due_at = sim.now() - timedelta(hours=5)
    rows[1].due_at = sim.now() + timedelta(days=2, hours=3)
    db_session.commit()
    login(client, web_users["issuer"])
    page = client.get("/tasks").get_data(as_text=True)
    assert 'class="left overdue">已逾期 5 小时 0 分' in page
    assert 'class="left ">剩余 2 天 3 小时' in page
    assert "2026年9月28日 05:00" in page  # shown in Asia/Shanghai, in the reader's terms
    assert "2026年9月30日 13:00" in page


def test_a_task_of_another_role_is_403(
    client: FlaskClient, web_users: dict[str, str], db_session: Session, deploy
) -> None:
    deploy("basic")
    _start(db_session, 1, "urumqi", "F")
    task = db_session.scalars(select(HumanTask)).one()
    login(client, web_users["solver"])
    response = client.get(f"/tasks/{task.id}")
    assert response.status_code == 403
    assert "无权访问" in response.get_data(as_text=True)
    assert post(client, f"/tasks/{task.id}", {"title": "x"}, token_from="/tasks").status_code == 403
    other = client.application.test_client()
    login(other, web_users["dazu"])  # the right role in another jurisdiction
    assert other.get(f"/tasks/{task.id}").status_code == 403
    assert other.get(f"/instances/{task.instance_id}").status_code == 403


def test_the_queue_exports_the_rows_of_every_page(
    client: FlaskClient, web_users: dict[str, str], db_session: Session, deploy, sim
) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    sim.set("2026-09-28T10:00:00+08:00")
    deploy("basic")
    _start(db_session, 27, "urumqi", "U")
    _start(db_session, 2, "dazu", "D")
    login(client, web_users["issuer"])
    assert "/tasks/export.xlsx" in client.get("/tasks").get_data(as_text=True)
    answer = client.get("/tasks/export.xlsx")
    assert answer.status_code == 200 and "attachment" in answer.headers["Content-Disposition"]
    header, *rows = list(load_workbook(BytesIO(answer.data)).active.iter_rows(values_only=True))
    assert header[:3] == ("任务", "业务编号", "流程")
    keys = sorted(r[1] for r in rows)
    assert keys == [f"U-{i:03d}" for i in range(27)]  # both pages, never another jurisdiction's tasks
    assert {r[3] for r in rows} == {"乌鲁木齐"}
    filtered = load_workbook(BytesIO(client.get("/tasks/export.xlsx?q=u-007").data)).active
    assert [r[1] for r in list(filtered.iter_rows(values_only=True))[1:]] == ["U-007"]
