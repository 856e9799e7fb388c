"""Sign-in, sign-out, CSRF, roles (403), cookies, the language switch and the sign-in rate limit."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.web.conftest import csrf_token, login, post


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


def test_login_is_rate_limited_per_user_and_address(
    app, client: FlaskClient, web_users: dict[str, str]
) -> None:  # type: ignore[no-untyped-def]
    app.config["LOGIN_RATE_LIMIT"] = (3, 900)
    for _ in range(3):
        assert login(client, web_users["bureau"], "wrong").status_code == 401
    blocked = login(client, web_users["bureau"])  # even the right password now waits
    assert blocked.status_code == 429 and "登录失败次数过多" in blocked.get_data(as_text=True)


def test_only_local_next_urls_are_followed(client: FlaskClient, web_users: dict[str, str]) -> None:
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={
            "username": web_users["bureau"],
            "password": "correct horse 42",
            "next": "https://evil.example/",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302 and response.location.endswith("/tasks")
