"""A solver's own applications and projects: what the solver pages, the solver's downloads and its reminders ask.

A solver unit is the organisation a user's account is linked to (``Person.username``). Its applications are the
project rows ``<challenge>/<unit>`` (``engine.domain`` registers them); a project is its own once the unit's
application is ``selected``. A solver reads its own application and project through these rules only — it does
not become a reader of the whole challenge instance: what it sees of the case data is filtered for the party
audience (``engine.access.fields``), so never another applicant's plan.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, literal, or_, select
from sqlalchemy.orm import Session

from engine.access.fields import FieldViewer
from engine.access.principal import Audience, principal
from engine.domain.eligibility import APPLICATION_SEP
from engine.errors import NotFound
from engine.models.domain import Person, Project
from engine.models.instance import ProcessInstance
from engine.models.reminder import Reminder

SOLVER_ROLE = "solver"
#: An application row that became the project (``engine.domain.record_helpers`` ``project_open``).
SELECTED = "selected"
#: A selected 赛马 team that failed the stage assessment and left the race (000 §12(7): its project ends; the
#: team still reads its project, read-only, engine.domain.money_helpers recover_race_exits).
RACE_EXITED = "race_exited"
#: The application states whose unit has (or had) the project.
PROJECT_STATES = (SELECTED, RACE_EXITED)


def solver_units(session: Session, user: Any) -> frozenset[str]:
    """The units the user acts for as a solver: organisations linked to the account, when it holds the role."""
    from engine.access.policy import organisations_of

    who = principal(user)
    if not who.holds_anywhere({SOLVER_ROLE}):
        return frozenset()
    return organisations_of(session, who.username)


def application_clause(units: frozenset[str]) -> ColumnElement[bool]:
    """On Project: the application rows of ``units`` (index ``ix_project_solver``)."""
    if not units:
        return false()
    return and_(Project.solver.in_(sorted(units)), Project.code.contains(APPLICATION_SEP))


def challenge_join() -> ColumnElement[bool]:
    """Join condition of an application row and its challenge instance (``<challenge>/<solver>``)."""
    return and_(
        Project.code == ProcessInstance.business_key + literal(APPLICATION_SEP) + Project.solver,
        ProcessInstance.process_key.like("%\\_challenge", escape="\\"),
    )


def own_case_clause(user: Any) -> ColumnElement[bool]:
    """On ProcessInstance: the challenges whose project is (or was) the user's unit's — an application of an
    organisation linked to the account (``Person.username``) that was selected, or a 赛马 team that left the
    race — in a jurisdiction where the user holds the solver role. The solver reads that case as a party
    (``engine.access.fields``: its own records, never another applicant's plan or an expert's own scores).

    The grant is the application row, which keeps its state while the project runs: a solver applies by a
    message to the challenge (the portal), not by starting it or doing one of its tasks, so "taking part"
    (``rows.participates``) never names it. Index-backed: ``ix_project_solver`` and the code's unique index."""
    who = principal(user)
    places = {place for role, place in who.grants if role == SOLVER_ROLE}
    if not places or who.username is None:
        return false()
    units = select(Person.organisation).where(
        Person.username == who.username, Person.organisation.is_not(None)
    )
    clause = exists().where(
        challenge_join(),
        Project.solver.in_(units),
        Project.status.in_(PROJECT_STATES),
    )
    if None in places:
        return clause
    return and_(clause, ProcessInstance.jurisdiction.in_(sorted(p for p in places if p)))


def _own_application(
    session: Session, user: Any, challenge: str, *, selected: bool
) -> tuple[Project, ProcessInstance]:
    units = solver_units(session, user)
    query = (
        select(Project, ProcessInstance)
        .join(ProcessInstance, challenge_join())
        .where(application_clause(units), ProcessInstance.business_key == challenge)
        .order_by(ProcessInstance.id.desc())
        .limit(1)
    )
    if selected:
        query = query.where(Project.status.in_(PROJECT_STATES))
    found = session.execute(query).first()
    if found is None or not _holds_solver(user, found[1].jurisdiction):
        what_zh, what_en = ("项目", "project") if selected else ("揭榜申请", "application")
        raise NotFound(
            f"没有找到贵单位的{what_zh} {challenge}，或您无权查看。",
            f"Your unit has no {what_en} {challenge}, or you may not see it.",
        )
    return found[0], found[1]


def _holds_solver(user: Any, jurisdiction: str | None) -> bool:
    return principal(user).holds({SOLVER_ROLE}, jurisdiction)


def own_application(session: Session, user: Any, challenge: str) -> tuple[Project, ProcessInstance]:
    """The user's unit's application to ``challenge`` and the challenge's instance; NotFound otherwise (the
    answer does not say whether another unit applied)."""
    return _own_application(session, user, challenge, selected=False)


def own_project(session: Session, user: Any, challenge: str) -> tuple[Project, ProcessInstance]:
    """Like ``own_application``, for a selected application: the solver's running or finished project."""
    return _own_application(session, user, challenge, selected=True)


def solver_viewer(session: Session, user: Any) -> FieldViewer:
    """How a solver sees its own application's or project's case data: as a party, its own records only."""
    return FieldViewer(Audience.PARTY, principal(user).username, solver_units(session, user))


def own_reminder_clause(session: Session, user: Any) -> ColumnElement[bool]:
    """On Reminder: reminders for the solver role of projects the user's unit was selected for."""
    units = solver_units(session, user)
    if not units:
        return false()
    return and_(
        Reminder.role == SOLVER_ROLE,
        or_(
            *(
                exists().where(
                    Project.code == Reminder.project + literal(f"{APPLICATION_SEP}{unit}"),
                    Project.status == SELECTED,
                )
                for unit in sorted(units)
            )
        ),
    )
