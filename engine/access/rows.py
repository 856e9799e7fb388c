"""Which instances and tasks a principal may see: index-backed SQL conditions for lists, and the same rules for
one row.

Reading an instance — its data, events and tasks' data — is allowed to

* holders of a reading role (``INSTANCE_READ_ROLES``: bureau, admin, supervisor, expert, panel chair, approver)
  for the instance's jurisdiction (or for every jurisdiction), and
* *participants*: the user who started the instance, and users who completed, or hold the claim of, one of its
  tasks, and
* the solver of a challenge: the people of a unit whose application became the project (or a 赛马 team that left
  the race), with the solver role of the jurisdiction (``engine.access.solvers.own_case_clause``), and
* holders of an open task of the instance: a user who may act on one of its open tasks (the lane's role in the
  task's jurisdiction, the task's assignment, and nobody else's hand in the lane — ``held_task_clause``) reads
  the case as the party it is, e.g. Karamay's commissioned third party recommending the solvers (003 §12(5)).

A task assigned by name (the diagram's ``assignee``, or the bureau's reassignment) is seen and done only by its
assignee, one of a candidate organisation (``candidateOrganisation``) only by users linked to it
(``engine.assignment``); the bureau and administrators of the jurisdiction may look at any task.

Everybody else — solvers, issuers, third parties, recommenders — reads only instances they take part in, so a
solver never reads another solver's application. On top of the engine's lane rule, such a role sees and acts on
a task (and the instance data it shows) only in an instance it takes part in, or while nobody else has a hand in
that lane of the instance: no other user completed or claimed a task of the lane, and the instance was not
started by another holder of the role — or when the diagram gives the task to the user's own unit
(``candidateOrganisation``: each 赛马 team's stage report goes to that team's people). So the first issuer task of an instance the bureau started is open to the
issuers of the jurisdiction, and an application a solver started stays that solver's.

*Which fields* of a readable instance a principal sees is ``engine.access.fields``. Every rule here is an
index-backed SQL condition, so lists stay fast with many instances.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, bindparam, exists, false, or_, select, true
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import False_

from engine.access.principal import APPROVER_ROLES, OVERSIGHT_ROLES, Principal, principal
from engine.access.solvers import own_case_clause
from engine.assignment import BY_BUREAU, BY_PROCESS
from engine.errors import Forbidden
from engine.lint import role_of_lane
from engine.models import task as task_model
from engine.models.domain import Person
from engine.models.instance import ProcessInstance
from engine.models.task import HumanTask
from engine.models.user import RoleGrant, User

#: Roles that may look at (not do) any task of their jurisdiction, whoever it is assigned to.
LOOKING_ROLES = frozenset({"bureau", "admin"})
#: Roles that read every instance of their jurisdiction (fields filtered by audience).
INSTANCE_READ_ROLES = OVERSIGHT_ROLES | APPROVER_ROLES | frozenset({"expert", "panel_chair"})


def read_scope(user: Any) -> tuple[bool, set[str]]:
    """(reads every jurisdiction, the jurisdictions the user reads by role)."""
    grants = principal(user).grants
    everywhere = any(role in INSTANCE_READ_ROLES and place is None for role, place in grants)
    places = {place for role, place in grants if role in INSTANCE_READ_ROLES and place}
    return everywhere, places


def participated_clause(username: str | None) -> ColumnElement[bool]:
    """Instances the user started, or in which they completed or hold a task (ix_process_instance_started_by,
    ix_human_task_completed_by, ix_human_task_assignee). Nobody signed in took part in nothing: compared with no
    name, ``completed_by == None`` would read ``IS NULL`` and match every open task's instance."""
    if username is None:
        return false()
    took_part = select(HumanTask.instance_id).where(
        or_(HumanTask.completed_by == username, HumanTask.assignee == username)
    )
    return or_(ProcessInstance.started_by == username, ProcessInstance.id.in_(took_part))


