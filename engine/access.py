"""Who may read what: the read rules the API applies (the web UI may share them).

Acting on a task follows the engine's rule (``engine.tasks._authorize``: the lane's role in the instance's
jurisdiction). Reading an instance — its data, events and tasks' data — is allowed to

* holders of an *oversight* role (``INSTANCE_READ_ROLES``: bureau, admin, supervisor, expert, panel chair,
  approver) for the instance's jurisdiction (or for every jurisdiction), and
* *participants*: the user who started the instance, and users who completed, or hold the claim of, one of its
  tasks.

Everybody else — solvers, issuers, third parties, recommenders — reads only instances they take part in, so a
solver never sees another solver's application. On top of the engine's lane rule, such a role sees and acts on
a task (and the instance data it shows) only in an instance it takes part in, or while nobody else has a hand in
that lane of the instance: no other user completed or claimed a task of the lane, and the instance was not
started by another holder of the role. So the first issuer task of an instance the bureau started is open to the
issuers of the jurisdiction, and an application a solver started stays that solver's.

Every rule is an index-backed SQL condition, so lists stay fast with many instances.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, or_, select, true
from sqlalchemy.orm import Session, aliased

from engine.errors import Forbidden
from engine.lint import role_of_lane
from engine.models.instance import ProcessInstance
from engine.models.task import HumanTask
from engine.models.user import RoleGrant, User
from engine.users import INSTANCE_CONTROL_ROLES, holds_role, require_role

#: Roles that read every instance of their jurisdiction.
INSTANCE_READ_ROLES = frozenset({"admin", "bureau", "supervisor", "expert", "panel_chair", "approver"})
#: Roles that may deploy bundles and read deployments.
DEPLOY_ROLES = frozenset({"admin", "process_owner"})
#: Roles that may deliver a message to an instance of their jurisdiction (integrations of the bureau).
MESSAGE_ROLES = INSTANCE_CONTROL_ROLES


def read_scope(user: User) -> tuple[bool, set[str]]:
    """(reads every jurisdiction, the jurisdictions the user oversees)."""
    everywhere = any(g.role in INSTANCE_READ_ROLES and g.jurisdiction is None for g in user.roles)
    places = {g.jurisdiction for g in user.roles if g.role in INSTANCE_READ_ROLES and g.jurisdiction}
    return everywhere, places


def participated_clause(username: str) -> ColumnElement[bool]:
    """Instances the user started, or in which they completed or hold a task (ix_process_instance_started_by,
    ix_human_task_completed_by, ix_human_task_assignee)."""
    took_part = select(HumanTask.instance_id).where(
        or_(HumanTask.completed_by == username, HumanTask.assignee == username)
    )
    return or_(ProcessInstance.started_by == username, ProcessInstance.id.in_(took_part))


def readable_clause(user: User) -> ColumnElement[bool]:
    """A WHERE condition on ProcessInstance selecting the instances ``user`` may read."""
    everywhere, places = read_scope(user)
    if everywhere:
        return true()
    clauses = [participated_clause(user.username)]
    if places:
        clauses.append(ProcessInstance.jurisdiction.in_(sorted(places)))
    return or_(*clauses)


def participates(session: Session, user: User, instance: ProcessInstance) -> bool:
    if instance.started_by == user.username:
        return True
    return bool(
        session.scalar(
            select(
                exists().where(
                    HumanTask.instance_id == instance.id,
                    or_(HumanTask.completed_by == user.username, HumanTask.assignee == user.username),
                )
            )
        )
    )


def can_read_instance(session: Session, user: User, instance: ProcessInstance) -> bool:
    if any(holds_role(user, role, instance.jurisdiction) for role in INSTANCE_READ_ROLES):
        return True
    return participates(session, user, instance)


def require_read(session: Session, user: User, instance: ProcessInstance) -> None:
    if not can_read_instance(session, user, instance):
        raise Forbidden(
            f"用户 {user.username} 无权查看流程实例 {instance.id}：只有其辖区的管理角色和参与人可以查看。",
            f"User {user.username} may not read process instance {instance.id}: only the oversight roles of its "
            "jurisdiction and its participants may.",
        )


def _unclaimed_clause(role: str, username: str) -> ColumnElement[bool]:
    """On HumanTask: nobody else has a hand in this task's lane of its instance — no other user completed or
    holds a task of the same lane, and the instance was not started by another holder of ``role``."""
    other = aliased(HumanTask)
    other_hands = exists().where(
        other.instance_id == HumanTask.instance_id,
        other.lane == HumanTask.lane,
        or_(
            and_(other.completed_by.is_not(None), other.completed_by != username),
            and_(other.assignee.is_not(None), other.assignee != username),
        ),
    )
    starter_holds = exists().where(
        ProcessInstance.id == HumanTask.instance_id,
        ProcessInstance.started_by != username,
        User.username == ProcessInstance.started_by,
        RoleGrant.user_id == User.id,
        RoleGrant.role == role,
    )
    return and_(~other_hands, ~starter_holds)


def task_visibility_clause(user: User, lanes: list[str]) -> ColumnElement[bool]:
    """A WHERE condition on HumanTask, on top of the queue's lane rule: tasks of oversight roles' lanes as the
    queue shows them; a task of another role (solver, issuer, …) only in an instance the user may read, or while
    nobody else has a hand in it (see ``_unclaimed_clause``). ``lanes``: the lane names in use."""
    everywhere, _places = read_scope(user)
    if everywhere:
        return true()
    clauses: list[ColumnElement[bool]] = [
        HumanTask.instance_id.in_(select(ProcessInstance.id).where(readable_clause(user)))
    ]
    for role in sorted({g.role for g in user.roles}):
        names = [lane for lane in lanes if role_of_lane(lane) == role]
        if not names:
            continue
        if role in INSTANCE_READ_ROLES:
            clauses.append(HumanTask.lane.in_(names))
        else:
            clauses.append(and_(HumanTask.lane.in_(names), _unclaimed_clause(role, user.username)))
    return or_(*clauses)


def may_act_on_task(session: Session, user: User, task: HumanTask, instance: ProcessInstance) -> bool:
    role = role_of_lane(task.lane)
    if role in INSTANCE_READ_ROLES or can_read_instance(session, user, instance):
        return True
    if role is None:
        return False
    unclaimed = select(exists().where(HumanTask.id == task.id, _unclaimed_clause(role, user.username)))
    return bool(session.scalar(unclaimed))


def require_task_access(session: Session, user: User, task: HumanTask, instance: ProcessInstance) -> None:
    """The API's rule on top of the engine's lane rule: a role without oversight (solver, issuer, …) acts only
    in instances it takes part in, or on a task nobody else has a hand in (e.g. the first task of an instance the
    bureau started for the issuers of its jurisdiction) — never in another solver's application."""
    if not may_act_on_task(session, user, task, instance):
        raise Forbidden(
            f"用户 {user.username} 不是流程实例 {instance.id} 的参与人，不能查看或办理其中的任务。",
            f"User {user.username} does not take part in process instance {instance.id} and may not see or act on "
            "its tasks.",
        )


def require_deployer(user: User) -> None:
    require_role(user, DEPLOY_ROLES, None, "部署流程", "deploy processes")


def require_deployment_reader(user: User) -> None:
    if not any(g.role in DEPLOY_ROLES | INSTANCE_READ_ROLES for g in user.roles):
        raise Forbidden(
            f"用户 {user.username} 无权查看部署记录。", f"User {user.username} may not read deployments."
        )


def require_starter(user: User, jurisdiction: str | None) -> None:
    """Anyone may start an instance without a jurisdiction; with one, the user must hold a role there."""
    if jurisdiction is None:
        return
    if not any(g.jurisdiction is None or g.jurisdiction == jurisdiction for g in user.roles):
        raise Forbidden(
            f"用户 {user.username} 在辖区 {jurisdiction} 没有任何角色，不能在该辖区发起流程。",
            f"User {user.username} holds no role in jurisdiction {jurisdiction} and may not start a process there.",
        )
