"""The web's database connections are configured as the engine's (engine.sqlite): foreign keys enforced, WAL,
busy timeout, writers taking the write lock up front, so parallel sign-ins never see "database is locked"."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, delete, func, select
from sqlalchemy.exc import IntegrityError

from engine.db import Base, begin_write, dispose_engines, get_engine
from engine.models.audit import AuditEvent
from engine.models.auth import UserSession
from engine.models.user import RoleGrant, User
from engine.sqlite import PRAGMAS, SQLITE_CACHE_KIB, SQLITE_MMAP_BYTES, WRITE_CHECK_ENV, ReadThenWrite
from tests.web.conftest import PASSWORD, csrf_token, login


def _pragmas(eng: Any) -> dict[str, str]:
    with eng.connect() as conn:
        return {name: str(conn.exec_driver_sql(f"PRAGMA {name}").scalar()).lower() for name, _ in PRAGMAS}


@pytest.fixture
def sqlite_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """The web on a file-based SQLite database (whatever the suite's database), a read-then-write failing."""
    from web.app import create_app
    from web.extensions import db

    monkeypatch.setenv(WRITE_CHECK_ENV, "raise")
    url = f"sqlite:///{tmp_path / 'web.sqlite3'}"
    schema = create_engine(url)
    Base.metadata.create_all(schema)
    schema.dispose()
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "t", "UPLOAD_FOLDER": str(tmp_path)}
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    dispose_engines()


def test_the_web_opens_sqlite_connections_as_the_engine_does(sqlite_app: Flask) -> None:
    from web.extensions import db

    with sqlite_app.app_context():
        web = _pragmas(db.engine)
        engine_side = _pragmas(get_engine(str(sqlite_app.config["SQLALCHEMY_DATABASE_URI"])))
    assert (
        web
        == engine_side
        == {
            "journal_mode": "wal",
            "busy_timeout": "30000",
            "foreign_keys": "1",
            "synchronous": "2",
            "mmap_size": str(SQLITE_MMAP_BYTES),
            "cache_size": str(-SQLITE_CACHE_KIB),
        }
    )


def test_a_web_write_after_a_read_without_begin_write_is_caught(sqlite_app: Flask) -> None:
    from web.extensions import db

    with sqlite_app.app_context():
        db.session.scalar(select(func.count()).select_from(User))
        db.session.add(User(username="late_writer"))
        with pytest.raises(ReadThenWrite):
            db.session.flush()
        db.session.rollback()
        begin_write(db.session())  # the writer's way: the write lock first
        db.session.add(User(username="late_writer"))
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_the_web_refuses_a_write_that_would_orphan_rows_and_nothing_changes(
    app: Flask, web_users: dict[str, str]
) -> None:
    """Deleting a signed-in account through the web's connection would leave its roles and its session
    pointing nowhere: the database refuses it, and the user's browser keeps working."""
    from web.extensions import db

    browser = app.test_client()
    assert login(browser, web_users["bureau"]).status_code == 302
    with app.app_context():
        before = (
            db.session.scalar(select(func.count()).select_from(RoleGrant)),
            db.session.scalar(select(func.count()).select_from(UserSession)),
        )
        begin_write(db.session())
        with pytest.raises(IntegrityError):
            db.session.execute(delete(User).where(User.username == web_users["bureau"]))
            db.session.commit()
        db.session.rollback()
        after = (
            db.session.scalar(select(func.count()).select_from(RoleGrant)),
            db.session.scalar(select(func.count()).select_from(UserSession)),
        )
        assert db.session.scalar(select(User.active).where(User.username == web_users["bureau"])) is True
    assert after == before
    assert browser.get("/tasks").status_code == 200  # still signed in, as before the refused write


def test_parallel_sign_ins_and_throttle_writes_never_find_the_database_locked(
    sqlite_app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Twelve browsers at once on a SQLite file: right passwords (a session, an audit row, the throttle
    forgiven), wrong ones (the throttle counted, an audit row), sign-outs. Every request gets its answer."""
    from engine.users import add_user
    from tests.web.conftest import _FAST_HASH
    from web.extensions import db
    from web.views import auth

    with sqlite_app.app_context():
        for i in range(6):
            add_user(
                db.session(), f"user{i}", roles=["bureau"], jurisdiction="urumqi", password_hash=_FAST_HASH
            )
    real = auth.authenticate

    def slow(*args: Any) -> Any:
        time.sleep(0.2)  # every attempt overlaps the others' reads and writes
        return real(*args)

    monkeypatch.setattr(auth, "authenticate", slow)
    plans = [(f"user{i % 6}", PASSWORD if i % 2 == 0 else "wrong", f"10.0.0.{i}") for i in range(12)]
    browsers = []
    for _, _, address in plans:
        browser = sqlite_app.test_client()
        browser.environ_base["REMOTE_ADDR"] = address
        browsers.append((browser, csrf_token(browser)))
    barrier = threading.Barrier(len(plans))
    statuses: list[int] = []
    failures: list[BaseException] = []

    def attempt(index: int) -> None:
        browser, token = browsers[index]
        username, password, _ = plans[index]
        try:
            barrier.wait()
            data = {"username": username, "password": password, "csrf_token": token}
            status = browser.post("/login", data=data).status_code
            if status == 302:
                browser.post("/logout", data={"csrf_token": csrf_token(browser, "/tasks")})
            statuses.append(status)
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(plans))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures
    assert "database is locked" not in caplog.text and "ReadThenWrite" not in caplog.text
    assert Counter(statuses) == Counter({302: 6, 401: 6})
    with sqlite_app.app_context():
        signs = AuditEvent.event.in_(("login", "logout", "login_failed"))
        events = Counter(db.session.scalars(select(AuditEvent.event).where(signs)))
    assert events == Counter({"login": 6, "logout": 6, "login_failed": 6})