def _lane_is(role: str) -> ColumnElement[bool]:
    """On HumanTask: the task's lane is ``role``'s (``engine.lint.role_of_lane``: the code itself or a display
    name ending in ``(role)``)."""
    return or_(
        HumanTask.lane == role,
        HumanTask.lane.endswith(f"({role})", autoescape=True),
        HumanTask.lane.endswith(f"（{role}）", autoescape=True),
    )


def held_task_clause(user: Any) -> ColumnElement[bool]:
    """On HumanTask: an open task the user may act on as a role without reading rights (third party, issuer,
    solver, recommender): its lane is the role's, in a jurisdiction of the grant; its assignment lets the user do
    it (``assignment_clause``); and nobody else has a hand in the lane (``_unclaimed_clause``), or the task is
    assigned to the user or given to the user's own unit. Stated once: ``may_act_on_task`` asks the database
    for it on one task (``_held_statement``), and the holder of such a task reads its case (``readable_clause``)."""
    who = principal(user)
    return _held_by(_acting_grants(who), who.username)


def _acting_grants(who: Principal) -> frozenset[tuple[str, str | None]]:
    """The grants ``held_task_clause`` reads: those of roles without reading rights."""
    return frozenset(grant for grant in who.grants if grant[0] not in INSTANCE_READ_ROLES)


def _held_by(
    grants: frozenset[tuple[str, str | None]], username: str | ColumnElement[str] | None
) -> ColumnElement[bool]:
    """``held_task_clause`` for ``grants`` and ``username``: a name, None (anonymous) or a column or bound
    parameter that stands for a name (``_held_statement``)."""
    named = isinstance(username, ColumnElement) or bool(username)
    by_role: list[ColumnElement[bool]] = []
    for role in sorted({granted for granted, _place in grants}):
        places = {place for granted, place in grants if granted == role}
        where = true() if None in places else HumanTask.jurisdiction.in_(sorted(p for p in places if p))
        mine = [_unclaimed_clause(role, username)]
        if named:
            mine += [
                HumanTask.assignee == username,
                HumanTask.candidate_org.in_(_organisations(username)),
            ]
        by_role.append(and_(_lane_is(role), where, or_(*mine)))
    if not by_role:
        return false()
    return and_(_open_status(), or_(*by_role), assignment_clause(username))


def _open_status() -> ColumnElement[bool]:
    """On HumanTask: the task is open (``task_model.OPEN``), its statuses bound values of their own rather than
    an expanding list, which SQLAlchemy renders into the SQL again on every execution of a cached statement."""
    return HumanTask.status.in_(
        [bindparam("open", status, type_=String, unique=True) for status in task_model.OPEN]
    )


#: ``_held_statement``'s statements by (the grants they state, the column they are asked on); bounded
_HELD: dict[tuple[frozenset[tuple[str, str | None]], str], Select[tuple[str]]] = {}
_HELD_LIMIT = 256
#: the holders asked about in ``_held_statement`` (a user row stands for each name)
_HOLDER = aliased(User, name="holder")


def _held_statement(grants: frozenset[tuple[str, str | None]], column: str) -> Select[tuple[str]]:
    """Which of the user names in the parameter ``names`` hold (``held_task_clause`` with ``grants``) a task
    whose ``column`` (``id`` or ``instance_id``) is the parameter ``key``? One statement for one holder and for
    many, built once per set of grants (building the condition costs more than asking it; a step asks it for
    every holder of a new task's lane). Each name is a user's row, so that the condition is stated once on its
    column. Only for named users: an anonymous one's condition differs in SQL (``IS NULL``), not in a
    parameter."""
    key = (grants, column)
    stmt = _HELD.get(key)
    if stmt is None:
        if len(_HELD) >= _HELD_LIMIT:
            _HELD.clear()
        held = exists().where(
            getattr(HumanTask, column) == bindparam("key"), _held_by(grants, _HOLDER.username)
        )
        stmt = _HELD[key] = select(_HOLDER.username).where(
            _HOLDER.username.in_(bindparam("names", expanding=True)), held
        )
    return stmt


