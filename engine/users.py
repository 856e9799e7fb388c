"""Users, roles per jurisdiction, and the authorization rules of the engine.

Lanes map to roles (``engine.lint.role_of_lane``); a user may act on a task when they hold that role for the
instance's jurisdiction (or for every jurisdiction).
"""

from __future__ import annotations

import re

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload, selectinload
from werkzeug.security import generate_password_hash

from engine import audit, sessions
from engine.db import begin_write, contains_text
from engine.errors import Forbidden, NotFound, ValidationFailed
from engine.field_errors import FieldErrors
from engine.lint import ROLE_CODE
from engine.models.user import RoleGrant, User

#: Roles that may suspend, resume, terminate and retry instances of their jurisdiction.
INSTANCE_CONTROL_ROLES = frozenset({"admin", "bureau"})


#: Shortest and longest password accepted (the longest bounds the work of hashing one).
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
#: User names of accounts created in the browser (the command line accepts any 1–64 characters).
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
DISPLAY_NAME_MAX = 128
#: Passwords printed in the README or in `jiebang demo load`'s output.
PUBLISHED_PASSWORDS = frozenset({"demo12345"})


def add_user(
    session: Session,
    username: str,
    *,
    roles: list[str],
    jurisdiction: str | None = None,
    display_name: str | None = None,
    password_hash: str | None = None,
    actor: str | None = None,
) -> User:
    """Create the user if needed and grant the roles (idempotent). A ``password_hash`` given for an existing
    user replaces its password as ``set_password`` does (ending its sessions). Every creation, grant and
    password change is audited in the same transaction. Commits."""
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
    user = _find(session, username)
    if user is None:
        user = User(username=username, display_name=display_name or username, password_hash=password_hash)
        session.add(user)
        audit.record(
            session,
            "user_created",
            actor=actor,
            subject=username,
            detail={"display_name": user.display_name, "password_set": bool(password_hash)},
        )
    else:
        if display_name and display_name != user.display_name:
            user.display_name = display_name
        if password_hash and password_hash != user.password_hash:
            _change_password(session, user, password_hash, actor)
    held = {(g.role, g.jurisdiction) for g in user.roles}
    for role in roles:
        if (role, jurisdiction) not in held:
            user.roles.append(RoleGrant(role=role, jurisdiction=jurisdiction))
            held.add((role, jurisdiction))
            audit.record(
                session,
                "role_granted",
                actor=actor,
                subject=username,
                detail={"role": role, "jurisdiction": jurisdiction},
            )
    session.commit()
    return user


def check_password(username: str, password: str) -> None:
    """Refuse a password that is too short or long, the user name, or a published demo password."""
    if (
        not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH
        or password == username
        or password in PUBLISHED_PASSWORDS
    ):
        raise ValidationFailed(
            f"密码需要 {MIN_PASSWORD_LENGTH}–{MAX_PASSWORD_LENGTH} 个字符，且不能是用户名或公开的演示密码。",
            f"A password needs {MIN_PASSWORD_LENGTH}–{MAX_PASSWORD_LENGTH} characters and must be neither the "
            "user name nor the published demo password.",
        )


def set_password(session: Session, username: str, password: str, *, actor: str | None = None) -> User:
    """Set a new password and end every session of the user (API tokens stay valid). Commits."""
    check_password(username, password)
    begin_write(session)
    user = _existing(session, username)
    _change_password(session, user, generate_password_hash(password), actor)
    session.commit()
    return user


def _change_password(session: Session, user: User, password_hash: str, actor: str | None) -> None:
    user.password_hash = password_hash
    ended = sessions.end_all(session, user.id, "password")
    audit.record(
        session, "password_changed", actor=actor, subject=user.username, detail={"sessions_ended": ended}
    )


def set_active(session: Session, username: str, active: bool, *, actor: str | None = None) -> User:
    """Enable or disable an account; disabling ends its sessions (its API tokens stop working too). Commits."""
    begin_write(session)
    user = _existing(session, username)
    if user.active != active:
        user.active = active
        detail: dict[str, int] = {}
        if not active:
            detail["sessions_ended"] = sessions.end_all(session, user.id, "disabled")
        audit.record(
            session,
            "user_enabled" if active else "user_disabled",
            actor=actor,
            subject=user.username,
            detail=detail,
        )
    session.commit()
    return user


def create_user(
    session: Session, username: str, *, display_name: str, password: str, actor: str | None = None
) -> User:
    """Create a new account with a password and no roles; every problem is refused per field (``username``,
    ``display_name``, ``password``) before anything is stored. Commits."""
    username, display_name = username.strip(), display_name.strip()
    errors = FieldErrors()
    if not USERNAME.match(username):
        errors.add(
            "username",
            "用户名须为 1–64 位字母、数字、点、连字符或下划线。",
            "A user name is 1–64 letters, digits, dots, hyphens or underscores.",
        )
    elif session.scalar(select(User.id).where(User.username == username)) is not None:
        errors.add(
            "username",
            f"用户名 {username} 已被使用，请换一个。",
            f"The user name {username} is already taken; choose another.",
        )
    if len(display_name) > DISPLAY_NAME_MAX:
        errors.add(
            "display_name",
            f"姓名不能超过 {DISPLAY_NAME_MAX} 个字符。",
            f"The display name must be at most {DISPLAY_NAME_MAX} characters.",
        )
    try:
        check_password(username, password)
    except ValidationFailed as exc:
        errors.add("password", exc.zh, exc.en)
    errors.raise_any()
    return add_user(
        session,
        username,
        roles=[],
        display_name=display_name or username,
        password_hash=generate_password_hash(password),
        actor=actor,
    )


