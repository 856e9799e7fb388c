"""Fixtures of the web tests: an app on the test database, users with passwords, CSRF-aware helpers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from engine.users import add_user

PASSWORD = "correct horse 42"
_FAST_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(db_url: str, db_session: Session, tmp_path: Path) -> Iterator[Flask]:
    from web.app import create_app
    from web.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": db_url,
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        }
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def web_users(db_session: Session) -> dict[str, str]:
    """Users with the test password: bureau and issuer in Urumqi, a Dazu bureau, a solver, a supervisor."""
    made = {
        "bureau": ("bureau_urumqi", ["bureau"], "urumqi"),
        "bureau2": ("bureau2_urumqi", ["bureau"], "urumqi"),
        "issuer": ("issuer_urumqi", ["issuer"], "urumqi"),
        "dazu": ("bureau_dazu", ["bureau"], "dazu"),
        "solver": ("solver_urumqi", ["solver"], "urumqi"),
        "supervisor": ("supervisor", ["supervisor"], None),
    }
    for name, roles, jurisdiction in made.values():
        add_user(db_session, name, roles=roles, jurisdiction=jurisdiction, password_hash=_FAST_HASH)
    return {key: value[0] for key, value in made.items()}


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    found = _TOKEN.search(page)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def post(
    client: FlaskClient,
    path: str,
    data: dict[str, Any] | None = None,
    *,
    token_from: str | None = None,
    **kw: Any,
):  # type: ignore[no-untyped-def]
    """POST with the CSRF token of the page ``token_from`` (default: the same path)."""
    payload = dict(data or {})
    payload["csrf_token"] = csrf_token(client, token_from or path)
    return client.post(path, data=payload, **kw)


def login(client: FlaskClient, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return post(client, "/login", {"username": username, "password": password})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