def _holders_of_task(session: Session, whom: Sequence[Principal], column: str, key: Any) -> set[str]:
    """The names of those of ``whom`` (named principals) that hold (``held_task_clause``) one task (``column``
    ``id``) or any task of one instance (``instance_id``): one statement per distinct set of their grants."""
    by_grants: dict[frozenset[tuple[str, str | None]], list[str]] = {}
    for who in whom:
        grants = _acting_grants(who)
        if grants and who.username:
            by_grants.setdefault(grants, []).append(who.username)
    found: set[str] = set()
    for grants, names in by_grants.items():
        found.update(
            session.scalars(_held_statement(grants, column), {"key": key, "names": sorted(set(names))})
        )
    return found


def _holds_task(session: Session, who: Principal, column: str, key: Any) -> bool:
    """``held_task_clause`` asked of the database for one task (``column`` ``id``) or any task of one instance
    (``instance_id``)."""
    if not who.username:
        held = exists().where(getattr(HumanTask, column) == key, held_task_clause(who))
        return bool(session.scalar(select(held)))
    return who.username in _holders_of_task(session, [who], column, key)


def readable_clause(user: Any) -> ColumnElement[bool]:
    """A WHERE condition on ProcessInstance selecting the instances ``user`` may read."""
    who = principal(user)
    everywhere, places = read_scope(who)
    if everywhere:
        return true()
    clauses = [
        participated_clause(who.username),
        own_case_clause(who),
        ProcessInstance.id.in_(select(HumanTask.instance_id).where(held_task_clause(who))),
    ]
    if places:
        clauses.append(ProcessInstance.jurisdiction.in_(sorted(places)))
    return or_(*clauses)


def participates(session: Session, user: Any, instance: ProcessInstance) -> bool:
    username = principal(user).username
    if username is None:
        return False
    if instance.started_by == username:
        return True
    return bool(
        session.scalar(
            select(
                exists().where(
                    HumanTask.instance_id == instance.id,
                    or_(HumanTask.completed_by == username, HumanTask.assignee == username),
                )
            )
        )
    )


def can_read_instance(session: Session, user: Any, instance: ProcessInstance) -> bool:
    who = principal(user)
    if who.holds(INSTANCE_READ_ROLES, instance.jurisdiction):
        return True
    if participates(session, who, instance):
        return True
    if _holds_task(session, who, "instance_id", instance.id):
        return True
    own_case = select(ProcessInstance.id).where(ProcessInstance.id == instance.id, own_case_clause(who))
    return session.scalar(own_case) is not None


#: What a refused reader is told (the web's 403 page, the API's and the CLI's error): what they cannot see and
#: where to go instead — never who may, nor an account name or an instance number.
CASE_REFUSED = (
    "您不能查看这个项目案卷。您要办理的事项在“待办任务”中；揭榜方在“我的申请”“我的项目”中查看本单位的申请和"
    "项目。如确需查看，请联系科技局。",
    "You cannot see this case file. What you have to do is in your work queue; a solver finds its unit's "
    'applications and projects under "My applications" and "My projects". If you need to see it, ask the '
    "bureau.",
)
TASK_REFUSED = (
    "您不能查看或办理这项任务：它不在您的待办任务中（可能属于另一个环节或另一个单位，或已由他人办理）。"
    "请在“待办任务”中查看您的任务；如认为应由您办理，请联系科技局。",
    "You cannot see or do this task: it is not among your tasks (it may belong to another step or another "
    "unit, or someone else has taken it). Your tasks are in your work queue; if you think it should be "
    "yours, ask the bureau.",
)


def require_read(session: Session, user: Any, instance: ProcessInstance) -> None:
    if not can_read_instance(session, user, instance):
        raise Forbidden(*CASE_REFUSED)


