"""Sign-in, sign-out, server-side sessions and their timeouts, CSRF, roles (403), cookies, Cache-Control and the
language switch. The sign-in throttle is in test_login_throttle.py, the audit trail in test_audit.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from engine.users import set_active, set_password
from tests.web.conftest import PASSWORD, csrf_token, login, post


class WallClock:
    """Stands in for ``engine.sessions.utcnow`` so that sessions age without sleeping."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def wall(monkeypatch: pytest.MonkeyPatch) -> WallClock:
    clock = WallClock()
    monkeypatch.setattr("engine.sessions.utcnow", clock)
    return clock


def _copy_of_cookie(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of ``client``'s session cookie."""
    cookie = client.get_cookie("jiebang_session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("jiebang_session", cookie.value)
    return thief


def test_login_and_logout(client: FlaskClient, web_users: dict[str, str]) -> None:
    assert client.get("/tasks").status_code == 302  # staff pages need a sign-in
    assert "/login" in client.get("/tasks").location

    response = login(client, web_users["bureau"])
    assert response.status_code == 302 and response.location.endswith("/tasks")
    page = client.get("/tasks").get_data(as_text=True)
    assert "bureau_urumqi" in page and "待办任务" in page

    response = post(client, "/logout", token_from="/tasks")
    assert response.status_code == 302
    assert client.get("/tasks").status_code == 302


def test_wrong_password_is_refused_without_saying_which_part(
    client: FlaskClient, web_users: dict[str, str]
) -> None:
    wrong = login(client, web_users["bureau"], "nope")
    unknown = login(client, "nobody", "nope")
    assert wrong.status_code == unknown.status_code == 401
    assert "用户名或密码不正确" in wrong.get_data(as_text=True)
    assert client.get("/tasks").status_code == 302


def test_session_cookie_is_httponly_and_lax(client: FlaskClient, web_users: dict[str, str]) -> None:
    response = login(client, web_users["bureau"])
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("jiebang_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_post_without_csrf_token_is_refused(client: FlaskClient, web_users: dict[str, str]) -> None:
    response = client.post("/login", data={"username": web_users["bureau"], "password": "x"})
    assert response.status_code == 400
    assert "安全令牌" in response.get_data(as_text=True)
    login(client, web_users["bureau"])
    assert client.post("/logout").status_code == 400  # still signed in
    assert client.get("/tasks").status_code == 200


def test_wrong_role_gets_a_clear_403(client: FlaskClient, web_users: dict[str, str]) -> None:
    login(client, web_users["supervisor"])
    assert client.get("/tasks").status_code == 200
    response = client.get("/instances/999")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)


def test_language_switch_to_english_and_back(client: FlaskClient, web_users: dict[str, str]) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="zh-CN"' in page and "用户名" in page
    response = post(client, "/lang/en", {"next": "/login"}, token_from="/login")
    assert response.location.endswith("/login")
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in page and "User name" in page and "Sign in" in page
    login(client, web_users["bureau"])  # the choice survives signing in
    assert "Work queue" in client.get("/tasks").get_data(as_text=True)
    post(client, "/lang/zh", token_from="/tasks")
    assert "待办任务" in client.get("/tasks").get_data(as_text=True)


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "/\t/evil.example/",
        "/\n/evil.example/",
    ],
)
def test_only_local_next_urls_are_followed(
    client: FlaskClient, web_users: dict[str, str], target: str
) -> None:
    """Browsers read a backslash as a slash and drop tabs and line breaks: each of these would leave the site."""
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={
            "username": web_users["bureau"],
            "password": "correct horse 42",
            "next": target,
            "csrf_token": token,
        },
    )
    assert response.status_code == 302 and response.location.endswith("/tasks")


def test_a_local_next_url_is_followed(client: FlaskClient, web_users: dict[str, str]) -> None:
    token = csrf_token(client)
    data = {
        "username": web_users["bureau"],
        "password": "correct horse 42",
        "next": "/monitor/",
        "csrf_token": token,
    }
    response = client.post("/login", data=data)
    assert response.status_code == 302 and response.location.endswith("/monitor/")


def test_a_cookie_copied_before_logout_is_worthless_after_it(
    app: Flask, client: FlaskClient, web_users: dict[str, str]
) -> None:
    login(client, web_users["bureau"])
    thief = _copy_of_cookie(app, client)
    assert thief.get("/tasks").status_code == 200  # the copy works while the session lives
    post(client, "/logout", token_from="/tasks")
    response = thief.get("/tasks")
    assert response.status_code == 302 and "/login" in response.location
    assert "待办任务" not in thief.get("/tasks", follow_redirects=True).get_data(as_text=True)


