"""Errors as ``application/problem+json`` (RFC 9457), in Chinese or English by ``Accept-Language``.

Every error of the API has the same shape: ``type``, ``title``, ``status``, ``detail``, ``instance`` and our
stable ``code`` (``JiebangError.code`` or one of ``HTTP_CODES``), plus ``errors`` (field → messages) when input
was invalid and ``details`` (e.g. the problems of a refused deployment).
"""

from __future__ import annotations

import logging
from typing import Any

import marshmallow as ma
from flask import Response, current_app, json, request
from werkzeug.exceptions import HTTPException

from engine.errors import JiebangError

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("jiebang.api")

#: Stable codes and (zh, en) titles for HTTP errors that do not come from the engine.
HTTP_CODES: dict[int, tuple[str, str, str]] = {
    400: ("bad_request", "请求有误", "Bad request"),
    401: ("unauthenticated", "需要身份认证", "Authentication required"),
    403: ("forbidden", "无权操作", "Forbidden"),
    404: ("not_found", "未找到", "Not found"),
    405: ("method_not_allowed", "不支持该请求方法", "Method not allowed"),
    406: ("not_acceptable", "无法提供所请求的格式", "Not acceptable"),
    409: ("conflict", "冲突", "Conflict"),
    413: ("payload_too_large", "请求内容过大", "Payload too large"),
    415: ("unsupported_media_type", "不支持的内容类型", "Unsupported media type"),
    422: ("validation_failed", "数据校验失败", "Validation failed"),
    429: ("too_many_requests", "请求过于频繁", "Too many requests"),
    500: ("internal_error", "服务器内部错误", "Internal server error"),
}

_DETAILS: dict[int, tuple[str, str]] = {
    400: ("请求格式有误。", "The request is malformed."),
    401: (
        "请在 Authorization 头中提供有效的 API 令牌（Bearer）。",
        "Send a valid API token: Authorization: Bearer …",
    ),
    404: ("请求的资源不存在。", "The requested resource does not exist."),
    405: ("此地址不支持该请求方法。", "This address does not support the request method."),
    413: ("请求内容超过上限。", "The request is larger than allowed."),
    415: ("请求的内容类型不受支持。", "The request's content type is not supported."),
    422: ("请求数据未通过校验，见 errors。", "The request data is invalid; see errors."),
    500: (
        "服务器内部错误，已记录。请稍后重试或联系管理员。",
        "Internal server error; it was logged. Retry later or contact the administrator.",
    ),
}


def lang() -> str:
    best = request.accept_languages.best_match(["zh", "en"], default="zh")
    return "en" if best == "en" else "zh"


def _titles(status: int) -> tuple[str, str, str]:
    return HTTP_CODES.get(status) or (f"http_{status}", f"HTTP {status}", f"HTTP {status}")


def problem(
    status: int,
    *,
    code: str | None = None,
    zh: str | None = None,
    en: str | None = None,
    errors: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    default_code, title_zh, title_en = _titles(status)
    language = lang()
    fallback = _DETAILS.get(status, (title_zh, title_en))
    body: dict[str, Any] = {
        "type": f"urn:jiebang:problem:{code or default_code}",
        "title": title_en if language == "en" else title_zh,
        "status": status,
        "detail": (en or fallback[1]) if language == "en" else (zh or fallback[0]),
        "instance": request.path,
        "code": code or default_code,
    }
    if errors:
        body["errors"] = errors
    if details:
        body["details"] = details
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_JSON
    )
    response.headers["Content-Language"] = language
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def from_jiebang(exc: JiebangError) -> Response:
    details = dict(exc.details)
    fields_zh = details.pop("fields", None)
    fields_en = details.pop("fields_en", None)
    errors = (fields_en or fields_zh) if lang() == "en" else (fields_zh or fields_en)
    headers = {"WWW-Authenticate": 'Bearer realm="jiebang"'} if exc.http_status == 401 else None
    return problem(
        exc.http_status, code=exc.code, zh=exc.zh, en=exc.en, errors=errors, details=details, headers=headers
    )


def _flatten_webargs(messages: Any) -> dict[str, Any]:
    """webargs reports {location: {field: messages}}; clients want {field: messages}."""
    if not isinstance(messages, dict):
        return {"_request": messages}
    out: dict[str, Any] = {}
    for location, fields in messages.items():
        if isinstance(fields, dict):
            for name, msgs in fields.items():
                out[str(name)] = msgs
        else:
            out[str(location)] = fields
    return out


def from_http(exc: HTTPException) -> Response:
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    errors = None
    if "messages" in data:
        errors = _flatten_webargs(data["messages"])
    elif "errors" in data:
        errors = data["errors"]
    headers: dict[str, str] = {}
    if status == 405:
        allow = [h for h in exc.get_headers() if h[0].lower() == "allow"]
        headers.update(allow)
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="jiebang"'
    zh = en = None
    message = data.get("message")
    if message:
        zh = en = str(message)
    return problem(status, errors=errors, headers=headers, zh=zh, en=en)


def handle_error(exc: Exception) -> Response:
    if isinstance(exc, JiebangError):
        return from_jiebang(exc)
    if isinstance(exc, HTTPException):
        if (exc.code or 500) >= 500:
            original = getattr(exc, "original_exception", None)
            if original is not None:
                log.error("internal error in %s %s", request.method, request.path, exc_info=original)
        return from_http(exc)
    log.exception("internal error in %s %s", request.method, request.path)
    return problem(500)


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details with Jiebang's stable code."""

    type = ma.fields.String(required=True, metadata={"description": "urn:jiebang:problem:<code>"})
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String(
        required=True, metadata={"description": "Chinese or English by Accept-Language"}
    )
    instance = ma.fields.String(required=True, metadata={"description": "the request path"})
    code = ma.fields.String(
        required=True, metadata={"description": "stable code: not_found, forbidden, validation_failed, …"}
    )
    errors = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.Raw(), metadata={"description": "field → messages"}
    )
    details = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Raw())
