"""Sign in, sign out, and the language switch."""

from __future__ import annotations

import math
from datetime import datetime
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from engine import audit, sessions
from engine.clock import SHANGHAI
from engine.db import begin_write, utcnow
from engine.errors import ValidationFailed
from engine.users import MIN_PASSWORD_LENGTH, set_password
from web import ratelimit
from web.access import rule
from web.extensions import db
from web.i18n import LANGUAGES, current_lang
from web.security import authenticate, load_user_row, sign_in, sign_out

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only local paths are followed after sign-in (no open redirect). Browsers read a backslash as a slash
    and drop tabs and line breaks, so ``/\\evil.example`` or ``/\t/evil.example`` would leave the site."""
    if not target or "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int, dict[str, str]]:
    next_url = _safe_next(request.values.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url or url_for("queue.index"))
    error = None
    status = 200
    headers: dict[str, str] = {}
    username = request.form.get("username", "").strip()
    if request.method == "POST":
        refused = _throttle(username)
        if refused is not None:
            error, retry_at = refused
            status = 429
            headers["Retry-After"] = str(max(1, math.ceil((retry_at - utcnow()).total_seconds())))
        else:
            user = authenticate(username, request.form.get("password", ""))
            if user is None:
                _record_failure("login_failed", username)
                error = _("用户名或密码不正确。")
                status = 401
            else:
                _forgive(username)
                web_user = sign_in(user)
                flash(_("欢迎，%(name)s。", name=web_user.display_name), "info")
                return redirect(next_url or url_for("queue.index"))
    page = render_template("auth/login.html", error=error, username=username, next_url=next_url)
    return page, status, headers


def _keys(username: str) -> tuple[str, str | None]:
    """The throttle keys of an attempt: the account (at this usual address, or anywhere else) and the
    address — None when the account is known at this address, so that other accounts' failures behind the
    same proxy never block it."""
    client = ratelimit.client_hash()
    usual = bool(username) and sessions.is_usual_client(db.session(), username, client)
    account = f"account:{ratelimit.keyed_hash(username.lower())[:40]}|{client if usual else '*'}"
    return account, None if usual else f"address:{client}"


def _throttle(username: str) -> tuple[str, datetime] | None:
    """Claim a turn for this attempt on the address and the account; the refusal's message and retry time
    when either is blocked (a refused attempt is not counted)."""
    account, address = _keys(username)
    account_rule = current_app.config["LOGIN_THROTTLE_ACCOUNT"]
    address_rule = current_app.config["LOGIN_THROTTLE_ADDRESS"]
    if address is not None:
        claim = ratelimit.claim(db.session(), address, address_rule)
        if not claim.allowed and claim.retry_at is not None:
            _record_failure("login_refused", username, {"blocked": "address"})
            message = _(
                "来自您所在网络的登录失败次数过多，已暂停登录。请在 %(minutes)s 分钟后（北京时间 %(time)s 之后）再试。",
                **_when(claim.retry_at),
            )
            return message, claim.retry_at
    claim = ratelimit.claim(db.session(), account, account_rule)
    if not claim.allowed and claim.retry_at is not None:
        if address is not None:
            ratelimit.succeeded(db.session(), address, address_rule, forget=False)
        _record_failure("login_refused", username, {"blocked": "account"})
        message = _(
            "此账号登录失败次数过多，已暂停登录。请在 %(minutes)s 分钟后（北京时间 %(time)s 之后）再试。",
            **_when(claim.retry_at),
        )
        return message, claim.retry_at
    return None


def _forgive(username: str) -> None:
    """A correct password clears the account's failures and gives back the address's claimed attempt."""
    account, address = _keys(username)
    ratelimit.succeeded(db.session(), account, current_app.config["LOGIN_THROTTLE_ACCOUNT"], forget=True)
    if address is not None:
        ratelimit.succeeded(db.session(), address, current_app.config["LOGIN_THROTTLE_ADDRESS"], forget=False)


def _when(retry_at: datetime) -> dict[str, object]:
    minutes = max(1, math.ceil((retry_at - utcnow()).total_seconds() / 60))
    return {"minutes": minutes, "time": retry_at.astimezone(SHANGHAI).strftime("%H:%M:%S")}


def _record_failure(event: str, username: str, detail: dict[str, str] | None = None) -> None:
    """Audit a failed or refused sign-in. The typed name is kept only when it is an account (a password typed
    into the name field must not land in the audit trail)."""
    begin_write(db.session())
    known = bool(username) and load_user_row(username) is not None
    audit.record(
        db.session(),
        event,
        actor=None,
        subject=username if known else None,
        detail={**(detail or {}), **({} if known else {"unknown_user": True})},
    )
    db.session.commit()


@bp.post("/logout")
def logout() -> Response:
    sign_out()
    flash(_("您已退出登录。"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@rule("account")
def change_password() -> str | Response | tuple[str, int]:
    """Change one's own password: the current one is checked (and throttled like a sign-in); every other
    session of the user ends, this browser gets a fresh one."""
    error = None
    status = 200
    if request.method == "POST":
        username = current_user.username
        refused = _throttle(username)
        if refused is not None:
            error, status = refused[0], 429
        elif authenticate(username, request.form.get("current", "")) is None:
            _record_failure("login_failed", username, {"during": "password_change"})
            error, status = _("当前密码不正确。"), 401
        elif request.form.get("new", "") != request.form.get("confirm", ""):
            _forgive(username)
            error, status = _("两次输入的新密码不一致。"), 422
        else:
            _forgive(username)
            try:
                user = set_password(db.session(), username, request.form.get("new", ""), actor=username)
            except ValidationFailed as exc:
                db.session.rollback()
                error, status = exc.message(current_lang()), 422
            else:
                sign_in(user, audited=False)
                flash(_("密码已修改，其他设备上的登录已结束。"), "info")
                return redirect(url_for("queue.index"))
    page = render_template("auth/password.html", error=error, min_length=MIN_PASSWORD_LENGTH)
    return page, status


@bp.post("/lang/<code>")
def set_language(code: str) -> Response:
    if code in LANGUAGES:
        session["lang"] = code
    return redirect(_safe_next(request.form.get("next")) or url_for("home.index"))
