"""Personal API tokens in the web UI: list, create (the plaintext is shown once, on the response to the creating
POST, and kept nowhere else), and revoke (the owner, or an administrator for anyone's token)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager
from werkzeug.wrappers import Response

from engine import api_tokens
from engine.errors import JiebangError, ValidationFailed
from engine.models.api_token import ApiToken
from engine.models.user import User
from web.access import rule
from web.extensions import db

bp = Blueprint("tokens", __name__, url_prefix="/account/tokens")

NAME_MAX = 100
#: How many other users' active tokens an administrator sees on the page.
ADMIN_LIST_LIMIT = 200


def _others_tokens() -> list[ApiToken]:
    """Other users' unrevoked tokens, for an administrator (who may revoke them)."""
    if not current_user.has_role("admin"):
        return []
    return list(
        db.session.scalars(
            select(ApiToken)
            .join(User, ApiToken.user_id == User.id)
            .where(ApiToken.revoked_at.is_(None), User.username != current_user.username)
            .options(contains_eager(ApiToken.user))
            .order_by(ApiToken.id.desc())
            .limit(ADMIN_LIST_LIMIT)
        )
    )


def _page(status: int = 200, **extra: Any) -> Response:
    context: dict[str, Any] = {"name": "", "error": None, "created": None, **extra}
    response = make_response(
        render_template(
            "tokens/index.html",
            tokens=api_tokens.list_tokens(db.session(), current_user.username),
            others=_others_tokens(),
            name_max=NAME_MAX,
            **context,
        ),
        status,
    )
    # The creating response carries the plaintext: no cache may keep it (and the list need not be cached).
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


@bp.get("")
@rule("account")
def index() -> Response:
    return _page()


@bp.post("")
@rule("account")
def create() -> Response:
    name = request.form.get("name", "").strip()
    if not name:
        return _page(422, name=name, error=_("请填写令牌名称。"))
    if len(name) > NAME_MAX:
        return _page(422, name=name, error=_("令牌名称不能超过 %(max)s 个字符。", max=NAME_MAX))
    try:
        created = api_tokens.create_token(db.session(), current_user.username, name)
    except ValidationFailed:
        db.session.rollback()
        return _page(422, name=name, error=_("令牌名称不能为空且不超过 %(max)s 个字符。", max=NAME_MAX))
    return _page(201, created=created)


@bp.post("/<int:token_id>/revoke")
@rule("account")
def revoke(token_id: int) -> Response:
    try:
        token = api_tokens.revoke_token(db.session(), token_id, actor=current_user.username)
    except JiebangError as exc:
        db.session.rollback()
        abort(exc.http_status if exc.http_status in (403, 404) else 400)
    flash(_("已吊销令牌“%(name)s”。", name=token.name), "info")
    return redirect(url_for("tokens.index"))
