"""What a web request costs the database before its page's own work: the signed-in user is read once (with its
grants, in the statement that checks the sign-in), and the connection is not pinged on every request — the web's
server connections are pinged the engine's way, only after they sat idle (issue 15)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, event

from engine.db import _ping_if_idle, ping_when_idle
from tests.web.conftest import login, post
from tests.web.test_task_forms import _lock, notice_task  # noqa: F401  (fixture)


@pytest.fixture
def sent() -> Iterator[list[tuple[str, object]]]:
    """The statements sent while the test runs (whitespace-normalised) with their parameters."""
    seen: list[tuple[str, object]] = []

    def watch(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append((" ".join(statement.split()), parameters))

    event.listen(Engine, "before_cursor_execute", watch)
    yield seen
    event.remove(Engine, "before_cursor_execute", watch)


def _reads_of_the_user(sent: list[tuple[str, object]], username: str) -> list[str]:
    """The statements that read the user or its grants: the sign-in's check (by the session's token) and any
    look-up by the user's name."""

    def named(parameters: object) -> bool:
        values = parameters.values() if isinstance(parameters, dict) else parameters
        return username in (values or ())  # type: ignore[operator]

    return [
        statement
        for statement, parameters in sent
        if ("app_user" in statement or "role_grant" in statement)
        and ("user_session" in statement or named(parameters))
    ]


def test_a_page_reads_the_signed_in_user_once(
    client: FlaskClient, web_users: dict[str, str], sent: list[tuple[str, object]]
) -> None:
    """The work queue (which shows the user's reminders) and the notification settings read the user and its
    grants once each: with the sign-in's check, not again by the page."""
    login(client, web_users["bureau"])
    for path in ("/tasks", "/inbox/preferences"):
        sent.clear()
        assert client.get(path).status_code == 200
        reads = _reads_of_the_user(sent, web_users["bureau"])
        assert len(reads) == 1, (path, reads)
        assert "FROM user_session JOIN app_user" in reads[0], reads


def test_completing_a_task_reads_the_user_once(
    client: FlaskClient,
    web_users: dict[str, str],
    notice_task,  # noqa: F811
    sent: list[tuple[str, object]],
) -> None:
    """The submission of a task form: the completion's check of who acts answers from the request's user."""
    login(client, web_users["bureau"])
    page = client.get(f"/tasks/{notice_task.id}").get_data(as_text=True)
    sent.clear()
    done = post(
        client,
        f"/tasks/{notice_task.id}",
        {
            "lock_version": _lock(page),
            "action": "submit",
            "notice_title": "第一批公示",
            "notice_body": "名单如下",
            "subsidy": "1,000,000",
        },
    )
    assert done.status_code == 302 and done.location.endswith("/tasks")
    # the token's page (post reads it first) and the submission: one read of the user each
    reads = _reads_of_the_user(sent, web_users["bureau"])
    assert len(reads) == 2 and all("FROM user_session JOIN app_user" in s for s in reads), reads


def test_requests_do_not_ping_the_database(
    app: Flask, client: FlaskClient, web_users: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pooled connection just used is used again as it is (``pool_pre_ping`` pinged on every request)."""
    from web.extensions import db

    with app.app_context():
        dialect = type(db.engine.dialect)
    pings: list[object] = []
    original = dialect.do_ping

    def counted(self, dbapi_connection):  # type: ignore[no-untyped-def]
        pings.append(dbapi_connection)
        return original(self, dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", counted)
    login(client, web_users["bureau"])
    for path in ("/tasks", "/monitor/", "/inbox/preferences", "/tasks"):
        assert client.get(path).status_code == 200
    assert pings == []


def test_a_server_connection_idle_too_long_is_pinged_before_a_request_uses_it(app: Flask) -> None:
    """The web's connections to a database server are tested the engine's way: one that sat idle longer than
    ``PING_AFTER_IDLE_SECONDS`` is pinged first, and a dead one is replaced (``engine.db.ping_when_idle``)."""
    from web.extensions import db

    with app.app_context():
        web_engine = db.engine
    server = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert event.contains(server, "checkout", _ping_if_idle) is False
    ping_when_idle(server)
    assert event.contains(server, "checkout", _ping_if_idle)
    # the web's engine on a server URL gets the same listeners; a SQLite file is never pinged
    expected = web_engine.dialect.name != "sqlite"
    assert event.contains(web_engine, "checkout", _ping_if_idle) is expected
    assert not web_engine.pool._pre_ping
