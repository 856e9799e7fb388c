"""Sign-in, the signed-in user, role checks, and the secret key.

Passwords are verified with werkzeug's hashes (scrypt by default). The session cookie holds the user name and a
fingerprint of the password hash, so changing a password or disabling a user ends every existing session.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, abort, current_app
from flask_login import AnonymousUserMixin, LoginManager, current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from engine.models.user import User
from web.extensions import db

F = TypeVar("F", bound=Callable[..., Any])

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.session_protection = "basic"

#: A hash of a random password, checked when the user does not exist, so that both answers take as long.
_DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(16))

STAFF_ROLES = frozenset(
    {
        "bureau",
        "recommender",
        "issuer",
        "solver",
        "expert",
        "panel_chair",
        "approver",
        "third_party",
        "supervisor",
        "process_owner",
        "admin",
    }
)


@dataclass(frozen=True)
class Grant:
    role: str
    jurisdiction: str | None


class WebUser:
    """The signed-in user as the web layer sees it (a detached copy, safe across requests)."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, user: User) -> None:
        self.username = user.username
        self.display_name = user.display_name or user.username
        self.grants = tuple(Grant(g.role, g.jurisdiction) for g in user.roles)
        self._fingerprint = fingerprint(user.password_hash)

    def get_id(self) -> str:
        return f"{self.username}|{self._fingerprint}"

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


def fingerprint(password_hash: str | None) -> str:
    key = current_app.secret_key if current_app else b""
    raw = (password_hash or "").encode()
    secret = key.encode() if isinstance(key, str) else (key or b"")
    return hmac.new(secret, raw, hashlib.sha256).hexdigest()[:16]


def load_user_row(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username).options(selectinload(User.roles)))


@login_manager.user_loader
def _load(user_id: str) -> WebUser | None:
    username, _, fp = user_id.partition("|")
    user = load_user_row(username)
    if user is None or not user.active:
        return None
    web_user = WebUser(user)
    if not hmac.compare_digest(web_user.get_id(), f"{username}|{fp}"):
        return None
    return web_user


def authenticate(username: str, password: str) -> WebUser | None:
    user = load_user_row(username.strip()) if username.strip() else None
    if user is None or not user.active or not user.password_hash:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    return WebUser(user)


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
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key


def grants_text(grants: Iterable[Grant]) -> str:
    return ", ".join(f"{g.role}@{g.jurisdiction}" if g.jurisdiction else g.role for g in grants)