def test_the_session_ends_after_the_idle_timeout_with_a_message(
    app: Flask, client: FlaskClient, web_users: dict[str, str], wall: WallClock
) -> None:
    login(client, web_users["bureau"])
    wall.advance(minutes=29)
    assert client.get("/tasks").status_code == 200  # a request within 30 minutes keeps it alive
    wall.advance(minutes=29)
    assert client.get("/tasks").status_code == 200
    wall.advance(minutes=31)
    response = client.get("/tasks")
    assert response.status_code == 302 and parse_qs(urlsplit(response.location).query)["next"] == ["/tasks"]
    page = client.get(response.location).get_data(as_text=True)
    assert "您已 30 分钟未操作" in page and "请重新登录" in page
    assert client.get("/tasks").status_code == 302  # the same cookie stays signed out


def test_the_session_ends_after_the_absolute_timeout_even_when_busy(
    app: Flask, client: FlaskClient, web_users: dict[str, str], wall: WallClock
) -> None:
    app.config["SESSION_ABSOLUTE_TIMEOUT"] = timedelta(hours=2)
    post(client, "/lang/en", {"next": "/login"}, token_from="/login")
    login(client, web_users["bureau"])
    for _ in range(5):
        wall.advance(minutes=20)
        assert client.get("/tasks").status_code == 200
    wall.advance(minutes=21)  # 2 h 01 min after sign-in, 21 minutes after the last request
    response = client.get("/tasks")
    assert response.status_code == 302 and "/login" in response.location
    page = client.get(response.location).get_data(as_text=True)
    assert "more than 2 hours ago" in page and "sign in again" in page


def test_a_password_change_or_disabling_ends_every_session(
    client: FlaskClient, app: Flask, web_users: dict[str, str], db_session: Session
) -> None:
    login(client, web_users["bureau"])
    other = app.test_client()
    login(other, web_users["bureau"])
    set_password(db_session, web_users["bureau"], "a new pass phrase")
    assert client.get("/tasks").status_code == 302 and other.get("/tasks").status_code == 302
    assert login(client, web_users["bureau"], PASSWORD).status_code == 401
    assert login(client, web_users["bureau"], "a new pass phrase").status_code == 302

    set_active(db_session, web_users["bureau"], False)
    assert client.get("/tasks").status_code == 302
    assert login(client, web_users["bureau"], "a new pass phrase").status_code == 401


def test_pages_with_case_data_are_not_stored_but_assets_are_cacheable(
    client: FlaskClient, web_users: dict[str, str]
) -> None:
    assert client.get("/login").headers["Cache-Control"] == "no-store"
    login(client, web_users["bureau"])
    for path in ("/tasks", "/portal/", "/api/v1/openapi.json", "/instances/999"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    asset = client.get("/static/app.css")
    assert asset.status_code == 200 and "no-store" not in asset.headers.get("Cache-Control", "")


def test_a_user_changes_their_password_and_other_sessions_end(
    app: Flask, client: FlaskClient, web_users: dict[str, str]
) -> None:
    bureau = web_users["bureau"]
    login(client, bureau)
    laptop = app.test_client()
    login(laptop, bureau)
    url = "/account/password"
    wrong = post(client, url, {"current": "nope", "new": "a new pass phrase", "confirm": "a new pass phrase"})
    assert wrong.status_code == 401 and "当前密码不正确" in wrong.get_data(as_text=True)
    mismatch = post(client, url, {"current": PASSWORD, "new": "a new pass phrase", "confirm": "another one!"})
    assert mismatch.status_code == 422 and "两次输入的新密码不一致" in mismatch.get_data(as_text=True)
    post(client, "/lang/en", {"next": url}, token_from=url)
    short = post(client, url, {"current": PASSWORD, "new": "demo12345", "confirm": "demo12345"})
    assert short.status_code == 422 and "needs 10–1024 characters" in short.get_data(as_text=True)
    assert laptop.get("/tasks").status_code == 200  # nothing changed so far

    done = post(
        client, url, {"current": PASSWORD, "new": "a new pass phrase", "confirm": "a new pass phrase"}
    )
    assert done.status_code == 302
    assert "Password changed" in client.get("/tasks").get_data(as_text=True)  # this browser stays signed in
    assert laptop.get("/tasks").status_code == 302  # the other one is signed out
    assert login(laptop, bureau, PASSWORD).status_code == 401
    assert login(laptop, bureau, "a new pass phrase").status_code == 302


def test_timeouts_come_from_the_environment_and_nonsense_is_refused(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from web.app import create_app

    monkeypatch.setenv("JIEBANG_SESSION_IDLE_MINUTES", "15")
    monkeypatch.setenv("JIEBANG_SESSION_MAX_HOURS", "8")
    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": "k"})
    assert app.config["SESSION_IDLE_TIMEOUT"] == timedelta(minutes=15)
    assert app.config["SESSION_ABSOLUTE_TIMEOUT"] == timedelta(hours=8)
    monkeypatch.setenv("JIEBANG_SESSION_IDLE_MINUTES", "half an hour")
    with pytest.raises(ValueError, match="JIEBANG_SESSION_IDLE_MINUTES must be a positive number of minutes"):
        create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": "k"})
