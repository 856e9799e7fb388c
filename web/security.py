"""Sign-in, the signed-in user, role checks, response headers of signed-in pages, and the secret key.

Passwords are verified with werkzeug's hashes (scrypt by default). The signed session cookie holds only a
random session token; the session itself lives in the database (``engine.sessions``), so signing out, a
password change or disabling the account ends it on the server, and it ends after ``SESSION_IDLE_TIMEOUT``
without a request or ``SESSION_ABSOLUTE_TIMEOUT`` after sign-in. (Flask-Session's SQLAlchemy backend was not
used: it keeps the whole session dict per row with a single expiry, knows no user, so a password change
could not end that user's sessions, has no absolute lifetime, creates its table outside the migrations and
writes a row for every anonymous portal visitor.)
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin, LoginManager, current_user, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.security import check_password_hash, generate_password_hash
from werkzeug.wrappers import Response

from engine import audit, sessions
from engine.access.routes import STAFF_ROLES
from engine.db import session_factory
from engine.models.user import User
from engine.users import MAX_PASSWORD_LENGTH, get_user, remember_actor
from web import ratelimit
from web.extensions import db

F = TypeVar("F", bound=Callable[..., Any])

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.session_protection = "basic"

#: A hash of a random password, checked when the user does not exist, so that both answers take as long.
_DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class Grant:
    role: str
    jurisdiction: str | None


class WebUser:
    """The signed-in user as the web layer sees it (a detached copy, safe across requests)."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, user: User, token: str) -> None:
        self.username = user.username
        self.display_name = user.display_name or user.username
        self.grants = tuple(Grant(g.role, g.jurisdiction) for g in user.roles)
        self._token = token

    def get_id(self) -> str:
        """What Flask-Login keeps in the cookie: the server-side session's token."""
        return self._token

    @property
    def roles(self) -> set[str]:
        return {g.role for g in self.grants}

    def has_role(self, *roles: str, jurisdiction: str | None = None, anywhere: bool = False) -> bool:
        """A grant of one of ``roles`` for ``jurisdiction`` (or for all). ``anywhere``: in any jurisdiction."""
        return any(
            g.role in roles and (anywhere or g.jurisdiction is None or g.jurisdiction == jurisdiction)
            for g in self.grants
        )

    def role_pairs(self) -> list[tuple[str, str | None]]:
        return [(g.role, g.jurisdiction) for g in self.grants]

    def jurisdictions(self) -> list[str]:
        return sorted({g.jurisdiction for g in self.grants if g.jurisdiction})


class Anonymous(AnonymousUserMixin):
    username = None
    display_name = ""
    grants: tuple[Grant, ...] = ()
    roles: set[str] = set()  # noqa: RUF012

    def has_role(self, *roles: str, jurisdiction: str | None = None, anywhere: bool = False) -> bool:
        return False


login_manager.anonymous_user = Anonymous


def load_user_row(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username).options(selectinload(User.roles)))


def timeouts() -> sessions.Timeouts:
    return sessions.Timeouts(
        idle=current_app.config["SESSION_IDLE_TIMEOUT"],
        absolute=current_app.config["SESSION_ABSOLUTE_TIMEOUT"],
    )


@login_manager.user_loader
def _load(token: str) -> WebUser | None:
    # its own short session: stamping or ending the sign-in must never commit the request's pending work
    with session_factory(current_app.config["SQLALCHEMY_DATABASE_URI"])() as own:
        resolved = sessions.resolve(own, token, timeouts())
    if resolved.user is None:
        session.pop("_user_id", None)
        g.session_expired = resolved.expired
        return None
    # read once per request: the engine's look-ups of the actor and ``actor_row`` answer with this row
    remember_actor(db.session(), resolved.user)
    return WebUser(resolved.user, token)


def actor_row() -> User:
    """The signed-in user's row (roles loaded) in the request's session: the row read when the sign-in was
    checked, not read again (``engine.users.remember_actor``). 403 when nobody is signed in."""
    if not current_user.is_authenticated:
        abort(403)
    return get_user(db.session(), current_user.username)


