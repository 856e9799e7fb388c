"""The expert pool in the web: the directory's access policy (admin, or a bureau of the expert's jurisdiction),
clear refusals beside the field that store nothing, every change audited, forged requests refused."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models.audit import AuditEvent
from engine.models.domain import Organisation, Person
from engine.models.expert import Expert
from engine.users import add_user
from tests.web.conftest import login, post


@pytest.fixture
def directory(db_session: Session, web_users: dict[str, str]) -> None:
    db_session.add(
        Organisation(code="DAZU-EU", name="重庆文理工程学院", jurisdiction="dazu", kind="university")
    )
    db_session.add(
        Organisation(code="URU-EU", name="乌鲁木齐理工学院", jurisdiction="urumqi", kind="university")
    )
    for user, j in (("expert_a", "dazu"), ("expert_b", "urumqi")):
        add_user(db_session, user, roles=["expert"], jurisdiction=j)
    db_session.add(Person(code="DZ-E1", name="陈光明", organisation="DAZU-EU", username="expert_a"))
    db_session.add(Person(code="DZ-E2", name="刘晓燕", organisation="DAZU-EU", username=None))
    db_session.add(Person(code="UR-E1", name="王建新", organisation="URU-EU", username="expert_b"))
    db_session.commit()


def _experts(db_session: Session) -> int:
    db_session.rollback()
    return db_session.scalar(select(func.count()).select_from(Expert)) or 0


def test_bureau_adds_edits_and_marks_an_expert_unavailable(
    client: FlaskClient, directory, db_session
) -> None:  # type: ignore[no-untyped-def]
    login(client, "bureau_dazu")
    page = client.get("/admin/experts").get_data(as_text=True)
    assert "陈光明 · 重庆文理工程学院" in page and "王建新" not in page  # people of the own jurisdiction only
    refused = post(client, "/admin/experts", {"person": "DZ-E2", "title": "", "fields": ""})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "尚未关联账号" in body and "请填写职称" in body and "请填写至少一个专业领域" in body
    assert _experts(db_session) == 0
    made = post(client, "/admin/experts", {"person": "DZ-E1", "title": "教授", "fields": "新材料、化工工艺"})
    assert made.status_code == 302
    db_session.rollback()
    expert = db_session.scalars(select(Expert)).one()
    assert expert.jurisdiction == "dazu" and json.loads(expert.fields_json) == ["新材料", "化工工艺"]
    listed = client.get("/admin/experts?q=化工").get_data(as_text=True)
    assert "陈光明" in listed and "教授" in listed and "可参加评审" in listed

    path = f"/admin/experts/{expert.id}"
    bad = post(
        client,
        path,
        {"title": "教授", "fields": "新材料", "available": "0", "unavailable_until": "2020-01-01"},
    )
    assert bad.status_code == 422 and "日期已过" in bad.get_data(as_text=True)
    ok = post(
        client,
        path,
        {"title": "教授", "fields": "新材料", "available": "0", "unavailable_until": "2099-06-30"},
    )
    assert ok.status_code == 302
    db_session.rollback()
    db_session.refresh(expert)
    assert not expert.available and str(expert.unavailable_until) == "2099-06-30"
    assert "暂不可用，至 2099-06-30" in client.get("/admin/experts").get_data(as_text=True)
    db_session.rollback()
    events = db_session.scalars(
        select(AuditEvent).where(AuditEvent.subject == "DZ-E1").order_by(AuditEvent.id)
    )
    details = [(e.event, e.actor, json.loads(e.detail_json)) for e in events]
    assert [d[0] for d in details] == ["expert_created", "expert_updated"]
    assert details[1][1] == "bureau_dazu" and details[1][2]["available"] == [True, False]


def test_other_jurisdictions_and_other_roles_are_refused(
    client: FlaskClient, app, directory, db_session
) -> None:  # type: ignore[no-untyped-def]
    login(client, "bureau_urumqi")
    refused = post(client, "/admin/experts", {"person": "DZ-E1", "title": "教授", "fields": "新材料"})
    assert refused.status_code == 422 and "您管理的辖区" in refused.get_data(as_text=True)
    assert _experts(db_session) == 0
    db_session.add(Expert(person_code="DZ-E1", jurisdiction="dazu", title="教授", fields_json='["新材料"]'))
    db_session.commit()
    expert_id = db_session.scalars(select(Expert.id)).one()
    assert client.get(f"/admin/experts/{expert_id}").status_code == 403
    issuer = app.test_client()
    login(issuer, "issuer_urumqi")
    assert issuer.get("/admin/experts").status_code == 403


def test_a_forged_request_changes_nothing(client: FlaskClient, directory, db_session) -> None:  # type: ignore[no-untyped-def]
    login(client, "bureau_dazu")
    forged = client.post("/admin/experts", data={"person": "DZ-E1", "title": "教授", "fields": "新材料"})
    assert forged.status_code == 400
    assert _experts(db_session) == 0
