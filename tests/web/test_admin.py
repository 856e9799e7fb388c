"""Administration in the browser: accounts and roles (admin of every jurisdiction only), organisations with a
valid 统一社会信用代码 and people (admin, or a bureau for its own jurisdiction). Each change is audited; each
refusal shows its reason beside the field and stores nothing."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models.audit import AuditEvent
from engine.models.auth import UserSession
from engine.models.domain import Organisation, Person
from engine.models.user import User
from engine.users import add_user
from tests.web.conftest import _FAST_HASH, PASSWORD, login, post

USCC = "91650100MA70000004"
OTHER_USCC = "12650000457000000Q"


@pytest.fixture
def admin(db_session: Session, web_users: dict[str, str]) -> str:
    add_user(db_session, "admin", roles=["admin"], password_hash=_FAST_HASH)
    return "admin"


def _audit(db_session: Session, event: str) -> list[dict]:
    db_session.rollback()
    rows = db_session.scalars(select(AuditEvent).where(AuditEvent.event == event).order_by(AuditEvent.id))
    return [{"actor": r.actor, "subject": r.subject, **json.loads(r.detail_json)} for r in rows]


def _count(db_session: Session, model: type) -> int:
    db_session.rollback()
    return db_session.scalar(select(func.count()).select_from(model)) or 0


def _org(db_session: Session, code: str, jurisdiction: str, name: str = "测试单位") -> Organisation:
    org = Organisation(code=code, name=name, jurisdiction=jurisdiction)
    db_session.add(org)
    db_session.commit()
    return org


# --- organisations -----------------------------------------------------------------------------------------


def test_admin_registers_an_organisation_with_a_valid_code(
    client: FlaskClient, admin: str, db_session: Session
) -> None:
    login(client, admin)
    page = client.get("/admin/organisations").get_data(as_text=True)
    assert "统一社会信用代码" in page and "乌鲁木齐" in page  # jurisdictions by name
    created = post(
        client,
        "/admin/organisations",
        {
            "code": " 91650100-ma70000004 ",
            "name": "新疆硅材料研究院",
            "jurisdiction": "urumqi",
            "kind": "institute",
        },
    )
    assert created.status_code == 302
    org = db_session.scalars(select(Organisation).where(Organisation.code == USCC)).one()
    # the region of the registered address defaults to the registration authority's (characters 3–8)
    assert (org.name, org.jurisdiction, org.kind, org.uscc, org.region) == (
        "新疆硅材料研究院",
        "urumqi",
        "institute",
        USCC,
        "650100",
    )
    shown = client.get(created.location).get_data(as_text=True)
    assert "已登记单位“新疆硅材料研究院”（91650100MA70000004）" in shown
    assert _audit(db_session, "organisation_created") == [
        {
            "actor": "admin",
            "subject": USCC,
            "name": "新疆硅材料研究院",
            "jurisdiction": "urumqi",
            "kind": "institute",
            "region": "650100",
        }
    ]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91650100MA70000005", "统一社会信用代码校验位不正确"),
        ("9165010", "统一社会信用代码应为 18 位，您填写了 7 位。"),
        ("91650100MA7000000I", "统一社会信用代码格式不正确"),
        ("", "请填写统一社会信用代码。"),
    ],
)
def test_an_invalid_code_is_refused_beside_the_field(
    client: FlaskClient, admin: str, db_session: Session, code: str, message: str
) -> None:
    login(client, admin)
    refused = post(
        client,
        "/admin/organisations",
        {"code": code, "name": "某公司", "jurisdiction": "urumqi", "kind": "enterprise"},
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="org-code-error"' in page and message in page.split('id="org-code-error"')[1].split("</p>")[0]
    assert 'value="某公司"' in page  # what was typed stays
    assert _count(db_session, Organisation) == 0 and _audit(db_session, "organisation_created") == []


def test_a_duplicate_code_is_refused_naming_the_registered_organisation(
    client: FlaskClient, admin: str, db_session: Session
) -> None:
    _org(db_session, USCC, "urumqi", "已登记公司")
    login(client, admin)
    refused = post(
        client,
        "/admin/organisations",
        {"code": USCC, "name": "重复公司", "jurisdiction": "dazu", "kind": "enterprise"},
    )
    assert refused.status_code == 422
    assert f"统一社会信用代码 {USCC} 已登记为“已登记公司”，同一单位不能重复登记。" in refused.get_data(
        as_text=True
    )
    assert _count(db_session, Organisation) == 1 and _audit(db_session, "organisation_created") == []


def test_english_messages(client: FlaskClient, admin: str) -> None:
    login(client, admin)
    post(client, "/lang/en", token_from="/admin/organisations")
    page = post(
        client, "/admin/organisations", {"code": "91650100MA70000005", "name": "", "jurisdiction": "urumqi"}
    ).get_data(as_text=True)
    assert "The check character of the unified social credit code is wrong" in page
    assert "Enter the name." in page and "Urumqi" in page and "统一社会信用代码" not in page


def test_a_bureau_administers_only_its_own_jurisdiction(
    client: FlaskClient, web_users: dict[str, str], db_session: Session
) -> None:
    own = _org(db_session, USCC, "urumqi", "乌鲁木齐单位")
    other = _org(db_session, OTHER_USCC, "dazu", "大足单位")
    login(client, web_users["bureau"])
    listing = client.get("/admin/organisations").get_data(as_text=True)
    assert "乌鲁木齐单位" in listing and "大足单位" not in listing
    assert "用户与角色" not in listing  # accounts are the administrator's

    changed = post(
        client,
        f"/admin/organisations/{own.id}",
        {"name": "乌鲁木齐新名", "jurisdiction": "urumqi", "kind": "enterprise"},
    )
    assert changed.status_code == 302
    assert _audit(db_session, "organisation_updated") == [
        {"actor": "bureau_urumqi", "subject": USCC, "name": ["乌鲁木齐单位", "乌鲁木齐新名"]}
    ]

    assert client.get(f"/admin/organisations/{other.id}").status_code == 403
    refused = post(
        client,
        f"/admin/organisations/{other.id}",
        {"name": "改名", "jurisdiction": "dazu", "kind": "enterprise"},
        token_from="/admin/organisations",
    )
    assert refused.status_code == 403 and "您不能管理“大足”的单位和人员" in refused.get_data(as_text=True)
    moved = post(
        client,
        f"/admin/organisations/{own.id}",
        {"name": "乌鲁木齐新名", "jurisdiction": "dazu", "kind": "enterprise"},
    )
    assert moved.status_code == 422 and "请选择您管理的辖区。" in moved.get_data(as_text=True)
    created = post(
        client,
        "/admin/organisations",
        {"code": "91110000600037341L", "name": "外地", "jurisdiction": "dazu", "kind": "enterprise"},
    )
    assert created.status_code == 422 and "请选择您管理的辖区。" in created.get_data(as_text=True)
    db_session.rollback()
    assert db_session.get(Organisation, other.id).name == "大足单位"  # type: ignore[union-attr]
    assert db_session.get(Organisation, own.id).jurisdiction == "urumqi"  # type: ignore[union-attr]
    assert len(_audit(db_session, "organisation_updated")) == 1

    assert client.get("/admin/users").status_code == 403
    for path in ("/admin/users", "/admin/users/solver_urumqi/roles"):
        assert (
            post(
                client,
                path,
                {"username": "x", "role": "admin", "jurisdiction": "urumqi"},
                token_from="/admin/organisations",
            ).status_code
            == 403
        )


# --- people ------------------------------------------------------------------------------------------------


def test_people_are_linked_to_an_organisation_and_an_account(
    client: FlaskClient, web_users: dict[str, str], db_session: Session
) -> None:
    _org(db_session, USCC, "urumqi", "乌鲁木齐单位")
    other = _org(db_session, OTHER_USCC, "dazu", "大足单位")
    login(client, web_users["bureau"])
    created = post(
        client,
        "/admin/people",
        {"code": "P-001", "name": "张工", "organisation": USCC, "username": web_users["solver"]},
    )
    assert created.status_code == 302
    person = db_session.scalars(select(Person).where(Person.code == "P-001")).one()
    assert (person.organisation, person.username) == (USCC, "solver_urumqi")
    assert _audit(db_session, "person_created") == [
        {
            "actor": "bureau_urumqi",
            "subject": "P-001",
            "name": "张工",
            "organisation": USCC,
            "username": "solver_urumqi",
        }
    ]

    for data, field, message in (
        ({"code": "P-001", "name": "李工", "organisation": USCC}, "person-code", "人员编号 P-001 已被使用。"),
        (
            {"code": "P-002", "name": "李工", "organisation": USCC, "username": "nobody"},
            "person-username",
            "账号 nobody 不存在",
        ),
        (
            {"code": "P-002", "name": "李工", "organisation": USCC, "username": "solver_urumqi"},
            "person-username",
            "账号 solver_urumqi 已关联人员“张工”",
        ),
        (
            {"code": "P-002", "name": "李工", "organisation": OTHER_USCC},
            "person-organisation",
            "请选择您管理的辖区内的单位。",
        ),
    ):
        refused = post(client, "/admin/people", data)
        page = refused.get_data(as_text=True)
        assert refused.status_code == 422 and message in page.split(f'id="{field}-error"')[1].split("</p>")[0]
    assert _count(db_session, Person) == 1

    theirs = Person(code="D-1", name="大足人员", organisation=other.code)
    db_session.add(theirs)
    db_session.commit()
    assert client.get(f"/admin/people/{theirs.id}").status_code == 403
    assert "大足人员" not in client.get("/admin/people").get_data(as_text=True)

    unlinked = post(
        client, f"/admin/people/{person.id}", {"name": "张工", "organisation": USCC, "username": ""}
    )
    assert unlinked.status_code == 302
    assert _audit(db_session, "person_updated")[-1]["username"] == ["solver_urumqi", None]


# --- accounts and roles ------------------------------------------------------------------------------------


def test_admin_creates_an_account_and_grants_a_role_by_name(
    client: FlaskClient, admin: str, db_session: Session
) -> None:
    login(client, admin)
    created = post(
        client,
        "/admin/users",
        {"username": "wang.solver", "display_name": "王工", "password": "a long password 1"},
    )
    assert created.status_code == 302 and created.location.endswith("/admin/users/wang.solver")
    page = client.get(created.location).get_data(as_text=True)
    assert "该账号还没有角色" in page and '<option value="solver">揭榜单位</option>' in page
    assert '<option value="urumqi">乌鲁木齐</option>' in page

    granted = post(
        client,
        "/admin/users/wang.solver/roles",
        {"role": "solver", "jurisdiction": "urumqi"},
        token_from=created.location,
    )
    assert granted.status_code == 302
    page = client.get(created.location).get_data(as_text=True)
    assert "已授予角色。" in page and "<td>揭榜单位</td><td>乌鲁木齐</td>" in page
    listing = client.get("/admin/users?q=王").get_data(as_text=True)
    assert "wang.solver" in listing and "揭榜单位（乌鲁木齐）" in listing and "bureau_dazu" not in listing

    revoked = post(
        client,
        "/admin/users/wang.solver/roles/revoke",
        {"role": "solver", "jurisdiction": "urumqi"},
        token_from=created.location,
    )
    assert revoked.status_code == 302
    db_session.rollback()
    user = db_session.scalars(select(User).where(User.username == "wang.solver")).one()
    assert user.display_name == "王工" and user.roles == []
    assert [e["subject"] for e in _audit(db_session, "user_created")][-1] == "wang.solver"
    assert _audit(db_session, "role_granted")[-1] == {
        "actor": "admin",
        "subject": "wang.solver",
        "role": "solver",
        "jurisdiction": "urumqi",
    }
    assert _audit(db_session, "role_revoked") == [
        {"actor": "admin", "subject": "wang.solver", "role": "solver", "jurisdiction": "urumqi"}
    ]


def test_account_refusals_are_shown_beside_the_field(
    client: FlaskClient, admin: str, db_session: Session
) -> None:
    login(client, admin)
    before = _count(db_session, User)
    for data, field, message in (
        (
            {"username": "bureau_dazu", "password": "a long password 1"},
            "new-username",
            "用户名 bureau_dazu 已被使用",
        ),
        ({"username": "有 空格", "password": "a long password 1"}, "new-username", "用户名须为 1–64 位字母"),
        ({"username": "li", "password": "short"}, "new-password", "密码需要 10–1024 个字符"),
    ):
        refused = post(client, "/admin/users", data)
        page = refused.get_data(as_text=True)
        assert refused.status_code == 422 and message in page.split(f'id="{field}-error"')[1].split("</p>")[0]
    assert _count(db_session, User) == before and _audit(db_session, "user_created")[-1]["subject"] == "admin"

    page_path = "/admin/users/solver_urumqi"
    bad = post(client, f"{page_path}/roles", {"role": "nope", "jurisdiction": "mars"}, token_from=page_path)
    text = bad.get_data(as_text=True)
    assert (
        bad.status_code == 422 and 'id="grant-role-error"' in text and 'id="grant-jurisdiction-error"' in text
    )
    self_disable = post(client, "/admin/users/admin/active", {"active": "0"}, token_from="/admin/users/admin")
    assert self_disable.status_code == 422 and "不能停用自己的账号。" in self_disable.get_data(as_text=True)
    mismatch = post(
        client,
        f"{page_path}/password",
        {"password": "new password 12", "password_again": "x"},
        token_from=page_path,
    )
    assert mismatch.status_code == 422 and "两次输入的密码不一致。" in mismatch.get_data(as_text=True)
    assert [e for e in _audit(db_session, "role_granted") if e["subject"] == "solver_urumqi"] == [
        {"actor": None, "subject": "solver_urumqi", "role": "solver", "jurisdiction": "urumqi"}
    ]  # only the fixture's grant
    db_session.rollback()
    assert db_session.scalars(select(User).where(User.username == "admin")).one().active


def _session_count(db_session: Session, username: str) -> int:
    db_session.rollback()
    user = db_session.scalars(select(User).where(User.username == username)).one()
    return (
        db_session.scalar(
            select(func.count())
            .select_from(UserSession)
            .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        )
        or 0
    )


def test_disabling_or_resetting_ends_the_users_sessions(
    app, client: FlaskClient, admin: str, web_users: dict[str, str], db_session: Session
) -> None:
    solver = app.test_client()
    login(solver, web_users["solver"])
    assert solver.get("/tasks").status_code == 200
    login(client, admin)
    path = "/admin/users/solver_urumqi"
    assert post(client, f"{path}/active", {"active": "0"}, token_from=path).status_code == 302
    assert _session_count(db_session, "solver_urumqi") == 0
    after = solver.get("/tasks")
    assert after.status_code == 302 and "/login" in after.location
    assert login(solver, web_users["solver"]).status_code != 302  # a disabled account cannot sign in
    assert _audit(db_session, "user_disabled")[-1] == {
        "actor": "admin",
        "subject": "solver_urumqi",
        "sessions_ended": 1,
    }
    assert "已停用" in client.get(path).get_data(as_text=True)

    assert post(client, f"{path}/active", {"active": "1"}, token_from=path).status_code == 302
    assert login(solver, web_users["solver"]).status_code == 302
    reset = post(
        client,
        f"{path}/password",
        {"password": "brand new pass 9", "password_again": "brand new pass 9"},
        token_from=path,
    )
    assert reset.status_code == 302 and _session_count(db_session, "solver_urumqi") == 0
    assert _audit(db_session, "password_changed")[-1]["subject"] == "solver_urumqi"
    assert login(solver, web_users["solver"], PASSWORD).status_code != 302
    assert login(solver, web_users["solver"], "brand new pass 9").status_code == 302


def test_display_name_change_is_audited(client: FlaskClient, admin: str, db_session: Session) -> None:
    login(client, admin)
    path = "/admin/users/issuer_urumqi"
    assert post(client, path, {"display_name": "发榜联络员"}).status_code == 302
    assert _audit(db_session, "user_updated") == [
        {"actor": "admin", "subject": "issuer_urumqi", "display_name": ["issuer_urumqi", "发榜联络员"]}
    ]
    empty = post(client, path, {"display_name": " "})
    assert (
        empty.status_code == 422
        and "姓名不能为空" in empty.get_data(as_text=True).split('id="display-name-error"')[1]
    )


def test_forms_need_the_csrf_token(client: FlaskClient, admin: str, db_session: Session) -> None:
    login(client, admin)
    for path, data in (
        ("/admin/organisations", {"code": USCC, "name": "x", "jurisdiction": "urumqi", "kind": "enterprise"}),
        ("/admin/users", {"username": "nocsrf", "password": "a long password 1"}),
        ("/admin/users/solver_urumqi/active", {"active": "0"}),
    ):
        assert client.post(path, data=data).status_code == 400
    assert _count(db_session, Organisation) == 0
    assert db_session.scalars(select(User).where(User.username == "solver_urumqi")).one().active


def test_a_uscc_held_by_a_unit_under_a_short_code_is_not_registered_twice(
    client: FlaskClient, admin: str, db_session: Session
) -> None:
    """000 §8: a legal person is one unit, whatever code the directory files it under (the demo's short codes)."""
    db_session.add(
        Organisation(
            code="URUMQI-ISS", uscc=USCC, region="650100", name="乌鲁木齐硅业", jurisdiction="urumqi"
        )
    )
    db_session.commit()
    login(client, admin)
    refused = post(
        client,
        "/admin/organisations",
        {"code": USCC, "name": "重复公司", "jurisdiction": "urumqi", "kind": "enterprise"},
    )
    assert refused.status_code == 422 and "已登记为“乌鲁木齐硅业”" in refused.get_data(as_text=True)
    assert _count(db_session, Organisation) == 1