def _unclaimed_clause(role: str, username: str | ColumnElement[str] | None) -> ColumnElement[bool]:
    """On HumanTask: nobody else has a hand in this task's lane of its instance — no other user completed or
    holds a task of the same lane, and the instance was not started by another holder of ``role``."""
    other = aliased(HumanTask)
    other_hands = (
        exists()
        .where(
            other.instance_id == HumanTask.instance_id,
            other.lane == HumanTask.lane,
            or_(
                and_(other.completed_by.is_not(None), other.completed_by != username),
                and_(other.assignee.is_not(None), other.assignee != username),
            ),
        )
        .correlate_except(other)
    )  # the task, and a holder's row standing for ``username`` (``_held_statement``)
    starter_holds = (
        exists()
        .where(
            ProcessInstance.id == HumanTask.instance_id,
            ProcessInstance.started_by != username,
            User.username == ProcessInstance.started_by,
            RoleGrant.user_id == User.id,
            RoleGrant.role == role,
        )
        .correlate_except(ProcessInstance, User, RoleGrant)
    )
    return and_(~other_hands, ~starter_holds)


#: How an assignee is set so that the task is theirs alone (a claim only locks the task; see engine.tasks).
EXCLUSIVE_ASSIGNMENTS = (BY_PROCESS, BY_BUREAU)


def _organisations(username: str | ColumnElement[str]) -> Any:
    query = select(Person.organisation).where(Person.username == username, Person.organisation.is_not(None))
    return query.correlate_except(Person)  # a holder's row standing for ``username`` (``_held_statement``)


def assignment_clause(username: str | ColumnElement[str] | None) -> ColumnElement[bool]:
    """A WHERE condition on HumanTask: the task's assignment (``engine.assignment``) lets ``username`` do it —
    it is assigned to them, or to nobody by the process or the bureau; and it names no candidate organisation,
    or one the user's account is linked to (``Person.username``)."""
    if username is None:
        return and_(HumanTask.assignee.is_(None), HumanTask.candidate_org.is_(None))
    person_ok = or_(
        HumanTask.assignee == username,
        HumanTask.assignee.is_(None),
        HumanTask.assigned_by.is_(None),
        HumanTask.assigned_by.not_in(EXCLUSIVE_ASSIGNMENTS),
    )
    org_ok = or_(
        HumanTask.candidate_org.is_(None),
        HumanTask.assignee == username,
        HumanTask.candidate_org.in_(_organisations(username)),
    )
    return and_(person_ok, org_ok)


def assignment_allows(
    session: Session, username: str | None, task: HumanTask, organisations: Collection[str] | None = None
) -> bool:
    """The same rule as ``assignment_clause`` for one row (``organisations``: the user's, when the caller read
    them; else they are read when the task names a candidate organisation)."""
    if task.assignee and task.assignee == username:
        return True
    if task.assignee and task.assigned_by in EXCLUSIVE_ASSIGNMENTS:
        return False
    if task.candidate_org:
        if username is None:
            return False
        if organisations is None:
            organisations = set(session.scalars(_organisations(username)))
        return task.candidate_org in organisations
    return True


#: Roles that do a lane's task when the task is assigned to them by name: the panel chair scores as a member of
#: the panel (000 §12(4); the expert lane of expert_scoring.bpmn).
STANDS_IN: dict[str, frozenset[str]] = {"expert": frozenset({"panel_chair"})}


def holds_lane(who: Any, task: HumanTask) -> bool:
    """The lane's role in the task's jurisdiction — or, for a task assigned to this user by the process or the
    bureau, a role that stands in for it (``STANDS_IN``)."""
    who = principal(who)
    role = role_of_lane(task.lane)
    if role is None:
        return False
    if who.holds({role}, task.jurisdiction):
        return True
    assigned_here = task.assignee is not None and task.assignee == who.username
    return (
        assigned_here
        and task.assigned_by in EXCLUSIVE_ASSIGNMENTS
        and who.holds(STANDS_IN.get(role, frozenset()), task.jurisdiction)
    )


