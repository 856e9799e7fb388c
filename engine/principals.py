"""Who acts and who holds a role, read as principals straight from the user and grant tables: one prebuilt
Core statement per look-up, no ORM objects (a step reads both; issue 15: the ORM's loading of users with their
grants cost as much as the rest of a step's queries)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine.access.principal import Principal
from engine.models.user import RoleGrant, User
from engine.users import no_such_actor, remembered_actor, require_named

_USER = User.__table__
_GRANT = RoleGrant.__table__


@dataclass(frozen=True)
class Holder(Principal):
    """An active user holding a role, with the addresses notifications go to."""

    email: str | None = None
    phone: str | None = None


#: the acting user's state and every grant, one row per grant (one row with no grant: a user without roles)
_ACTING = (
    select(_USER.c.active, _GRANT.c.role, _GRANT.c.jurisdiction)
    .select_from(_USER.outerjoin(_GRANT, _GRANT.c.user_id == _USER.c.id))
    .where(_USER.c.username == bindparam("username"))
)


def acting_principal(session: Session, username: str | None) -> Principal:
    """The acting user as a principal; refused like ``engine.users.get_user`` (nobody named, unknown or
    disabled)."""
    name = require_named(username)
    known = remembered_actor(
        session, name
    )  # a web request's signed-in user, read when the sign-in was checked
    if known is not None:
        return Principal(name, frozenset((g.role, g.jurisdiction) for g in known.roles))
    rows = session.execute(_ACTING, {"username": name}).all()
    if not rows or not rows[0].active:
        raise no_such_actor(name)
    return Principal(name, frozenset((r.role, r.jurisdiction) for r in rows if r.role is not None))


def _holders_query(in_jurisdiction: bool):  # type: ignore[no-untyped-def]
    holding = _GRANT.alias("holding")
    held = select(holding.c.id).where(holding.c.user_id == _USER.c.id, holding.c.role == bindparam("role"))
    if in_jurisdiction:
        held = held.where(holding.c.jurisdiction == bindparam("jurisdiction"))
    return (
        select(_USER.c.username, _USER.c.email, _USER.c.phone, _GRANT.c.role, _GRANT.c.jurisdiction)
        .select_from(_USER.join(_GRANT, _GRANT.c.user_id == _USER.c.id))
        .where(_USER.c.active, held.exists())
        .order_by(_USER.c.username)
    )


_HOLDERS = {True: _holders_query(True), False: _holders_query(False)}


def role_holders(session: Session, role: str, jurisdiction: str | None) -> list[Holder]:
    """The active users with a grant of ``role`` for ``jurisdiction`` (for any jurisdiction when None), each
    with all their grants, by user name."""
    params = {"role": role, "jurisdiction": jurisdiction} if jurisdiction else {"role": role}
    grants: dict[str, set[tuple[str, str | None]]] = {}
    addresses: dict[str, tuple[str | None, str | None]] = {}
    for row in session.execute(_HOLDERS[bool(jurisdiction)], params):
        grants.setdefault(row.username, set()).add((row.role, row.jurisdiction))
        addresses[row.username] = (row.email, row.phone)
    return [Holder(name, frozenset(grants[name]), *addresses[name]) for name in grants]
