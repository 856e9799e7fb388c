"""Administration of accounts in the browser (``/admin/users``): list and search, create, rename, disable and
enable, reset a password, grant and revoke roles per jurisdiction. Only an administrator of every
jurisdiction (``engine.access.administration``); the changes are ``engine.users``' (audited, ending the
sessions of a disabled account or of one whose password is reset)."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from engine import users
from engine.access import STAFF_ROLES
from engine.access.administration import require_account_admin
from engine.directory import known_jurisdictions
from engine.errors import JiebangError, NotFound
from engine.models.domain import Person
from engine.models.user import User
from web.access import me, rule
from web.extensions import db
from web.form_errors import form_refused

bp = Blueprint("admin_accounts", __name__, url_prefix="/admin/users")

#: The value of the jurisdiction field meaning "every jurisdiction".
EVERY = "*"


def _list_page(status: int = 200, **extra: Any) -> tuple[str, int]:
    query = request.args.get("q", "").strip()
    context: dict[str, Any] = {"form": {}, "errors": {}, **extra}
    found = users.search_users(db.session(), query)
    return render_template("admin/users.html", users=found, q=query, **context), status


@bp.get("")
@rule("accounts")
def index() -> tuple[str, int]:
    require_account_admin(me())
    return _list_page()


@bp.post("")
@rule("accounts")
def create() -> Response | tuple[str, int]:
    require_account_admin(me())
    form = {k: request.form.get(k, "") for k in ("username", "display_name")}
    try:
        user = users.create_user(
            db.session(),
            form["username"],
            display_name=form["display_name"],
            password=request.form.get("password", ""),
            actor=current_user.username,
        )
    except JiebangError as exc:
        return form_refused(exc, _list_page, "username", passes=(), form=form)
    flash(_("已创建账号 %(name)s，请为其授予角色。", name=user.username), "info")
    return redirect(url_for("admin_accounts.edit", username=user.username))


def _account(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"用户 {username} 不存在。", f"User {username} does not exist.")
    return user


def _edit_page(username: str, status: int = 200, **extra: Any) -> tuple[str, int]:
    session = db.session()
    user = _account(username)
    context: dict[str, Any] = {"errors": {}, "form": {}, **extra}
    return (
        render_template(
            "admin/user.html",
            user=user,
            grants=sorted(user.roles, key=lambda g: (g.role, g.jurisdiction or "")),
            people=list(session.scalars(select(Person).where(Person.username == user.username))),
            roles=sorted(STAFF_ROLES),
            jurisdictions=known_jurisdictions(session),
            every=EVERY,
            **context,
        ),
        status,
    )


@bp.get("/<username>")
@rule("accounts")
def edit(username: str) -> tuple[str, int]:
    require_account_admin(me())
    return _edit_page(username)


def _done(username: str, message: str) -> Response:
    flash(message, "info")
    return redirect(url_for("admin_accounts.edit", username=username))


@bp.post("/<username>")
@rule("accounts")
def rename(username: str) -> Response | tuple[str, int]:
    require_account_admin(me())
    display_name = request.form.get("display_name", "")
    try:
        users.set_display_name(db.session(), username, display_name, actor=current_user.username)
    except JiebangError as exc:
        edit = partial(_edit_page, username)
        return form_refused(exc, edit, "display_name", passes=(), form={"display_name": display_name})
    return _done(username, _("已保存姓名。"))


@bp.post("/<username>/active")
@rule("accounts")
def set_active(username: str) -> Response | tuple[str, int]:
    require_account_admin(me())
    active = request.form.get("active") == "1"
    if not active and username == current_user.username:
        return _edit_page(username, 422, errors={"active": [_("不能停用自己的账号。")]})
    users.set_active(db.session(), username, active, actor=current_user.username)
    if active:
        return _done(username, _("已启用账号 %(name)s。", name=username))
    return _done(username, _("已停用账号 %(name)s，其登录会话已全部结束。", name=username))


@bp.post("/<username>/password")
@rule("accounts")
def reset_password(username: str) -> Response | tuple[str, int]:
    require_account_admin(me())
    password = request.form.get("password", "")
    if password != request.form.get("password_again", ""):
        return _edit_page(username, 422, errors={"password_again": [_("两次输入的密码不一致。")]})
    try:
        users.set_password(db.session(), username, password, actor=current_user.username)
    except JiebangError as exc:
        return form_refused(exc, partial(_edit_page, username), "password", passes=())
    return _done(username, _("已重设 %(name)s 的密码，其登录会话已全部结束。", name=username))


def _grant_target() -> tuple[str, str | None, dict[str, list[str]]]:
    """The role and jurisdiction of a grant or revoke form, with the errors of either."""
    role = request.form.get("role", "")
    place = request.form.get("jurisdiction", "")
    errors: dict[str, list[str]] = {}
    if role not in STAFF_ROLES:
        errors["role"] = [_("请选择角色。")]
    if place != EVERY and place not in known_jurisdictions(db.session()):
        errors["jurisdiction"] = [_("请选择辖区。")]
    return role, (None if place == EVERY else place), errors


@bp.post("/<username>/roles")
@rule("accounts")
def grant(username: str) -> Response | tuple[str, int]:
    require_account_admin(me())
    role, place, errors = _grant_target()
    form = {"role": role, "jurisdiction": request.form.get("jurisdiction", "")}
    if errors:
        return _edit_page(username, 422, form=form, errors=errors)
    users.grant_role(db.session(), username, role, jurisdiction=place, actor=current_user.username)
    return _done(username, _("已授予角色。"))


@bp.post("/<username>/roles/revoke")
@rule("accounts")
def revoke(username: str) -> Response | tuple[str, int]:
    require_account_admin(me())
    role, place, errors = _grant_target()
    if not errors and username == current_user.username and role == "admin":
        errors["role"] = [_("不能撤销自己的系统管理员角色。")]
    if errors:
        return _edit_page(username, 422, errors=errors)
    try:
        users.revoke_role(db.session(), username, role, jurisdiction=place, actor=current_user.username)
    except JiebangError as exc:
        return form_refused(exc, partial(_edit_page, username), "role", passes=())
    return _done(username, _("已撤销角色。"))
