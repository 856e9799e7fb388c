"""The Content-Security-Policy and the other security headers are on every kind of response (HTML pages, JSON,
the API and its errors, static files, redirects, error pages); templates hold no inline script, no inline
event handler and no ``|safe``; instance data written into a page's JSON block cannot end that block."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from engine import instances
from engine.users import add_user
from tests.web.conftest import _FAST_HASH, login

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"
HOSTILE = '</script><script>alert(2)</script><!-- "><img src=x onerror=alert(1)>'
STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}


def directives(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request.path} ({response.status_code})"
    parts = [p.strip().split(None, 1) for p in header.split(";") if p.strip()]
    return {p[0]: p[1] if len(p) > 1 else "" for p in parts}


def assert_hardened(response, *, inline_styles: bool = False) -> None:  # type: ignore[no-untyped-def]
    found = directives(response)
    expected = dict(STRICT, **({"style-src": "'self' 'unsafe-inline'"} if inline_styles else {}))
    for name, value in expected.items():
        assert found.get(name) == value, (response.request.path, name, found.get(name))
    assert "unsafe-eval" not in found["script-src"] and "unsafe-inline" not in found["script-src"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP in tests: no HSTS


@pytest.fixture
def people(db_session: Session) -> None:
    for name, role, jurisdiction in (
        ("supervisor", "supervisor", None),
        ("owner", "process_owner", None),
        ("bureau_urumqi", "bureau", "urumqi"),
    ):
        add_user(db_session, name, roles=[role], jurisdiction=jurisdiction, password_hash=_FAST_HASH)
    db_session.commit()


def test_every_kind_of_response_carries_the_policy(client: FlaskClient, people: None) -> None:
    anonymous = {
        "/portal/": 200,  # HTML page
        "/login": 200,
        "/tasks": 302,  # redirect to the sign-in page
        "/no/such/page": 404,  # HTML error page
        "/static/app.css": 200,  # static file
        "/static/js/bpmn-ui.js": 200,
        "/api/v1/openapi.json": 200,  # API JSON
        "/api/v1/docs": 200,  # Swagger UI
        "/api/v1/swagger-ui/swagger-ui-bundle.js": 200,
        "/api/v1/tasks": 401,  # API problem+json
        "/api/v1/nothing": 404,
        "/monitor/": 302,
    }
    for path, status in anonymous.items():
        response = client.get(path)
        assert response.status_code == status, (path, response.status_code)
        assert_hardened(response)
    assert client.post("/logout", data={}).status_code == 400  # CSRF error page
    assert_hardened(client.post("/logout", data={}))
    assert_hardened(client.open("/portal/", method="DELETE"))  # 405

    login(client, "supervisor")
    for path in ("/monitor/", "/tasks", "/monitor/viewer"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_hardened(response)
    assert_hardened(client.get("/modeler/"))  # 403 for a supervisor: still an error page with the policy


def test_only_the_modeler_editing_pages_allow_inline_styles(client: FlaskClient, people: None) -> None:
    """dmn-js's decision-table editor needs inline styles; the modeler's list page and every other page
    keep ``style-src 'self'``."""
    login(client, "owner")
    response = client.get("/modeler/new")
    assert response.status_code == 200
    assert_hardened(response, inline_styles=True)
    assert_hardened(client.get("/modeler/"))
    assert_hardened(client.get("/tasks"))


def test_json_and_api_errors_raised_inside_views_carry_the_policy(
    app: Flask, client: FlaskClient, people: None, db_session: Session, sim, calendar_loaded, deploy
) -> None:  # type: ignore[no-untyped-def]
    deploy("basic")
    inst = instances.start_instance(db_session, "publicity_demo", data={"jurisdiction": "urumqi"})
    db_session.commit()
    login(client, "supervisor")
    response = client.get(f"/monitor/instances/{inst.id}/state.json")
    assert response.status_code == 200 and response.is_json
    assert_hardened(response)
    response = client.get(f"/monitor/instances/{inst.id}/diagram.bpmn")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert_hardened(response)
    response = client.get("/monitor/instances/999999")
    assert response.status_code == 404
    assert_hardened(response)


def test_monitor_page_writes_hostile_data_as_inert_json(
    client: FlaskClient, people: None, db_session: Session, sim, calendar_loaded, deploy
) -> None:  # type: ignore[no-untyped-def]
    """Text that closes the script block (in the error message the diagram shows) stays inside the JSON block
    as data; the data panel shows an objector's hostile name as text."""
    deploy("basic")
    inst = instances.start_instance(
        db_session,
        "publicity_demo",
        business_key="XSS-1",
        data={"jurisdiction": "urumqi", "objection": {"name": HOSTILE, "text": HOSTILE}},
    )
    inst.status, inst.error_task, inst.error_message = "error", "审核 (review)", HOSTILE
    db_session.commit()
    login(client, "bureau_urumqi")
    page = client.get(f"/monitor/instances/{inst.id}").get_data(as_text=True)
    block = re.search(r'<script type="application/json" id="instance-state">(.*?)</script>', page, re.S)
    assert block, "the state block is missing"
    assert "<" not in block.group(1)
    state = json.loads(block.group(1))  # fails when the hostile text ended the block early
    assert state["error"]["message"] == HOSTILE and state["process"] == "publicity_demo"
    # the data panel and the error line show the text escaped: no element is created from it
    assert "&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in page
    assert "<img src=x" not in page and "<script>alert" not in page


def _template_sources() -> list[tuple[str, str]]:
    return [(str(p.relative_to(TEMPLATES)), p.read_text(encoding="utf-8")) for p in TEMPLATES.rglob("*.html")]


def test_templates_have_no_inline_script_handlers_or_safe() -> None:
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
    handler = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
    javascript_url = re.compile(r"(href|src|action)\s*=\s*[\"']\s*javascript:", re.I)
    problems = []
    for name, source in _template_sources():
        for kind, pattern in (
            ("inline script", inline_script),
            ("event handler", handler),
            ("javascript: URL", javascript_url),
        ):
            problems += [f"{name}: {kind}: {m.group(0)[:80]}" for m in pattern.finditer(source)]
        problems += [f"{name}: |safe" for _ in re.finditer(r"\|\s*safe\b", source)]
    assert not problems, "\n".join(problems)


def test_swagger_page_starts_from_a_static_script(client: FlaskClient) -> None:
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert '<script src="/static/js/swagger-init.js"></script>' in page
    config = json.loads(re.search(r'id="swagger-config">(.*?)</script>', page, re.S).group(1))
    assert config["url"] == "/api/v1/openapi.json" and config["dom_id"] == "#swagger-ui-container"
