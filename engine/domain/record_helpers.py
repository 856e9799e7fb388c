"""Functions that diagrams may call to keep the directory's records of a case: applications and projects with
their status, credit records, reminders, and the notices of decisions (applications refused or selected,
extensions and terminations decided, objections decided). Plain JSON in and out.

Writes join the session of the instance change, so they commit or roll back with it (ARCHITECTURE.md
decision 3).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import objections, reminders
from engine.clock import current_now
from engine.domain import consent, eligibility
from engine.domain.date_helpers import as_date, instant, today_local
from engine.errors import ValidationFailed
from engine.models.domain import APPLYING, PROJECT_STATUSES, REMOVED, CreditRecord, Project
from engine.notify import produce


def record_helpers(session: Session) -> dict[str, Callable[..., Any]]:
    """The record functions, bound to the instance change's session, by the names diagrams call them."""

    def _project(code: str) -> Project | None:
        return session.scalar(select(Project).where(Project.code == code))

    def application_register(
        challenge: str, jurisdiction: str, title: str, issuer: str, solver: str, members: list[str]
    ) -> dict[str, Any]:
        """Record an application as project ``<challenge>/<solver>`` (status ``applying``): it counts among
        the members' applications of this year (002 四(二)). Registering again updates the row."""
        code = f"{challenge}{eligibility.APPLICATION_SEP}{solver}"[:64]
        row = _project_row(session, code, jurisdiction, title, issuer, solver, members, APPLYING)
        session.flush()
        return {"code": row.code, "status": row.status}

    def applications_removed(challenge: str, kept: list[str]) -> int:
        """The applications to ``challenge`` that the bureau left off the list it collected (受理揭榜申请) are
        marked ``removed``: they no longer count among their unit's and members' applications (002 四(二)),
        and the solver unit is told. Returns how many were removed."""
        removed = list(
            session.scalars(
                select(Project).where(
                    Project.code.startswith(f"{challenge}{eligibility.APPLICATION_SEP}", autoescape=True),
                    Project.status == APPLYING,
                    Project.solver.not_in(sorted({str(s) for s in kept if s})),
                )
            )
        )
        for row in removed:
            row.status = REMOVED
        session.flush()
        for row in removed:
            produce.application_removed(session, row, current_now())
        return len(removed)

    def applications_refused(challenge: str, refusals: list[dict[str, Any]]) -> int:
        """Record on each refused application the eligibility table's reasons and tell the solver unit (the
        application keeps counting where it counted, 002 四(二)). Returns how many applications were refused."""
        by_solver: dict[str, list[dict[str, str]]] = {}
        for r in refusals or []:
            if r and r.get("solver"):
                reason = {k: str(r.get(k) or "") for k in ("zh", "en", "source")}
                by_solver.setdefault(str(r["solver"]), []).append(reason)
        for solver, reasons in by_solver.items():
            row = _project(f"{challenge}{eligibility.APPLICATION_SEP}{solver}"[:64])
            if row is None:
                continue
            row.refusal_json = json.dumps(reasons, ensure_ascii=False)
            session.flush()
            produce.application_refused(session, row, reasons, current_now())
        return len(by_solver)

    def project_open(
        code: str,
        jurisdiction: str,
        title: str,
        issuer: str,
        solver: str,
        members: list[str] | None = None,
        period_end: str | None = None,
    ) -> dict[str, Any]:
        row = _project_row(session, code, jurisdiction, title, issuer, solver, members, "ongoing")
        row.period_end = as_date(period_end)
        chosen = [f"{code}{eligibility.APPLICATION_SEP}{s}" for s in solver.split(",") if s]
        selected = list(session.scalars(select(Project).where(Project.code.in_(chosen))))
        for application in selected:
            application.status = "selected"  # the ongoing project counts from now on, not the application
        session.flush()
        produce.applications_selected(session, selected, row.code, current_now())
        return {"code": row.code, "status": row.status}

    def project_status(
        code: str, status: str, period_end: str | None = None, reason: str | None = None
    ) -> dict[str, Any]:
        if status not in PROJECT_STATUSES:
            raise ValidationFailed(f"未知的项目状态：{status}", f"unknown project status: {status}")
        row = _project(code)
        if row is None:
            raise ValidationFailed(f"项目 {code} 不存在", f"project {code} does not exist")
        row.status = status
        if period_end:
            row.period_end = as_date(period_end)
        session.flush()
        produce.termination_decided(session, row, current_now(), reason or "")
        return {"code": row.code, "status": row.status}

    def extension_decided(code: str, result: str, detail: str, by: str = "") -> None:
        """Tell the solver how its extension request ended: ``granted`` (``detail``: the new end), ``rejected``
        or ``refused`` (``detail``: the reason); ``by``: the party that did not agree besides the bureau
        (``issuer``, 003 §19), named in the notice in each language."""
        if result not in ("granted", "rejected", "refused"):
            raise ValidationFailed(f"未知的延期结果：{result}", f"unknown extension result: {result}")
        row = _project(code)
        if row is not None:
            party = consent.party(by) if by else None
            produce.extension_decided(session, row, result, str(detail), current_now(), party)

    def termination_refused(code: str, termination: Any, by: str, reason: str) -> str:
        """A termination was refused, ``by`` the bureau (000 §14, 001 八(八), 003 §17) or by the party that
        consents after it (``termination_cosigner``: the district government, 001 八(八); the issuer, 003 §17):
        the project is not terminated and goes on. The solver, whoever requested the termination, the issuer
        and the bureau are told who refused and why. Returns the outcome the callers branch on (``refused``)."""
        row = _project(code)
        requested = termination if isinstance(termination, dict) else {}
        if row is not None:
            produce.termination_refused(
                session,
                row,
                consent.party(by),
                str(reason or ""),
                str(requested.get("submitted_by") or ""),
                current_now(),
            )
        return "refused"

    def credit_add(
        subject: str, kind: str, source: str, note: str = "", penalty_until: str | None = None
    ) -> dict[str, Any]:
        row = CreditRecord(
            subject=subject,
            kind=kind,
            recorded_on=today_local(),
            penalty_until=as_date(penalty_until),
            source=source,
            note=note or None,
        )
        session.add(row)
        session.flush()
        return {"subject": subject, "kind": kind, "recorded_on": row.recorded_on.isoformat()}

    def remind(
        project: str,
        jurisdiction: str,
        roles: list[str],
        kind: str,
        subject_zh: str,
        subject_en: str,
        due_at: str,
    ) -> int:
        """Remind the holders of ``roles`` of a deadline (shown in their work queue); once per deadline."""
        return reminders.add(
            session,
            project=project,
            jurisdiction=jurisdiction,
            roles=list(roles),
            kind=kind,
            subject_zh=subject_zh,
            subject_en=subject_en,
            due_at=instant(due_at),
        )

    def objection_decided(objection: Any, decision: str, reason: str) -> None:
        """Record the bureau's decision on a portal objection for the objector's look-up by receipt."""
        objections.record_decision(session, objection, decision, reason, current_now())

    return {
        "application_register": application_register,
        "applications_refused": applications_refused,
        "applications_removed": applications_removed,
        "project_open": project_open,
        "project_status": project_status,
        "extension_decided": extension_decided,
        "termination_refused": termination_refused,
        "credit_add": credit_add,
        "remind": remind,
        "objection_decided": objection_decided,
    }


def _project_row(
    session: Session,
    code: str,
    jurisdiction: str,
    title: str,
    issuer: str,
    solver: str,
    members: list[str] | None,
    status: str,
) -> Project:
    """Create or update the 揭榜挂帅 project (or application) row ``code``; created at the engine's clock."""
    row = session.scalar(select(Project).where(Project.code == code))
    if row is None:
        row = Project(
            code=code,
            jurisdiction=jurisdiction,
            title=title[:255],
            scheme="jiebang",
            created_at=current_now(),
        )
        session.add(row)
    row.issuer, row.solver, row.status = issuer, solver, status
    row.members_json = json.dumps(list(members or []), ensure_ascii=False)
    return row
