"""Fixtures of the API tests: the Flask app on the test database, users with tokens, deployed fixtures."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from engine.api_tokens import create_token
from engine.bundle import collect_paths
from engine.deploy import deploy_bundle
from engine.users import add_user
from tests.conftest import FIXTURES

API_FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def app(db_url: str) -> Flask:
    from web.app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": db_url, "TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def users(db_session: Session, people: dict[str, str]) -> dict[str, str]:
    """people (issuer1, bureau1, bureau_dazu, solver1, admin — urumqi) plus a second solver, an expert, a process
    owner and a supervisor."""
    add_user(db_session, "solver2", roles=["solver"], jurisdiction="urumqi")
    add_user(db_session, "expert1", roles=["expert"], jurisdiction="urumqi")
    add_user(db_session, "owner", roles=["process_owner"])
    add_user(db_session, "supervisor", roles=["supervisor"])
    return {**people, "solver2": "solver2", "expert": "expert1", "owner": "owner", "supervisor": "supervisor"}


@pytest.fixture
def tokens(db_session: Session, users: dict[str, str]) -> dict[str, str]:
    """username → plaintext token."""
    return {name: create_token(db_session, name, "tests").plaintext for name in set(users.values())}


@pytest.fixture
def as_user(client: FlaskClient, tokens: dict[str, str]) -> Callable[..., Any]:
    """as_user("solver1").get(...): a client whose requests carry that user's bearer token."""

    class Authed:
        def __init__(self, username: str) -> None:
            self.headers = {"Authorization": f"Bearer {tokens[username]}"}

        def __getattr__(self, method: str) -> Callable[..., Any]:
            call = getattr(client, method)

            def send(*args: Any, **kwargs: Any) -> Any:
                kwargs["headers"] = {**self.headers, **kwargs.get("headers", {})}
                return call(*args, **kwargs)

            return send

    return Authed


@pytest.fixture
def deployed(db_session: Session, sim, calendar_loaded) -> None:  # type: ignore[no-untyped-def]
    """The engine's basic fixture (publicity_demo: issuer → bureau → publicity) and the API's application
    fixture (api_application: solver → bureau), at a fixed simulated time."""
    sim.set("2026-09-28T10:00:00+08:00")
    deploy_bundle(db_session, collect_paths([FIXTURES / "basic"]), deployed_by="owner")
    deploy_bundle(db_session, collect_paths([API_FIXTURES / "application"]), deployed_by="owner")


START = {"jurisdiction": "urumqi", "title": "高温合金需求", "publicity_days": 7, "publicity_unit": "days"}
NEED = {"title": "高温合金", "budget": "1,234.50", "pledge_unit": True}


def problem_of(response: Any) -> dict[str, Any]:
    assert response.mimetype == "application/problem+json", (response.status_code, response.data[:300])
    body = response.get_json(force=True)
    assert {"type", "title", "status", "detail", "code", "instance"} <= set(body)
    assert body["status"] == response.status_code
    return body
