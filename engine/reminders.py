"""Reminders before deadlines, sent by diagrams (``remind`` in scripts) and read in the work queue.

A reminder names a challenge (its business key), a role and a jurisdiction. A user sees it when they hold that
role in that jurisdiction (or everywhere) and may read the challenge's instance, or — a solver — when its unit was
selected for the project (``engine.access.solvers``): a solver sees reminders of its own projects only.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session

from engine.access import readable_clause
from engine.access.solvers import own_reminder_clause
from engine.errors import ValidationFailed
from engine.models.instance import ProcessInstance
from engine.models.reminder import Reminder
from engine.models.user import User

KINDS = ("milestone", "period_end")


def add(
    session: Session,
    *,
    project: str,
    jurisdiction: str,
    roles: list[str],
    kind: str,
    subject_zh: str,
    subject_en: str,
    due_at: datetime,
) -> int:
    """Record one reminder per role; sending the same reminder again (a retried step) adds nothing.
    Returns how many rows were added."""
    if kind not in KINDS:
        raise ValidationFailed(f"未知的提醒类型：{kind}", f"unknown reminder kind: {kind}")
    if due_at.tzinfo is None:
        raise ValidationFailed("提醒的到期时间须带时区。", "A reminder's due time must carry a time zone.")
    added = 0
    for role in dict.fromkeys(roles):
        exists = session.scalar(
            select(Reminder.id).where(
                Reminder.project == project,
                Reminder.role == role,
                Reminder.kind == kind,
                Reminder.due_at == due_at,
            )
        )
        if exists is None:
            session.add(
                Reminder(
                    project=project,
                    jurisdiction=jurisdiction,
                    role=role,
                    kind=kind,
                    subject_zh=subject_zh,
                    subject_en=subject_en,
                    due_at=due_at,
                )
            )
            added += 1
    session.flush()
    return added


def settle(session: Session, *, project: str, kind: str, through: datetime) -> int:
    """The check the reminders asked for was done: the reminders of ``project`` and ``kind`` due by ``through``
    are no longer shown (a done milestone check is not overdue). Returns how many rows went."""
    if through.tzinfo is None:
        raise ValidationFailed("提醒的到期时间须带时区。", "A reminder's due time must carry a time zone.")
    gone = session.execute(
        delete(Reminder)
        .where(Reminder.project == project, Reminder.kind == kind, Reminder.due_at <= through)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.flush()
    return int(gone or 0)


def for_user(session: Session, user: User, *, now: datetime, limit: int = 20) -> list[Reminder]:
    """Reminders for ``user`` whose deadline has not passed by more than 30 days, soonest first; a reminder
    whose check was done is gone (``settle``)."""
    grants = [(g.role, g.jurisdiction) for g in user.roles]
    if not grants:
        return []
    scope = or_(
        *(
            Reminder.role == role
            if place is None
            else and_(Reminder.role == role, Reminder.jurisdiction == place)
            for role, place in grants
        )
    )
    readable = select(ProcessInstance.business_key).where(
        ProcessInstance.business_key == Reminder.project,
        ProcessInstance.jurisdiction == Reminder.jurisdiction,
        readable_clause(user),
    )
    query = (
        select(Reminder)
        .where(
            scope,
            Reminder.due_at >= now - timedelta(days=30),
            or_(readable.exists(), own_reminder_clause(session, user)),
        )
        .order_by(Reminder.due_at, Reminder.id)
        .limit(limit)
    )
    seen: set[tuple[str, str, datetime]] = set()
    rows = []
    for row in session.scalars(query):
        key = (row.project, row.kind, row.due_at)
        if key not in seen:  # a user holding two of the roles sees one reminder
            seen.add(key)
            rows.append(row)
    return rows
