"""Shared pieces of the API: the per-request engine session, token authentication, argument fields, pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

import marshmallow as ma
from flask import current_app, g, request
from sqlalchemy import Select
from sqlalchemy.orm import Session

from engine.api_tokens import authenticate
from engine.db import session_factory
from engine.errors import JiebangError, NotFound
from engine.models.user import User
from engine.paging import Page, paginate
from engine.users import remember_actor

F = TypeVar("F", bound=Callable[..., Any])

#: OpenAPI security requirement of the endpoints that need a token.
BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
MAX_ID = 2_147_483_647
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class Unauthenticated(JiebangError):
    code = "unauthenticated"
    http_status = 401


def session() -> Session:
    """One engine session per request (the engine's own engine: SQLite write locks, pragmas), closed at teardown."""
    if "api_session" not in g:
        g.api_session = session_factory(current_app.config["SQLALCHEMY_DATABASE_URI"])()
    return g.api_session


def close_session(_exc: BaseException | None = None) -> None:
    s = g.pop("api_session", None)
    if s is not None:
        s.rollback()
        s.close()


def current_user() -> User:
    """The owner of the request's bearer token, or 401."""
    if "api_user" in g:
        return g.api_user
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(
            "需要 API 令牌：请在 Authorization 头中发送 Bearer 令牌（在网页“API 令牌”页面创建）。",
            "An API token is required: send Authorization: Bearer <token> (create one on the web page 'API tokens').",
        )
    user = authenticate(session(), token.strip())
    if user is None:
        raise Unauthenticated("API 令牌无效或已吊销。", "The API token is invalid or revoked.")
    remember_actor(session(), user)  # the engine's look-ups of the actor answer with this row
    g.api_user = user
    return user


def check_text(value: str) -> None:
    if "\x00" in value:
        raise ma.ValidationError("不能包含 NUL 字符。/ Must not contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ma.ValidationError("不是有效的 Unicode 文本。/ Not valid Unicode text.") from None


def _check_json(value: Any, depth: int = 0) -> None:
    if depth > 32:
        raise ma.ValidationError("嵌套过深。/ Nested too deeply.")
    if isinstance(value, str):
        check_text(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(str(key))
            _check_json(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_json(item, depth + 1)


class Text(ma.fields.String):
    """A string without NUL characters or lone surrogates (neither can be stored in every database)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        result = super()._deserialize(value, attr, data, **kwargs)
        check_text(result)
        return result


class JsonObject(ma.fields.Dict):
    """A JSON object of any content, with the same text rules as ``Text`` for every key and string inside."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(keys=ma.fields.String(), values=ma.fields.Raw(allow_none=True), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict[str, Any]:
        result = super()._deserialize(value, attr, data, **kwargs)
        _check_json(result)
        return result


class PageArgs(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=100_000))
    page_size = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=200))


def page_of(query: Select[Any], page: int, page_size: int) -> dict[str, Any]:
    """One page of ``query`` (rows, not scalars) and the total (``engine.paging.paginate``)."""
    return page_json(paginate(session(), query, page, page_size))


def page_json(found: Page[Any]) -> dict[str, Any]:
    """A page as the API's page schema (``page_schema``) reads it."""
    return {"items": found.items, "page": found.page, "page_size": found.per_page, "total": found.total}


def page_schema(item: type[ma.Schema], name: str) -> type[ma.Schema]:
    return ma.Schema.from_dict(
        {
            "items": ma.fields.List(ma.fields.Nested(item), required=True),
            "page": ma.fields.Integer(required=True),
            "page_size": ma.fields.Integer(required=True),
            "total": ma.fields.Integer(required=True),
        },
        name=name,
    )


def task_uuid(task_id: str) -> str:
    if not UUID_RE.match(task_id):
        raise NotFound(f"任务 {task_id[:64]} 不存在。", f"Task {task_id[:64]} does not exist.")
    return task_id


def path_text(value: str) -> str:
    """A text path parameter that cannot name anything stored (NUL, lone surrogates, too long) is a 404."""
    try:
        check_text(value)
    except ma.ValidationError:
        raise NotFound("请求的资源不存在。", "The requested resource does not exist.") from None
    if len(value) > 255:
        raise NotFound("请求的资源不存在。", "The requested resource does not exist.")
    return value
