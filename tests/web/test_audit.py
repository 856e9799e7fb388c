"""The security audit trail: every sign-in, failed or refused sign-in, sign-out, expired session, download of
an application's file and change of users and roles leaves one row, with who, when, what and which client;
`jiebang audit` reads it."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import instances
from engine.bundle import collect_paths
from engine.deploy import deploy_bundle
from engine.errors import NotFound, ValidationFailed
from engine.models.audit import AuditEvent
from engine.models.task import HumanTask
from engine.users import add_user, revoke_role
from tests.web.conftest import _FAST_HASH, login, post

UPLOAD = Path(__file__).parent / "fixtures" / "upload"


def _events(db_session: Session) -> list[AuditEvent]:
    db_session.rollback()
    return list(db_session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def _new_events(db_session: Session, before: int) -> list[tuple[str, str | None, str | None]]:
    return [(e.event, e.actor, e.subject) for e in _events(db_session)[before:]]


def test_sign_ins_sign_outs_failures_and_expiry_are_audited(
    app: Flask,
    client: FlaskClient,
    web_users: dict[str, str],
    db_session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bureau = web_users["bureau"]
    before = len(_events(db_session))
    client.environ_base["REMOTE_ADDR"] = "192.0.2.44"
    login(client, bureau, "wrong")
    login(client, "my secret password", "wrong")  # typed into the name field: not kept
    login(client, bureau)
    post(client, "/logout", token_from="/tasks")
    login(client, bureau)
    later = datetime.now(UTC) + timedelta(hours=1)
    monkeypatch.setattr("engine.sessions.utcnow", lambda: later)
    assert client.get("/tasks").status_code == 302

    assert _new_events(db_session, before) == [
        ("login_failed", None, bureau),
        ("login_failed", None, None),
        ("login", bureau, bureau),
        ("logout", bureau, bureau),
        ("login", bureau, bureau),
        ("session_expired", bureau, bureau),
    ]
    rows = _events(db_session)[before:]
    assert json.loads(rows[1].detail_json) == {"unknown_user": True}
    assert json.loads(rows[-1].detail_json) == {"reason": "idle"}
    assert all(
        re.fullmatch(r"web:[0-9a-f]{64}", r.client or "") for r in rows
    )  # a keyed hash, not the address
    assert all("192.0.2.44" not in (r.client or "") + r.detail_json for r in rows)
    assert all(abs(r.at - datetime.now(UTC)) < timedelta(minutes=1) and r.at.tzinfo == UTC for r in rows)
    assert "my secret password" not in "".join(f"{r.subject}{r.detail_json}" for r in _events(db_session))


def test_a_refused_sign_in_is_audited(
    app: Flask, client: FlaskClient, web_users: dict[str, str], db_session: Session
) -> None:
    from web.ratelimit import Throttle

    app.config["LOGIN_THROTTLE_ACCOUNT"] = Throttle(limit=1, first_delay=600, max_delay=900, window=900)
    before = len(_events(db_session))
    login(client, web_users["bureau"], "wrong")
    login(client, web_users["bureau"])
    assert _new_events(db_session, before) == [
        ("login_failed", None, web_users["bureau"]),
        ("login_refused", None, web_users["bureau"]),
    ]
    assert json.loads(_events(db_session)[-1].detail_json) == {"blocked": "account"}


def test_downloading_an_application_file_is_audited(
    app: Flask, client: FlaskClient, web_users: dict[str, str], db_session: Session
) -> None:
    deploy_bundle(db_session, collect_paths([UPLOAD]))
    inst = instances.start_instance(
        db_session, "upload_demo", business_key="UP-9", data={"jurisdiction": "urumqi"}
    )
    task = db_session.scalars(select(HumanTask).where(HumanTask.instance_id == inst.id)).one()
    db_session.commit()
    login(client, web_users["issuer"])
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    lock = re.search(r'name="lock_version" value="(\d+)"', page)
    assert lock
    content = b"%PDF-1.4 plan and budget"
    data: dict[str, Any] = {
        "summary": "方案",
        "members-0-name": "张三",
        "lock_version": lock.group(1),
        "action": "submit",
        "report": (io.BytesIO(content), "方案.pdf", "application/pdf"),
    }
    assert post(client, f"/tasks/{task.id}", data).status_code == 302
    import hashlib

    sha = hashlib.sha256(content).hexdigest()
    before = len(_events(db_session))
    assert client.get(f"/instances/{inst.id}/files/{sha}").data == content
    assert (
        client.get(f"/instances/{inst.id}/files/{'0' * 64}").status_code == 404
    )  # nothing served, nothing logged
    rows = _events(db_session)[before:]
    assert [(r.event, r.actor, r.subject) for r in rows] == [
        ("file_download", web_users["issuer"], f"instance:{inst.id}/file:{sha}")
    ]
    assert json.loads(rows[0].detail_json) == {"name": "方案.pdf", "business_key": "UP-9"}


def test_user_and_role_changes_are_audited_in_their_own_transaction(db_session: Session) -> None:
    before = len(_events(db_session))
    with pytest.raises(ValidationFailed):
        add_user(db_session, "clerk", roles=["Bad Role"])
    db_session.rollback()
    with pytest.raises(NotFound):
        revoke_role(db_session, "nobody", "bureau")
    db_session.rollback()
    assert _new_events(db_session, before) == []  # refused changes leave no trace and no user

    add_user(db_session, "clerk", roles=["bureau", "expert"], jurisdiction="dazu", actor="admin")
    add_user(db_session, "clerk", roles=["bureau"], jurisdiction="dazu")  # nothing new: nothing recorded
    revoke_role(db_session, "clerk", "expert", jurisdiction="dazu", actor="admin")
    add_user(db_session, "clerk", roles=[], password_hash=_FAST_HASH, actor="admin")  # a new password
    assert _new_events(db_session, before) == [
        ("user_created", "admin", "clerk"),
        ("role_granted", "admin", "clerk"),
        ("role_granted", "admin", "clerk"),
        ("role_revoked", "admin", "clerk"),
        ("password_changed", "admin", "clerk"),
    ]
    details = [json.loads(e.detail_json) for e in _events(db_session)[before:]]
    assert details[1:] == [
        {"role": "bureau", "jurisdiction": "dazu"},
        {"role": "expert", "jurisdiction": "dazu"},
        {"role": "expert", "jurisdiction": "dazu"},
        {"sessions_ended": 0},
    ]


def test_cli_user_commands_are_audited_and_jiebang_audit_reads_them(
    jiebang, app: Flask, client: FlaskClient, web_users: dict[str, str], db_session: Session
) -> None:  # type: ignore[no-untyped-def]
    login(client, web_users["bureau"])
    assert jiebang("users", "add", "clerk", "--role", "bureau", "--jurisdiction", "dazu")[0] == 0
    code, _, err = jiebang("users", "set-password", "clerk", "--password-stdin", stdin="short\n")
    assert code == 2 and "10–1024 个字符" in err and "10–1024 characters" in err
    assert jiebang("users", "set-password", "clerk", "--password-stdin", stdin="a long pass phrase\n")[0] == 0
    assert (
        jiebang("users", "set-password", web_users["bureau"], "--password-stdin", stdin="bureau pass 2026\n")[
            0
        ]
        == 0
    )
    assert client.get("/tasks").status_code == 302  # the changed password ended the bureau's session
    assert jiebang("users", "disable", "clerk")[0] == 0
    listed = {u["user"]: u["active"] for u in json.loads(jiebang("users", "list", "--json")[1])}
    assert listed["clerk"] is False and listed[web_users["bureau"]] is True
    assert "clerk (已停用 disabled): bureau@dazu" in jiebang("users", "list")[1]
    assert jiebang("users", "enable", "clerk")[0] == 0
    assert jiebang("users", "revoke", "clerk", "--role", "bureau", "--jurisdiction", "dazu")[0] == 0
    code, _, err = jiebang("users", "revoke", "clerk", "--role", "bureau", "--jurisdiction", "dazu")
    assert code == 2 and "没有角色" in err and "does not hold" in err

    code, out, _ = jiebang("audit", "--user", "clerk", "--json")
    assert code == 0
    rows = json.loads(out)
    assert [r["event"] for r in rows] == [  # newest first
        "role_revoked",
        "user_enabled",
        "user_disabled",
        "password_changed",
        "role_granted",
        "user_created",
    ]
    assert all(r["client"].startswith("cli:") and r["subject"] == "clerk" for r in rows)
    assert rows[0]["detail"] == {"role": "bureau", "jurisdiction": "dazu"}
    bureau = json.loads(jiebang("audit", "--user", web_users["bureau"], "--json")[1])
    assert bureau[0]["event"] == "password_changed" and bureau[0]["detail"] == {"sessions_ended": 1}
    assert bureau[1]["event"] == "login"

    future = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    assert json.loads(jiebang("audit", "--since", future, "--json")[1]) == []
    code, out, _ = jiebang("audit", "--user", "clerk")
    assert code == 0 and "role_revoked" in out and "actor=-" in out
    code, _, err = jiebang("audit", "--since", "2026-13-01T00:00")
    assert code == 2 and "ISO 8601" in err


def test_api_tokens_created_and_revoked_are_audited(db_session: Session, web_users: dict[str, str]) -> None:
    from engine import api_tokens

    add_user(db_session, "root", roles=["admin"])
    before = len(_events(db_session))
    created = api_tokens.create_token(db_session, web_users["issuer"], "nightly export")
    api_tokens.revoke_token(db_session, created.token.id, actor="root")
    api_tokens.revoke_token(db_session, created.token.id, actor="root")  # already revoked: nothing new
    assert _new_events(db_session, before) == [
        ("token_created", web_users["issuer"], web_users["issuer"]),
        ("token_revoked", "root", web_users["issuer"]),
    ]
    assert json.loads(_events(db_session)[-1].detail_json) == {
        "token": created.plaintext[:8],
        "name": "nightly export",
    }
