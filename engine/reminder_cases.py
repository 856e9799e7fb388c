"""Which case a work-queue reminder is about (``engine.reminders``): the challenge's title, and the page the reader
may open for it — the case page when the access policy lets them read the instance, a solver's own project page
when their unit was selected for it (``engine.access.solvers``), else no link."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import readable_clause
from engine.access.principal import principal
from engine.access.solvers import SOLVER_ROLE, own_project
from engine.errors import NotFound
from engine.models.instance import ProcessInstance
from engine.models.reminder import Reminder


@dataclass(frozen=True)
class ReminderCase:
    title: str
    #: the case page the reader may open (``/instances/<id>``)
    instance_id: int | None = None
    #: the reader's own project page (``/my/projects/<key>``), for a solver who may not read the instance
    own_project: str | None = None


def cases_of(session: Session, user: Any, rows: Iterable[Reminder]) -> dict[tuple[str, str], ReminderCase]:
    """(business key, jurisdiction) of each reminder → its case; the challenge is the first instance of that
    business key in the jurisdiction."""
    keys = {(r.project, r.jurisdiction) for r in rows}
    if not keys:
        return {}
    query = (
        select(
            ProcessInstance.id,
            ProcessInstance.business_key,
            ProcessInstance.jurisdiction,
            ProcessInstance.title,
        )
        .where(ProcessInstance.business_key.in_(sorted({key for key, _place in keys})))
        .order_by(ProcessInstance.id)
    )
    first: dict[tuple[str, str], tuple[int, str]] = {}
    for iid, key, place, title in session.execute(query):
        if (key, place) in keys:
            first.setdefault((key, place), (iid, title or key))
    readable = set(session.scalars(query.with_only_columns(ProcessInstance.id).where(readable_clause(user))))
    found: dict[tuple[str, str], ReminderCase] = {}
    for key, place in keys:
        iid, title = first.get((key, place), (None, key))
        if iid is not None and iid in readable:
            found[(key, place)] = ReminderCase(title, instance_id=iid)
        elif principal(user).holds({SOLVER_ROLE}, place) and _own(session, user, key):
            found[(key, place)] = ReminderCase(title, own_project=key)
        else:
            found[(key, place)] = ReminderCase(title)
    return found


def _own(session: Session, user: Any, key: str) -> bool:
    try:
        own_project(session, user, key)
    except NotFound:
        return False
    return True