def task_visibility_clause(user: Any, lanes: list[str]) -> ColumnElement[bool]:
    """A WHERE condition on HumanTask, on top of the queue's lane rule: tasks of reading roles' lanes as the
    queue shows them; a task of another role (solver, issuer, …) only in an instance the user may read, or while
    nobody else has a hand in it (see ``_unclaimed_clause``); and in every case only as its assignment allows
    (``assignment_clause``: another person's task, or another organisation's, is never listed). ``lanes``: the
    lane names in use."""
    return _task_visibility(principal(user), tuple(lanes))


@lru_cache(maxsize=256)
def _task_visibility(who: Principal, lanes: tuple[str, ...]) -> ColumnElement[bool]:
    """``task_visibility_clause``, built once per principal (name and grants) and lanes in use: the condition
    depends on nothing else (organisations and hands in a lane are asked in SQL), and building it costs a
    queue page more than the database takes to answer it (several ms, tens of ms for an issuer's)."""
    return and_(_visibility_by_role(who, list(lanes)), assignment_clause(who.username))


def _visibility_by_role(who: Any, lanes: list[str]) -> ColumnElement[bool]:
    everywhere, _places = read_scope(who)
    if everywhere:
        return true()
    # The task's own lane first: SQLite tries the terms of an OR in order, and a queue row is nearly always
    # shown by its lane (a probe of its instance's tasks); the instance-wide rules after it are asked only of
    # the rows it does not show.
    clauses: list[ColumnElement[bool]] = []
    for role in sorted(who.roles):
        names = [lane for lane in lanes if role_of_lane(lane) == role]
        if not names:
            continue
        if role in INSTANCE_READ_ROLES:
            clauses.append(HumanTask.lane.in_(names))
        else:
            clauses.append(and_(HumanTask.lane.in_(names), _unclaimed_clause(role, who.username)))
            if who.username:  # a task the diagram gives to the user's own unit (e.g. one 赛马 team's report)
                clauses.append(
                    and_(HumanTask.lane.in_(names), HumanTask.candidate_org.in_(_organisations(who.username)))
                )
    return or_(*clauses, *_readable_task_clauses(principal(who)))


def _readable_task_clauses(who: Principal) -> list[ColumnElement[bool]]:
    """On HumanTask: the task's instance is readable (``readable_clause``), asked of the task row and its
    instance rather than as ``instance_id IN (the readable instances)``, which on PostgreSQL lists every
    readable instance (a hashed subplan over all of a bureau's instances) to draw one page of the queue.

    Cheapest first: the jurisdiction of a reading role on the task's own column (a task keeps its instance's
    jurisdiction, ``engine.indexes``); a task assigned to the user (its instance is one they take part in);
    then an index probe of the task's instance (its starter; a solver's own case) and of its tasks (the user
    completed or holds one). Only the held-task rule stays a list of instances, and only for roles without
    reading rights (its condition is stated on HumanTask itself)."""
    _everywhere, places = read_scope(who)
    username = who.username
    clauses: list[ColumnElement[bool]] = []
    if places:
        clauses.append(HumanTask.jurisdiction.in_(sorted(places)))
    if username:
        clauses.append(HumanTask.assignee == username)
    of_instance = ProcessInstance.id == HumanTask.instance_id
    clauses.append(exists().where(of_instance, ProcessInstance.started_by == username))
    other = aliased(HumanTask)
    clauses.append(
        exists().where(
            other.instance_id == HumanTask.instance_id,
            or_(other.completed_by == username, other.assignee == username),
        )
    )
    own_case = own_case_clause(who)
    if not isinstance(own_case, False_):
        clauses.append(exists().where(of_instance, own_case))
    if _acting_grants(who):
        held = select(HumanTask.instance_id).where(held_task_clause(who)).correlate(None)
        clauses.append(HumanTask.instance_id.in_(held))
    return clauses


def may_act_on_task(session: Session, user: Any, task: HumanTask, instance: ProcessInstance) -> bool:
    """The lane's role in the task's jurisdiction, as the task's assignment allows; for a role without reading
    rights (solver, issuer, …) also holding the task (``held_task_clause``, asked of the database: the one rule
    by which the web, the API and the CLI decide) or taking part in the instance."""
    return bool(who_may_act_on_task(session, [user], task, instance))


