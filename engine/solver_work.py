"""What a solver unit sees of its own work: its applications, its projects with the money it received, and the
reminders of what falls due. Lists are SQL over indexed rows (project, process_instance, ledger_entry,
reminder); who may see which row is ``engine.access.solvers``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from engine.access import solvers
from engine.models.domain import LedgerEntry, Project
from engine.models.instance import ProcessInstance
from engine.models.reminder import Reminder


@dataclass(frozen=True)
class Application:
    challenge: str
    title: str
    jurisdiction: str
    solver: str
    #: applying, selected, removed (``engine.models.domain``); ``not_selected`` once the challenge's project
    #: chose others; ``refused`` when the eligibility check refused it
    status: str
    submitted_at: datetime
    instance_id: int
    instance_status: str
    #: why it was refused: the eligibility table's reasons [{zh, en, source}]
    refusals: tuple[dict[str, str], ...] = ()
    #: the receipt number issued when it was submitted on the portal (None when the bureau entered it)
    receipt: str | None = None


@dataclass(frozen=True)
class ProjectSummary:
    code: str
    title: str
    jurisdiction: str
    solver: str
    status: str
    period_end: date | None
    #: fiscal money paid to the unit less what was recovered, and what the issuer paid it (fen)
    fiscal_fen: int
    issuer_fen: int
    next_due: Reminder | None


def applications(session: Session, user: Any) -> list[Application]:
    """The applications of the user's units, newest first, with the challenge's state (one query)."""
    units = solvers.solver_units(session, user)
    return _applications(session, solvers.application_clause(units))


def application_by_receipt(session: Session, receipt: str) -> Application | None:
    """The one application whose receipt number is ``receipt`` (the portal's look-up), or None."""
    found = _applications(session, Project.receipt == receipt)
    return found[0] if found else None


def _applications(session: Session, where: Any) -> list[Application]:
    chosen = Project.__table__.alias("chosen")
    rows = session.execute(
        select(Project, ProcessInstance, chosen.c.status)
        .join(ProcessInstance, solvers.challenge_join())
        .outerjoin(chosen, chosen.c.code == ProcessInstance.business_key)
        .where(where)
        .order_by(Project.created_at.desc(), Project.id.desc())
    ).all()
    seen: set[str] = set()
    out: list[Application] = []
    for project, instance, project_status in rows:
        if project.code in seen:  # a challenge restarted under the same key: the newest instance
            continue
        seen.add(project.code)
        state = project.status
        refusals = tuple(json.loads(project.refusal_json)) if project.refusal_json else ()
        if state == "applying" and refusals:
            state = "refused"
        elif state == "applying" and project_status is not None:
            state = "not_selected"  # the project was opened for other solvers
        out.append(
            Application(
                challenge=instance.business_key or "",
                title=instance.title or project.title,
                jurisdiction=project.jurisdiction,
                solver=project.solver or "",
                status=state,
                submitted_at=project.created_at,
                instance_id=instance.id,
                instance_status=instance.status,
                refusals=refusals,
                receipt=project.receipt,
            )
        )
    return out


def projects(session: Session, user: Any, *, now: datetime) -> list[ProjectSummary]:
    """The projects the user's units were selected for, with money received and the next deadline (three
    queries whatever the number of projects)."""
    units = solvers.solver_units(session, user)
    chosen = Project.__table__.alias("chosen")
    rows = session.execute(
        select(chosen, Project.solver, Project.status.label("application_status"))
        .join(Project, Project.code == chosen.c.code + "/" + Project.solver)
        .where(solvers.application_clause(units), Project.status.in_(solvers.PROJECT_STATES))
        .order_by(chosen.c.created_at.desc())
    ).all()
    codes = sorted({row.code for row in rows})
    money: dict[tuple[str, str, str], int] = {}
    if codes:
        sums = session.execute(
            select(LedgerEntry.project, LedgerEntry.party, LedgerEntry.kind, func.sum(LedgerEntry.amount_fen))
            .where(LedgerEntry.project.in_(codes), LedgerEntry.party.in_(sorted(units)))
            .group_by(LedgerEntry.project, LedgerEntry.party, LedgerEntry.kind)
        ).all()
        money = {(p, party or "", kind): int(total or 0) for p, party, kind, total in sums}
    due: dict[str, Reminder] = {}
    if codes:
        for reminder in session.scalars(
            select(Reminder)
            .where(
                and_(
                    Reminder.project.in_(codes), Reminder.role == solvers.SOLVER_ROLE, Reminder.due_at >= now
                )
            )
            .order_by(Reminder.due_at)
        ):
            due.setdefault(reminder.project, reminder)
    out = []
    for row in rows:
        unit = row.solver
        out.append(
            ProjectSummary(
                code=row.code,
                title=row.title,
                jurisdiction=row.jurisdiction,
                solver=unit,
                # a 赛马 team that exited: its own state, not the winner's project's (000 §12(7))
                status=solvers.RACE_EXITED if row.application_status == solvers.RACE_EXITED else row.status,
                period_end=row.period_end,
                fiscal_fen=money.get((row.code, unit, "disbursement"), 0)
                - money.get((row.code, unit, "recovery"), 0),
                issuer_fen=money.get((row.code, unit, "issuer_payment"), 0),
                next_due=due.get(row.code),
            )
        )
    return out


def ledger_of(session: Session, code: str, unit: str) -> list[LedgerEntry]:
    """The ledger entries of project ``code`` paid to or recovered from ``unit``."""
    return list(
        session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.project == code, LedgerEntry.party == unit)
            .order_by(LedgerEntry.at, LedgerEntry.id)
        )
    )


def reminders_of(session: Session, code: str) -> list[Reminder]:
    """The solver's reminders of project ``code``, by due date."""
    return list(
        session.scalars(
            select(Reminder)
            .where(Reminder.project == code, Reminder.role == solvers.SOLVER_ROLE)
            .order_by(Reminder.due_at)
        )
    )
