"""Which case a work-queue reminder is about (``engine.reminders``): the challenge's title, and its case page when
the access policy lets the reader read the challenge instance — a solver reads the case of its own project
(``engine.access.solvers.own_case_clause``) — else no link."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from engine.access import readable_clause
from engine.access.solvers import challenge_join
from engine.models.instance import ProcessInstance
from engine.models.reminder import Reminder


@dataclass(frozen=True)
class ReminderCase:
    title: str
    #: the case page the reader may open (``/instances/<id>``)
    instance_id: int | None = None


def cases_of(session: Session, user: Any, rows: Iterable[Reminder]) -> dict[tuple[str, str], ReminderCase]:
    """(business key, jurisdiction) of each reminder → its case: the challenge instance of that business key in
    the jurisdiction whose application rows are the project (``solvers.challenge_join``), the newest if the key
    was ever reused, as the solver pages pick it."""
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
        .where(
            ProcessInstance.business_key.in_(sorted({key for key, _place in keys})),
            exists().where(challenge_join()),
        )
        .order_by(ProcessInstance.id.desc())
    )
    challenge: dict[tuple[str, str], tuple[int, str]] = {}
    for iid, key, place, title in session.execute(query):
        if (key, place) in keys:
            challenge.setdefault((key, place), (iid, title or key))
    readable = set(session.scalars(query.with_only_columns(ProcessInstance.id).where(readable_clause(user))))
    found: dict[tuple[str, str], ReminderCase] = {}
    for key, place in keys:
        iid, title = challenge.get((key, place), (None, key))
        found[(key, place)] = ReminderCase(title, instance_id=iid if iid in readable else None)
    return found
