"""Tokens (hashed, revocable), authentication, problem+json errors in both languages, the OpenAPI document and
the offline Swagger UI."""

from __future__ import annotations

import hashlib

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.api_tokens import authenticate, create_token, list_tokens, revoke_token
from engine.errors import Forbidden, ValidationFailed
from engine.models.api_token import ApiToken
from tests.api.conftest import problem_of


def test_tokens_are_stored_hashed_listed_and_revocable(
    db_session: Session, users, client: FlaskClient
) -> None:
    created = create_token(db_session, "solver1", "我的集成")
    assert created.plaintext.startswith("jb_") and len(created.plaintext) > 40
    row = db_session.scalar(select(ApiToken).where(ApiToken.id == created.token.id))
    assert row is not None and row.token_hash == hashlib.sha256(created.plaintext.encode()).hexdigest()
    assert created.plaintext not in {row.token_hash, row.prefix, row.name}
    assert [t.name for t in list_tokens(db_session, "solver1")] == ["我的集成"]

    ok = client.get("/api/v1/me", headers={"Authorization": f"Bearer {created.plaintext}"})
    assert ok.status_code == 200 and ok.json["username"] == "solver1"
    assert ok.json["roles"] == [{"role": "solver", "jurisdiction": "urumqi"}]
    db_session.rollback()  # end the read snapshot
    assert list_tokens(db_session, "solver1")[0].last_used_at is not None

    with pytest.raises(Forbidden):
        revoke_token(db_session, created.token.id, actor="solver2")
    revoke_token(db_session, created.token.id, actor="solver1")
    assert authenticate(db_session, created.plaintext) is None
    refused = client.get("/api/v1/me", headers={"Authorization": f"Bearer {created.plaintext}"})
    assert problem_of(refused)["code"] == "unauthenticated" and refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    with pytest.raises(ValidationFailed):
        create_token(db_session, "solver1", "  ")


@pytest.mark.parametrize(
    "header", [None, "Bearer", "Basic c29sdmVyMTpkZW1v", "Bearer jb_not-a-real-token", "Bearer x" * 50]
)
def test_private_endpoints_need_a_valid_token(client: FlaskClient, users, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    for path in (
        "/api/v1/me",
        "/api/v1/instances",
        "/api/v1/tasks",
        "/api/v1/deployments",
        "/api/v1/processes",
    ):
        response = client.get(path, headers=headers)
        assert response.status_code == 401 and problem_of(response)["code"] == "unauthenticated"


def test_problems_speak_chinese_by_default_and_english_on_request(client: FlaskClient) -> None:
    zh = problem_of(client.get("/api/v1/no-such-thing"))
    assert zh["code"] == "not_found" and zh["title"] == "未找到" and zh["instance"] == "/api/v1/no-such-thing"
    en = problem_of(client.get("/api/v1/no-such-thing", headers={"Accept-Language": "en-GB,en;q=0.9"}))
    assert en["title"] == "Not found" and "does not exist" in en["detail"]
    zh_cn = client.get("/api/v1/me", headers={"Accept-Language": "zh-CN"})
    assert problem_of(zh_cn)["title"] == "需要身份认证" and zh_cn.headers["Content-Language"] == "zh"


def test_405_and_422_from_routing_and_webargs_are_problems(as_user) -> None:
    wrong = as_user("admin").delete("/api/v1/instances")
    body = problem_of(wrong)
    assert (
        wrong.status_code == 405 and body["code"] == "method_not_allowed" and "GET" in wrong.headers["Allow"]
    )
    bad = as_user("admin").get("/api/v1/instances?page=0&status=sleeping", headers={"Accept-Language": "en"})
    body = problem_of(bad)
    assert bad.status_code == 422 and body["code"] == "validation_failed"
    assert set(body["errors"]) == {"page", "status"}
    not_json = as_user("admin").post("/api/v1/instances", data="{", content_type="application/json")
    assert not_json.status_code in (400, 422) and problem_of(not_json)["code"] in (
        "bad_request",
        "validation_failed",
    )
    nul = as_user("admin").post("/api/v1/instances", json={"process": "a\u0000b"})
    assert nul.status_code == 422 and "process" in problem_of(nul)["errors"]


def test_openapi_document_and_offline_docs_page(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.0") and spec["info"]["title"] == "Jiebang API"
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert "/api/v1/instances/{instance_id}/terminate" in spec["paths"]
    assert spec["paths"]["/api/v1/notices"]["get"]["security"] == []
    assert spec["paths"]["/api/v1/tasks"]["get"]["security"] == [{"bearerAuth": []}]
    default = spec["components"]["responses"]["DEFAULT_ERROR"]["content"]
    assert list(default) == ["application/problem+json"]
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "swagger-ui-bundle.js" in page and "http://" not in page and "https://" not in page
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js"):
        assert client.get(f"/api/v1/swagger-ui/{asset}").status_code == 200
    assert problem_of(client.get("/api/v1/swagger-ui/nothing.js"))["code"] == "not_found"


def test_web_pages_keep_their_own_error_handling(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404 and response.mimetype != "application/problem+json"


def test_authentication_comes_before_argument_parsing(client: FlaskClient, users) -> None:
    for path, body in (("/api/v1/messages", {}), ("/api/v1/instances", {"process": 5})):
        assert problem_of(client.post(path, json=body))["code"] == "unauthenticated"
    assert problem_of(client.get("/api/v1/instances?page=0"))["code"] == "unauthenticated"