def set_display_name(session: Session, username: str, display_name: str, *, actor: str | None = None) -> User:
    """Rename an account as people see it (1–128 characters). Commits."""
    display_name = display_name.strip()
    if not display_name or len(display_name) > 128:
        raise ValidationFailed(
            "姓名不能为空且不超过 128 个字符。", "The display name must be 1–128 characters."
        )
    begin_write(session)
    user = _existing(session, username)
    if user.display_name != display_name:
        audit.record(
            session,
            "user_updated",
            actor=actor,
            subject=user.username,
            detail={"display_name": [user.display_name, display_name]},
        )
        user.display_name = display_name
    session.commit()
    return user


def grant_role(
    session: Session, username: str, role: str, *, jurisdiction: str | None = None, actor: str | None = None
) -> User:
    """Grant one role to an existing account (audited; nothing happens when it holds it already). Commits."""
    _existing(session, username)
    return add_user(session, username, roles=[role], jurisdiction=jurisdiction, actor=actor)


def revoke_role(
    session: Session, username: str, role: str, *, jurisdiction: str | None = None, actor: str | None = None
) -> User:
    """Take one role grant away (refused when the user does not hold it). Commits."""
    begin_write(session)
    user = _existing(session, username)
    grant = next((g for g in user.roles if g.role == role and g.jurisdiction == jurisdiction), None)
    if grant is None:
        where = jurisdiction or "*"
        raise NotFound(
            f"用户 {username} 没有角色 {role}@{where}。",
            f"User {username} does not hold the role {role}@{where}.",
        )
    user.roles.remove(grant)
    audit.record(
        session,
        "role_revoked",
        actor=actor,
        subject=username,
        detail={"role": role, "jurisdiction": jurisdiction},
    )
    session.commit()
    return user


def _find(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username).options(selectinload(User.roles)))


def _existing(session: Session, username: str) -> User:
    """The user, disabled or not (``get_user`` is for acting users and refuses disabled ones)."""
    user = _find(session, username.strip())
    if user is None:
        raise NotFound(f"用户 {username} 不存在。", f"User {username} does not exist.")
    return user


def require_named(username: str | None) -> str:
    """The acting user's name; refused when nobody is named (a CLI call without ``--as``)."""
    if not username:
        raise Forbidden("请指定操作用户（--as USER）。", "Say who is acting (--as USER).")
    return username


def no_such_actor(username: str) -> NotFound:
    """The refusal of an acting user who is unknown or disabled."""
    return NotFound(f"用户 {username} 不存在或已停用。", f"User {username} does not exist or is disabled.")


#: ``session.info`` key of the session's acting user as its caller already read it (``remember_actor``)
_ACTOR = "jiebang_actor"


def remember_actor(session: Session, user: User) -> None:
    """``user`` (roles loaded) acts in ``session``: a web request read it when it checked the sign-in, so
    ``get_user`` of that name answers with it rather than reading the user and the roles again. A row of
    another session is taken into this one, without a statement, when first asked for."""
    session.info[_ACTOR] = user


def remembered_actor(session: Session, username: str) -> User | None:
    """The user ``remember_actor`` put in ``session`` if it is ``username`` (as it was read: perhaps a row of
    another session)."""
    known: User | None = session.info.get(_ACTOR)
    return known if known is not None and known.username == username else None


def get_user(session: Session, username: str | None) -> User:
    name = require_named(username)
    known = remembered_actor(session, name)
    if known is not None:
        if known not in session:
            known = session.info[_ACTOR] = session.merge(known, load=False)
        user: User | None = known
    else:
        user = session.scalars(
            select(User).where(User.username == name).options(joinedload(User.roles))
        ).first()
    if user is None or not user.active:
        raise no_such_actor(name)
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
        from engine.labels import jurisdiction_name, role_name

        # what the user may not do, who in the office does it, and where: names, never an account or a code
        needed_zh = "、".join(role_name(r, "zh") for r in sorted(roles))
        needed_en = ", ".join(role_name(r, "en").lower() for r in sorted(roles))
        raise Forbidden(
            f"您不能{what_zh}：这由{jurisdiction_name(jurisdiction, 'zh')}的{needed_zh}办理。"
            "如确需办理，请联系科技局或系统管理员。",
            f"You cannot {what_en}: this is done by the {needed_en} of "
            f"{jurisdiction_name(jurisdiction, 'en')}. If you need to, ask the bureau or the administrator.",
        )


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).options(selectinload(User.roles)).order_by(User.username)))


def search_users(session: Session, text: str = "", *, limit: int = 200) -> list[User]:
    """Accounts whose user name or display name contains ``text`` (case-insensitive), by user name."""
    query = select(User).options(selectinload(User.roles)).order_by(User.username).limit(limit)
    if text.strip():
        query = query.where(
            or_(contains_text(User.username, text.strip()), contains_text(User.display_name, text.strip()))
        )
    return list(session.scalars(query))
