"""Users, roles per jurisdiction, and the authorization rules of the engine.

Lanes map to roles (``engine.lint.role_of_lane``); a user may act on a task when they hold that role for the
instance's jurisdiction (or for every jurisdiction).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from engine.db import begin_write
from engine.errors import Forbidden, NotFound, ValidationFailed
from engine.lint import ROLE_CODE
from engine.models.user import RoleGrant, User

#: Roles that may suspend, resume, terminate and retry instances of their jurisdiction.
INSTANCE_CONTROL_ROLES = frozenset({"admin", "bureau"})


def add_user(
    session: Session,
    username: str,
    *,
    roles: list[str],
    jurisdiction: str | None = None,
    display_name: str | None = None,
    password_hash: str | None = None,
) -> User:
    """Create the user if needed and grant the roles (idempotent). Commits."""
    username = username.strip()
    begin_write(session)
    if not username or len(username) > 64:
        raise ValidationFailed("用户名不能为空且不超过 64 个字符。", "The user name must be 1–64 characters.")
    for role in roles:
        if not ROLE_CODE.match(role):
            raise ValidationFailed(
                f"角色代码无效：{role!r}（应为小写字母、数字和下划线）。",
                f"Invalid role code {role!r}: use lower-case letters, digits and underscores.",
            )
    user = session.scalar(select(User).where(User.username == username).options(selectinload(User.roles)))
    if user is None:
        user = User(username=username, display_name=display_name or username, password_hash=password_hash)
        session.add(user)
    elif display_name:
        user.display_name = display_name
    if password_hash:
        user.password_hash = password_hash
    held = {(g.role, g.jurisdiction) for g in user.roles}
    for role in roles:
        if (role, jurisdiction) not in held:
            user.roles.append(RoleGrant(role=role, jurisdiction=jurisdiction))
    session.commit()
    return user


def get_user(session: Session, username: str | None) -> User:
    if not username:
        raise Forbidden("请指定操作用户（--as USER）。", "Say who is acting (--as USER).")
    user = session.scalars(
        select(User).where(User.username == username).options(joinedload(User.roles))
    ).first()
    if user is None or not user.active:
        raise NotFound(f"用户 {username} 不存在或已停用。", f"User {username} does not exist or is disabled.")
    return user


def holds_role(user: User, role: str | None, jurisdiction: str | None) -> bool:
    if role is None:
        return False
    return any(
        g.role == role and (g.jurisdiction is None or g.jurisdiction == jurisdiction) for g in user.roles
    )


def require_role(
    user: User, roles: set[str] | frozenset[str], jurisdiction: str | None, what_zh: str, what_en: str
) -> None:
    if not any(holds_role(user, role, jurisdiction) for role in roles):
        needed = "、".join(sorted(roles))
        raise Forbidden(
            f"用户 {user.username} 没有{what_zh}所需的角色（需要：{needed}，辖区：{jurisdiction or '任意'}）。",
            f"User {user.username} lacks the role needed to {what_en} (needs: {', '.join(sorted(roles))}; "
            f"jurisdiction: {jurisdiction or 'any'}).",
        )


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).options(selectinload(User.roles)).order_by(User.username)))
