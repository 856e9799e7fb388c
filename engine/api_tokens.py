"""Personal API tokens: create (the plaintext is returned once), list, revoke, and authenticate.

A token is ``jb_`` followed by 43 URL-safe characters (256 random bits). Only its SHA-256 is stored, so a
leaked database does not leak usable tokens; the random part is long enough that no salt or slow hash is needed.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, selectinload

from engine import audit
from engine.db import begin_write, utcnow
from engine.errors import Forbidden, NotFound, ValidationFailed
from engine.models.api_token import ApiToken
from engine.models.user import User
from engine.users import get_user

PREFIX = "jb_"
#: ``last_used_at`` is written at most this often per token, so reads through the API stay reads.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    plaintext: str


def hash_token(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def create_token(session: Session, username: str, name: str) -> CreatedToken:
    """Create a token for ``username``. The plaintext is in the result only; it cannot be shown again. Commits."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed(
            "令牌名称不能为空且不超过 100 个字符。",
            "The token name must be 1–100 characters.",
            details={"fields": {"name": ["令牌名称不能为空且不超过 100 个字符。"]}},
        )
    begin_write(session)
    user = get_user(session, username)
    plaintext = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_token(plaintext), prefix=plaintext[:8])
    session.add(token)
    audit.record(session, "token_created", actor=user.username, subject=user.username, detail={"name": name})
    session.commit()
    return CreatedToken(token, plaintext)


def list_tokens(session: Session, username: str) -> list[ApiToken]:
    """The user's tokens, newest first, revoked ones included (they show when they were revoked)."""
    user = get_user(session, username)
    return list(
        session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc()))
    )


def revoke_token(session: Session, token_id: int, *, actor: str) -> ApiToken:
    """Revoke one of the actor's tokens (an admin may revoke anyone's). Idempotent. Commits."""
    begin_write(session)
    user = get_user(session, actor)
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"API 令牌 {token_id} 不存在。", f"API token {token_id} does not exist.")
    if token.user_id != user.id and not any(g.role == "admin" and g.jurisdiction is None for g in user.roles):
        raise Forbidden("只能吊销自己的 API 令牌。", "You can revoke only your own API tokens.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        owner = session.get(User, token.user_id)
        audit.record(
            session,
            "token_revoked",
            actor=user.username,
            subject=owner.username if owner else None,
            detail={"token": token.prefix, "name": token.name},
        )
    session.commit()
    return token


def authenticate(session: Session, plaintext: str) -> User | None:
    """The active user owning this unrevoked token, or None. Records when the token was last used."""
    if not plaintext.startswith(PREFIX) or len(plaintext) > 200:
        return None
    token = session.scalars(
        select(ApiToken)
        .where(ApiToken.token_hash == hash_token(plaintext), ApiToken.revoked_at.is_(None))
        .options(selectinload(ApiToken.user).selectinload(User.roles))
    ).first()
    if token is None or not token.user.active:
        return None
    user = token.user
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        try:
            begin_write(session)
            session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
            session.commit()
        except OperationalError:  # a busy database must not refuse the request; the stamp waits
            session.rollback()
    return user