@login_manager.unauthorized_handler
def _sign_in_first() -> Response:
    """To the sign-in page, saying why: the session timed out, or a sign-in is needed."""
    reason = g.get("session_expired")
    if reason == sessions.IDLE:
        minutes = int(current_app.config["SESSION_IDLE_TIMEOUT"].total_seconds() // 60)
        flash(_("您已 %(minutes)s 分钟未操作，为保护数据已自动退出，请重新登录。", minutes=minutes), "info")
    elif reason == sessions.ABSOLUTE:
        hours = int(current_app.config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds() // 3600)
        flash(_("本次登录已超过 %(hours)s 小时，为保护数据已自动退出，请重新登录。", hours=hours), "info")
    else:
        flash(_("请先登录。"), "info")
    from web.views.auth import _safe_next  # the sign-in view's rule for where to go after it

    path = request.full_path if request.query_string else request.path
    return redirect(url_for("auth.login", next=_safe_next(path)))


def authenticate(username: str, password: str) -> User | None:
    """The active user with this password, or None (taking as long when the user does not exist)."""
    user = load_user_row(username.strip()) if username.strip() else None
    if user is None or not user.active or not user.password_hash or len(password) > MAX_PASSWORD_LENGTH:
        check_password_hash(_DUMMY_HASH, password[:MAX_PASSWORD_LENGTH])
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    return user


def sign_in(user: User, *, audited: bool = True) -> WebUser:
    """Start a server-side session for ``user`` in a fresh cookie session (no fixation); audited as a sign-in
    unless it only renews the session of a user who just proved their password otherwise."""
    token = sessions.start(db.session(), user, ratelimit.client_hash())
    if audited:
        audit.record(db.session(), "login", actor=user.username, subject=user.username)
    db.session.commit()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    web_user = WebUser(user, token)
    login_user(web_user)
    return web_user


def sign_out() -> None:
    """End the server-side session (a copy of the cookie is worthless afterwards), audited; keep the language."""
    token = session.get("_user_id")
    if token:
        user = sessions.end(db.session(), token, "logout")
        if user is not None:
            audit.record(db.session(), "logout", actor=user.username, subject=user.username)
        db.session.commit()
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang


def roles_required(*roles: str) -> Callable[[F], F]:
    """The view needs a sign-in and one of ``roles`` in some jurisdiction (403 otherwise)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles, anywhere=True):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def staff_required(view: F) -> F:
    return roles_required(*STAFF_ROLES)(view)


#: Endpoints whose responses browsers and proxies may cache (versioned assets with no case data).
CACHEABLE_ENDPOINTS = frozenset({"static", "api_v1.swagger_asset"})
#: Public lists that crowds read: an anonymous response that carries no session may be shared for a short
#: while (signed-in users, and anyone with a session cookie, still get ``no-store``).
PUBLIC_LIST_ENDPOINTS = frozenset({"portal.index", "api_v1_public.challenges", "api_v1_public.notices"})
PUBLIC_LIST_MAX_AGE = 60


def _duration_env(name: str, unit: str, default: timedelta) -> timedelta:
    """A positive number of ``unit`` (minutes, hours) from the environment, or ``default``."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        amount = float(value)
    except ValueError:
        amount = 0
    if not amount > 0:
        raise ValueError(f"{name} must be a positive number of {unit}, got {value!r}")
    return timedelta(**{unit: amount})


def init_app(app: Flask) -> None:
    """Session timeouts and sign-in throttles (defaults; tests and the environment may change them), the
    audit trail's client of each request, and ``Cache-Control: no-store`` on every response but assets."""
    app.config.setdefault(
        "SESSION_IDLE_TIMEOUT",
        _duration_env("JIEBANG_SESSION_IDLE_MINUTES", "minutes", timedelta(minutes=30)),
    )
    app.config.setdefault(
        "SESSION_ABSOLUTE_TIMEOUT", _duration_env("JIEBANG_SESSION_MAX_HOURS", "hours", timedelta(hours=12))
    )
    # per account (from one usual address, or from anywhere else): 5 free failures, then 30 s doubling to 15 min
    app.config.setdefault(
        "LOGIN_THROTTLE_ACCOUNT", ratelimit.Throttle(limit=5, first_delay=30, max_delay=900, window=900)
    )
    # per address, for users not known there: much higher, so that an office behind one proxy keeps working
    app.config.setdefault(
        "LOGIN_THROTTLE_ADDRESS", ratelimit.Throttle(limit=100, first_delay=60, max_delay=900, window=900)
    )
    login_manager.init_app(app)

    @app.before_request
    def _audit_client() -> None:
        audit.set_client(f"web:{ratelimit.client_hash()}")

    @app.after_request
    def _no_store(response: Response) -> Response:
        if request.endpoint in CACHEABLE_ENDPOINTS:
            return response
        if request.endpoint in PUBLIC_LIST_ENDPOINTS and _shareable(response):
            response.headers["Cache-Control"] = f"public, max-age={PUBLIC_LIST_MAX_AGE}"
            response.vary.add("Cookie")
            return response
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
        return response


def _shareable(response: Response) -> bool:
    """A successful GET for nobody in particular: no sign-in, no session cookie sent, none about to be set."""
    return (
        request.method == "GET"
        and response.status_code == 200
        and not current_user.is_authenticated
        and not request.cookies
        and not session.modified
        and "Set-Cookie" not in response.headers
    )


def secret_key(app: Flask) -> str:
    """``JIEBANG_SECRET_KEY``, or a random key created once in the instance folder (mode 0600)."""
    configured = os.environ.get("JIEBANG_SECRET_KEY")
    if configured:
        return configured
    path = Path(app.instance_path) / "secret_key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # written whole under a temporary name, then linked in: several workers starting at once agree on one key
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret_key-")  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key)
        os.link(tmp, path)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    finally:
        os.unlink(tmp)
    return key


def grants_text(grants: Iterable[Grant]) -> str:
    return ", ".join(f"{g.role}@{g.jurisdiction}" if g.jurisdiction else g.role for g in grants)
