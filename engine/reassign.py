"""Reassignment and delegation of an open human task by the bureau (or an administrator) of its jurisdiction.

The clerk picks another person among the eligible users — active holders of the lane's role in the task's
jurisdiction and, when the task names a candidate organisation, linked to it — and gives a reason. The change
is written in one transaction with an instance event (``task_reassigned``, shown in the timeline), an audit
event and a ``task_ready`` notification to the new assignee.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from engine import audit
from engine.access.rows import LOOKING_ROLES, STANDS_IN
from engine.assignment import BY_BUREAU, user_name
from engine.clock import get_clock
from engine.db import begin_write
from engine.errors import ValidationFailed
from engine.lint import role_of_lane
from engine.models.domain import Person
from engine.models.instance import ProcessInstance
from engine.models.task import HumanTask
from engine.models.user import RoleGrant, User
from engine.users import get_user, require_role

REASON_MAX = 500


def eligible_assignees(session: Session, row: HumanTask) -> list[User]:
    """Who may be given the task: active users holding the lane's role (or one standing in for it, e.g. the panel
    chair for an expert's scoring) in its jurisdiction (or everywhere) and,
    for a task of a candidate organisation, linked to that organisation. Ordered by display name."""
    role = role_of_lane(row.lane)
    if role is None:
        return []
    query = (
        select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(User.active, RoleGrant.role.in_(sorted({role} | STANDS_IN.get(role, frozenset()))))
        .options(selectinload(User.roles))
    )
    if row.jurisdiction:
        query = query.where((RoleGrant.jurisdiction == row.jurisdiction) | RoleGrant.jurisdiction.is_(None))
    if row.candidate_org:
        linked = select(Person.username).where(Person.organisation == row.candidate_org)
        query = query.where(User.username.in_(linked))
    users = {u.username: u for u in session.scalars(query)}
    return sorted(users.values(), key=lambda u: (u.display_name or u.username, u.username))


def require_reassigner(session: Session, actor: str | None, row: HumanTask) -> User:
    user = get_user(session, actor)
    require_role(user, LOOKING_ROLES, row.jurisdiction, "改派任务", "reassign tasks")
    return user


def reassign(session: Session, task_id: str, *, actor: str | None, to: str, reason: str) -> HumanTask:
    """Give the open task ``task_id`` to the user ``to``. Commits; refuses (changing nothing) when the task is
    not open, the actor is not bureau or admin of its jurisdiction, ``to`` is not eligible or the reason is
    missing."""
    from engine.notify.produce import Text, notify
    from engine.tasks import _log, _open_task

    begin_write(session)
    row = _open_task(session, task_id)
    clerk = require_reassigner(session, actor, row)
    fields: dict[str, list[str]] = {}
    fields_en: dict[str, list[str]] = {}
    text = (reason or "").strip()
    if not text:
        fields["reason"], fields_en["reason"] = (
            ["请填写改派理由。"],
            ["Give the reason for the reassignment."],
        )
    elif len(text) > REASON_MAX:
        fields["reason"] = [f"改派理由不能超过 {REASON_MAX} 个字。"]
        fields_en["reason"] = [f"The reason must be at most {REASON_MAX} characters."]
    eligible = {u.username: u for u in eligible_assignees(session, row)}
    if to not in eligible:
        fields["to"] = ["请从列表中选择一位可以办理此任务的人员。"]
        fields_en["to"] = ["Choose a person from the list who may do this task."]
    elif to == row.assignee:
        fields["to"] = ["此任务已指派给该人员，请选择另一位。"]
        fields_en["to"] = ["The task is already assigned to this person; choose another."]
    if fields:
        session.rollback()
        raise ValidationFailed(
            "改派未完成，请按提示修改。",
            "The task was not reassigned; correct the marked fields.",
            details={"fields": fields, "fields_en": fields_en},
        )
    previous = row.assignee
    new_user = eligible[to]
    row.assignee = to
    row.assigned_by = BY_BUREAU
    detail = {
        "from": previous,
        "from_name": user_name(session, previous) if previous else None,
        "to": to,
        "to_name": new_user.display_name or to,
        "reason": text,
    }
    _log(session, row, "task_reassigned", clerk.username, detail)
    audit.record(
        session,
        "task_reassigned",
        actor=clerk.username,
        subject=to,
        detail={"task": row.id, "task_name": row.name, "instance": row.instance_id, **detail},
    )
    instance = session.get(ProcessInstance, row.instance_id)
    title = (instance.title or instance.business_key) if instance else None
    title = title or f"#{row.instance_id}"
    name = row.name or row.task_spec
    clerk_name = clerk.display_name or clerk.username
    notify(
        session,
        [to],
        kind="task_ready",
        cause=f"task:{row.id}:assigned:{to}",
        text=Text(
            f"任务改派给您：{name}（{title}）",
            f"Task assigned to you: {name} ({title})",
            f"{clerk_name} 将“{title}”的任务“{name}”改派给您办理。理由：{text}",
            f"{clerk_name} assigned the task '{name}' of '{title}' to you. Reason: {text}",
        ),
        now=get_clock(session).now(),
        link=f"/tasks/{row.id}",
        instance_id=row.instance_id,
    )
    session.commit()
    return row
