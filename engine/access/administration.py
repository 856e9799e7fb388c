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
        raise Forbidden(
            "您不能管理账号和角色：这由系统管理员办理。如需开通账号或调整角色，请联系系统管理员。",
            "You cannot administer accounts and roles: the administrator does. To open an account or change a "
            "role, ask the administrator.",
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
        raise Forbidden(
            f"您不能管理“{jurisdiction_name(jurisdiction, 'zh')}”的单位和人员：这由其科技局办理，请联系科技局。",
            f"You cannot administer the organisations and people of {jurisdiction_name(jurisdiction, 'en')}: "
            "its bureau does; ask the bureau.",
        )
