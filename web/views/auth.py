"""Sign in, sign out, and the language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from web import ratelimit
from web.extensions import db
from web.i18n import LANGUAGES
from web.security import authenticate

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only local paths are followed after sign-in (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    next_url = _safe_next(request.values.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url or url_for("queue.index"))
    error = None
    status = 200
    username = request.form.get("username", "").strip()
    if request.method == "POST":
        limit, window = current_app.config["LOGIN_RATE_LIMIT"]
        keys = [f"login-ip:{ratelimit.client_hash()}", f"login-user:{username.lower()[:64]}"]
        if any(ratelimit.too_many(db.session(), key, limit, window) for key in keys):
            error = _("登录失败次数过多，请 %(minutes)s 分钟后再试。", minutes=window // 60)
            status = 429
        else:
            user = authenticate(username, request.form.get("password", ""))
            if user is None:
                for key in keys:
                    ratelimit.hit(db.session(), key, window)
                error = _("用户名或密码不正确。")
                status = 401
            else:
                ratelimit.clear(db.session(), keys[1])
                lang = session.get("lang")
                session.clear()  # a fresh session on sign-in (no fixation)
                if lang:
                    session["lang"] = lang
                login_user(user)
                flash(_("欢迎，%(name)s。", name=user.display_name), "info")
                return redirect(next_url or url_for("queue.index"))
    return render_template("auth/login.html", error=error, username=username, next_url=next_url), status


@bp.post("/logout")
def logout() -> Response:
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("您已退出登录。"), "info")
    return redirect(url_for("auth.login"))


@bp.post("/lang/<code>")
def set_language(code: str) -> Response:
    if code in LANGUAGES:
        session["lang"] = code
    return redirect(_safe_next(request.form.get("next")) or url_for("home.index"))
