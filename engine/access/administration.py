"""Who may administer accounts and the directory (organisations and people).

- Accounts (create, edit, disable and enable, reset a password, grant and revoke roles): an ``admin`` of every
  jurisdiction only. A role grant reaches whatever its jurisdiction holds, so nobody scoped to one
  jurisdiction may hand out roles — not even for that jurisdiction.
- The directory: an ``admin`` or ``bureau`` of the organisation's jurisdiction (one of every jurisdiction for
  an organisation without one). A person belongs to the jurisdiction of its organisation. Linking a person
  to an account is a directory change (it is how a solver's account gets its unit), so a bureau may do it
  for people of its jurisdiction.
"""

from __future__ import annotations

from typing import Any

from engine.access.principal import principal
from engine.errors import Forbidden
from engine.labels import jurisdiction_name

ACCOUNT_ADMIN_ROLES = frozenset({"admin"})
DIRECTORY_ROLES = frozenset({"admin", "bureau"})


def may_administer_accounts(user: Any) -> bool:
    return principal(user).holds(ACCOUNT_ADMIN_ROLES, None)  # a grant for every jurisdiction


def require_account_admin(user: Any) -> None:
    if not may_administer_accounts(user):
        name = principal(user).username
        raise Forbidden(
            f"用户 {name} 无权管理账号和角色（需要全辖区的系统管理员角色）。",
            f"User {name} may not administer accounts and roles (needs the admin role for every jurisdiction).",
        )


def directory_scope(user: Any) -> frozenset[str] | None:
    """The jurisdictions whose organisations and people the user administers: None for every jurisdiction."""
    grants = [(role, place) for role, place in principal(user).grants if role in DIRECTORY_ROLES]
    if any(place is None for _role, place in grants):
        return None
    return frozenset(place for _role, place in grants if place)


def may_administer_directory(user: Any, jurisdiction: str | None) -> bool:
    scope = directory_scope(user)
    return scope is None or (jurisdiction is not None and jurisdiction in scope)


def require_directory(user: Any, jurisdiction: str | None) -> None:
    if not may_administer_directory(user, jurisdiction):
        name = principal(user).username
        raise Forbidden(
            f"用户 {name} 无权管理“{jurisdiction_name(jurisdiction, 'zh')}”的单位和人员。",
            f"User {name} may not administer organisations and people of {jurisdiction_name(jurisdiction, 'en')}.",
        )
