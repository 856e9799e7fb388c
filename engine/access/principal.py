"""Who is asking: a principal (user name and role grants) and its audience for one instance.

Every face hands the policy the same thing: the engine's ``User`` (API, CLI), the web layer's signed-in user
(anything with ``username`` and ``grants`` of ``role``/``jurisdiction``) or a ``Principal`` made directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

#: Roles that oversee a jurisdiction: they read whole case files (every field) of its instances.
OVERSIGHT_ROLES = frozenset({"admin", "bureau", "supervisor"})
#: The body that approves selections, extensions and summaries.
APPROVER_ROLES = frozenset({"approver"})
#: Roles that review for the bureau: experts, panel chairs and commissioned third parties.
REVIEWER_ROLES = frozenset({"expert", "panel_chair", "third_party"})


class Audience(StrEnum):
    """How much of an instance a viewer sees, most first (``engine.access.fields`` maps fields to these)."""

    OVERSIGHT = "oversight"
    APPROVER = "approver"
    REVIEWER = "reviewer"
    #: a participant without a reviewing role: issuer, solver, recommender
    PARTY = "party"
    PUBLIC = "public"


@dataclass(frozen=True)
class Principal:
    username: str | None
    grants: frozenset[tuple[str, str | None]]

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(role for role, _place in self.grants)

    def holds(self, roles: Iterable[str], jurisdiction: str | None) -> bool:
        """A grant of one of ``roles`` for ``jurisdiction`` or for every jurisdiction."""
        wanted = set(roles)
        return any(role in wanted and place in (None, jurisdiction) for role, place in self.grants)

    def holds_anywhere(self, roles: Iterable[str]) -> bool:
        wanted = set(roles)
        return any(role in wanted for role, _place in self.grants)

    def audience(self, jurisdiction: str | None) -> Audience:
        """The viewer's audience for an instance of ``jurisdiction`` (the instance must be readable)."""
        if self.holds(OVERSIGHT_ROLES, jurisdiction):
            return Audience.OVERSIGHT
        if self.holds(APPROVER_ROLES, jurisdiction):
            return Audience.APPROVER
        if self.holds(REVIEWER_ROLES, jurisdiction):
            return Audience.REVIEWER
        return Audience.PARTY


ANONYMOUS = Principal(None, frozenset())


def principal(user: Any) -> Principal:
    """The principal of an engine ``User``, a web user (``grants``) or a ``Principal``; None: anonymous."""
    if user is None:
        return ANONYMOUS
    if isinstance(user, Principal):
        return user
    grants = getattr(user, "grants", None)
    if grants is None:
        grants = getattr(user, "roles", ())
    return Principal(getattr(user, "username", None), frozenset((g.role, g.jurisdiction) for g in grants))
