"""Personal API tokens in the web UI: created (shown once), listed, used against the API, revoked; only by the
owner or an administrator; CSRF-protected; the name is validated."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.api_tokens import create_token, hash_token
from engine.models.api_token import ApiToken
from engine.users import add_user
from tests.web.conftest import _FAST_HASH, csrf_token, login, post

PAGE = "/account/tokens"
_PLAINTEXT = re.compile(r'id="new-token"[^>]*value="(jb_[A-Za-z0-9_-]{43})"')


def _create(client: FlaskClient, name: str) -> str:
    response = post(client, PAGE, {"name": name})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    found = _PLAINTEXT.search(page)
    assert found, page
    assert "只显示这一次" in page
    return found.group(1)


def _me(client: FlaskClient, token: str):  # type: ignore[no-untyped-def]
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


def test_create_shows_the_token_once_and_it_works_until_revoked(
    client: FlaskClient, web_users: dict[str, str], db_session: Session
) -> None:
    login(client, web_users["bureau"])
    home = client.get("/tasks").get_data(as_text=True)
    assert f'href="{PAGE}"' in home and "API 令牌" in home  # the header link
    assert "您还没有 API 令牌。" in client.get(PAGE).get_data(as_text=True)

    plaintext = _create(client, "  财务系统对接 ")
    row = db_session.scalars(select(ApiToken).where(ApiToken.name == "财务系统对接")).one()
    assert row.token_hash == hash_token(plaintext) and plaintext not in (row.token_hash, row.prefix)

    listing = client.get(PAGE)
    text = listing.get_data(as_text=True)
    assert listing.status_code == 200 and plaintext not in text and 'id="new-token"' not in text
    assert "财务系统对接" in text and f"{row.prefix}…" in text and "有效" in text

    db_session.rollback()  # end the test session's read transaction before the API writes ``last_used_at``
    api = client.application.test_client()  # no session cookie: the bearer token alone
    me = _me(api, plaintext)
    assert me.status_code == 200 and me.get_json()["username"] == web_users["bureau"]
    db_session.rollback()
    assert db_session.get(ApiToken, row.id).last_used_at is not None  # type: ignore[union-attr]
    assert "最近使用" in client.get(PAGE).get_data(as_text=True)

    revoked = post(client, f"/account/tokens/{row.id}/revoke", token_from=PAGE)
    assert revoked.status_code == 302 and revoked.location.endswith(PAGE)
    after = client.get(PAGE).get_data(as_text=True)
    assert "已吊销令牌“财务系统对接”。" in after and "已吊销" in after and plaintext not in after
    assert f'action="/account/tokens/{row.id}/revoke"' not in after
    assert _me(api, plaintext).status_code == 401


def test_english_page(client: FlaskClient, web_users: dict[str, str]) -> None:
    login(client, web_users["solver"])
    post(client, "/lang/en", token_from=PAGE)
    page = client.get(PAGE).get_data(as_text=True)
    assert "My tokens" in page and "You have no API tokens yet." in page and "我的令牌" not in page
    created = post(client, PAGE, {"name": "integration"}).get_data(as_text=True)
    assert "It is shown only this once" in created and "Token “integration” created" in created
    assert "Enter a name for the token." in post(client, PAGE, {"name": ""}).get_data(as_text=True)


def test_a_user_cannot_revoke_another_users_token_but_an_admin_can(
    client: FlaskClient, web_users: dict[str, str], db_session: Session
) -> None:
    other = create_token(db_session, web_users["bureau2"], "theirs")
    login(client, web_users["bureau"])
    page = client.get(PAGE).get_data(as_text=True)
    assert "theirs" not in page and "其他用户的有效令牌" not in page
    refused = post(client, f"/account/tokens/{other.token.id}/revoke", token_from=PAGE)
    assert refused.status_code == 403
    assert post(client, "/account/tokens/999999/revoke", token_from=PAGE).status_code == 404
    assert _me(client.application.test_client(), other.plaintext).status_code == 200

    add_user(db_session, "root", roles=["admin"], password_hash=_FAST_HASH)
    admin = client.application.test_client()
    login(admin, "root")
    listed = admin.get(PAGE).get_data(as_text=True)
    assert "其他用户的有效令牌" in listed and "theirs" in listed and web_users["bureau2"] in listed
    assert other.plaintext not in listed
    done = post(admin, f"/account/tokens/{other.token.id}/revoke", token_from=PAGE)
    assert done.status_code == 302
    assert _me(client.application.test_client(), other.plaintext).status_code == 401


def test_csrf_is_required(client: FlaskClient, web_users: dict[str, str], db_session: Session) -> None:
    mine = create_token(db_session, web_users["bureau"], "mine")
    login(client, web_users["bureau"])
    assert client.post(PAGE, data={"name": "no csrf"}).status_code == 400
    assert client.post(PAGE, data={"name": "bad csrf", "csrf_token": "forged"}).status_code == 400
    assert client.post(f"/account/tokens/{mine.token.id}/revoke").status_code == 400
    assert db_session.scalars(select(ApiToken.name)).all() == ["mine"]
    assert _me(client.application.test_client(), mine.plaintext).status_code == 200


def test_name_is_validated_and_the_page_kept(
    client: FlaskClient, web_users: dict[str, str], db_session: Session
) -> None:
    login(client, web_users["bureau"])
    for name, message, kept in (
        ("   ", "请填写令牌名称。", ""),
        ("x" * 101, "不能超过 100 个字符", "x" * 101),
    ):
        response = post(client, PAGE, {"name": name})
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and message in page
        assert 'aria-invalid="true"' in page and f'value="{kept}"' in page
        assert 'id="new-token"' not in page and "创建令牌" in page
    assert db_session.scalars(select(ApiToken)).all() == []


def test_sign_in_is_required(client: FlaskClient, web_users: dict[str, str]) -> None:
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.location
    token = csrf_token(client)
    assert client.post(PAGE, data={"name": "x", "csrf_token": token}).status_code == 302
