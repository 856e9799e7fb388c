"""The sign-in throttle: per account and per address, atomic under parallel attempts, progressive, and never
blocking a user's correct password from their usual address because of other accounts' failures there."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import PASSWORD, csrf_token, login, post
from web.ratelimit import Throttle

OFFICE = "10.1.2.3"  # one proxy address for a whole bureau
ELSEWHERE = "203.0.113.9"


def _browser(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


class ThrottleClock:
    """Stands in for ``web.ratelimit.utcnow`` (and the login view's) so that blocks expire without sleeping."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> ThrottleClock:
    fake = ThrottleClock()
    monkeypatch.setattr("web.ratelimit.utcnow", fake)
    monkeypatch.setattr("web.views.auth.utcnow", fake)
    return fake


def test_failures_slow_the_account_progressively_and_the_message_says_when(
    app: Flask, client: FlaskClient, web_users: dict[str, str], clock: ThrottleClock
) -> None:
    app.config["LOGIN_THROTTLE_ACCOUNT"] = Throttle(limit=3, first_delay=60, max_delay=900, window=900)
    for _ in range(3):
        assert login(client, web_users["bureau"], "wrong").status_code == 401
    blocked = login(client, web_users["bureau"])  # even the right password waits now
    assert blocked.status_code == 429 and blocked.headers["Retry-After"] == "60"
    assert "此账号登录失败次数过多" in blocked.get_data(as_text=True) and "1 分钟后" in blocked.get_data(
        as_text=True
    )

    clock.advance(61)  # one more try after the delay; it fails and the next delay doubles
    assert login(client, web_users["bureau"], "wrong").status_code == 401
    clock.advance(61)
    post(client, "/lang/en", {"next": "/login"}, token_from="/login")
    again = login(client, web_users["bureau"])
    assert again.status_code == 429 and int(again.headers["Retry-After"]) == 59
    assert "Too many failed sign-ins for this account" in again.get_data(as_text=True)
    assert "Try again in 1 minute(s)" in again.get_data(as_text=True)
    clock.advance(60)
    assert login(client, web_users["bureau"]).status_code == 302  # the right password after the wait
    post(client, "/logout", token_from="/tasks")
    assert login(client, web_users["bureau"], "wrong").status_code == 401  # and the count starts again


def test_other_accounts_failures_behind_one_proxy_never_block_a_usual_user(
    app: Flask, web_users: dict[str, str]
) -> None:
    app.config["LOGIN_THROTTLE_ADDRESS"] = Throttle(limit=10, first_delay=600, max_delay=900, window=900)
    colleague = _browser(app, OFFICE)
    assert login(colleague, web_users["bureau2"]).status_code == 302  # bureau2 works from the office
    post(colleague, "/logout", token_from="/tasks")

    attacker = _browser(app, OFFICE)
    for i in range(12):  # a guessing run against many names from the office proxy
        login(attacker, f"guess{i}", "wrong")
    newcomer = _browser(app, OFFICE)
    refused = login(newcomer, web_users["issuer"])  # never signed in here: the address limit applies
    assert refused.status_code == 429 and "来自您所在网络的登录失败次数过多" in refused.get_data(as_text=True)

    assert login(colleague, web_users["bureau2"]).status_code == 302  # the usual user is not blocked
    assert login(_browser(app, ELSEWHERE), web_users["issuer"]).status_code == 302  # nor other addresses


def test_failures_from_elsewhere_do_not_block_the_account_at_its_usual_address(
    app: Flask, web_users: dict[str, str]
) -> None:
    app.config["LOGIN_THROTTLE_ACCOUNT"] = Throttle(limit=3, first_delay=600, max_delay=900, window=900)
    office = _browser(app, OFFICE)
    assert login(office, web_users["bureau"]).status_code == 302
    post(office, "/logout", token_from="/tasks")
    attacker = _browser(app, ELSEWHERE)
    for _ in range(3):
        assert login(attacker, web_users["bureau"], "wrong").status_code == 401
    assert login(attacker, web_users["bureau"]).status_code == 429  # the attacker's side is blocked
    assert login(office, web_users["bureau"]).status_code == 302  # the user at the office is not


def _parallel_wrong_logins(
    app: Flask, username: str, count: int, monkeypatch: pytest.MonkeyPatch
) -> Counter[int]:
    """``count`` browsers post a wrong password at the same moment; the password check takes 0.3 s, so all
    attempts overlap. Returns the status codes."""
    from web.views import auth

    real = auth.authenticate

    def slow(*args: Any) -> Any:
        time.sleep(0.3)
        return real(*args)

    monkeypatch.setattr(auth, "authenticate", slow)
    browsers = [app.test_client() for _ in range(count)]
    tokens = [csrf_token(b) for b in browsers]
    barrier = threading.Barrier(count)
    statuses: list[int] = []

    def attempt(browser: FlaskClient, token: str) -> None:
        barrier.wait()
        data = {"username": username, "password": "wrong", "csrf_token": token}
        statuses.append(browser.post("/login", data=data).status_code)

    threads = [threading.Thread(target=attempt, args=pair) for pair in zip(browsers, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return Counter(statuses)


def test_parallel_wrong_passwords_cannot_pass_the_account_limit(
    app: Flask, web_users: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    app.config["LOGIN_THROTTLE_ACCOUNT"] = Throttle(limit=3, first_delay=600, max_delay=900, window=900)
    statuses = _parallel_wrong_logins(app, web_users["bureau"], 10, monkeypatch)
    assert statuses == Counter({401: 3, 429: 7})


def test_parallel_wrong_passwords_cannot_pass_the_address_limit(
    app: Flask, web_users: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    app.config["LOGIN_THROTTLE_ADDRESS"] = Throttle(limit=4, first_delay=600, max_delay=900, window=900)
    statuses = _parallel_wrong_logins(app, "nobody", 10, monkeypatch)
    assert statuses == Counter({401: 4, 429: 6})


def test_a_correct_password_gives_back_the_address_attempt(app: Flask, web_users: dict[str, str]) -> None:
    """An office whose users sign in all morning never reaches the address limit by succeeding."""
    app.config["LOGIN_THROTTLE_ADDRESS"] = Throttle(limit=3, first_delay=600, max_delay=900, window=900)
    for name in ("bureau", "bureau2", "issuer", "dazu", "solver", "supervisor"):
        browser = _browser(app, OFFICE)
        assert login(browser, web_users[name], PASSWORD).status_code == 302, name


def test_keys_untried_for_a_day_are_forgotten(
    app: Flask, client: FlaskClient, web_users: dict[str, str], clock: ThrottleClock, db_session: Any
) -> None:
    from sqlalchemy import func, select

    from engine.models.auth import LoginThrottle

    for i in range(5):
        login(client, f"guess{i}", "wrong")
    assert db_session.scalar(select(func.count()).select_from(LoginThrottle)) == 6  # 5 names + the address
    clock.advance(25 * 3600)
    assert login(client, web_users["bureau"]).status_code == 302
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(LoginThrottle)) == 1  # the address, given back