def who_may_act_on_task(
    session: Session, users: Sequence[Any], task: HumanTask, instance: ProcessInstance
) -> list[Any]:
    """Those of ``users`` who may act on the task (``may_act_on_task``, the same rule), asked together: the
    holders of a lane told that its task is ready cost one look-up of their organisations (when the task names
    a candidate organisation) and one statement for the held-task condition of them all, not one each: the
    statement that asks it for one holder (``_held_statement``, one per distinct set of grants; the holders of
    a lane usually share one)."""
    role = role_of_lane(task.lane)
    if role is None:
        return []
    lane_holders = [user for user in users if holds_lane(principal(user), task)]
    organisations: dict[str, set[str]] | None = None
    if task.candidate_org and len(lane_holders) > 1:
        names = sorted({str(principal(u).username) for u in lane_holders if principal(u).username})
        organisations = {name: set() for name in names}
        for name, organisation in session.execute(
            select(Person.username, Person.organisation).where(
                Person.username.in_(names), Person.organisation.is_not(None)
            )
        ):
            organisations[name].add(organisation)
    allowed = [
        user
        for user in lane_holders
        if assignment_allows(
            session,
            principal(user).username,
            task,
            organisations.get(str(principal(user).username), set()) if organisations is not None else None,
        )
    ]  # not: assigned to another person, or to an organisation the user is not linked to
    if role in INSTANCE_READ_ROLES or not allowed:
        return allowed
    named = [principal(user) for user in allowed]
    held = _holders_of_task(session, [who for who in named if who.username], "id", task.id)
    return [
        user
        for user, who in zip(allowed, named, strict=True)
        if (who.username in held if who.username else _holds_task(session, who, "id", task.id))
        or can_read_instance(session, who, instance)
    ]


def may_see_task(session: Session, user: Any, task: HumanTask, instance: ProcessInstance) -> bool:
    """A task page (open or done) is shown to who may act on it, and to readers of its instance that hold the
    lane's role (to look back at what they or a colleague did)."""
    if may_act_on_task(session, user, task, instance):
        return True
    who = principal(user)
    if who.holds(LOOKING_ROLES, task.jurisdiction):
        return True  # the bureau and the administrator look at any task of their jurisdiction (reassignment)
    if not assignment_allows(session, who.username, task):
        return False  # another expert's scoring, another organisation's task: not even to look at
    role = role_of_lane(task.lane)
    return bool(role and who.holds({role}, task.jurisdiction) and can_read_instance(session, who, instance))


def require_task_access(session: Session, user: Any, task: HumanTask, instance: ProcessInstance) -> None:
    """A role without oversight (solver, issuer, …) acts only in instances it takes part in, or on a task nobody
    else has a hand in (e.g. the first task of an instance the bureau started for the issuers of its
    jurisdiction) — never in another solver's application; and only with the lane's role."""
    if not may_see_task(session, user, task, instance):
        if task.assignee and task.assigned_by in EXCLUSIVE_ASSIGNMENTS and holds_lane(user, task):
            # assigned by name (e.g. one 赛马 team's stage assessment to one panel member, 000 §12(7))
            raise Forbidden(
                "这项任务已指派给他人（如赛马团队的阶段考核指派给专家组中的一位专家），只有被指派的人可以查看"
                "和办理；如需改派，请联系科技局。",
                "This task is assigned to someone else (e.g. a race team's stage assessment to one panel "
                "member): only they may see and do it; ask the bureau to reassign it.",
            )
        raise Forbidden(*TASK_REFUSED)


def oversight_scope(user: Any) -> list[str] | None:
    """The jurisdictions whose whole case files the user oversees (bureau, supervisor, admin): None for every
    jurisdiction, else a list (possibly empty). Lists of the monitor and the reports filter on it in SQL."""
    grants = [(role, place) for role, place in principal(user).grants if role in OVERSIGHT_ROLES]
    if any(place is None for _role, place in grants):
        return None
    return sorted({place for _role, place in grants if place})
