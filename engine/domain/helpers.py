"""Domain functions that diagrams may call (scripts, conditions, DMN expressions). Plain JSON in and out.

Writes (ledger entries, projects, credit records) join the session of the instance change, so they commit or
roll back with it (ARCHITECTURE.md decision 3).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import objections
from engine.clock import SHANGHAI, current_now
from engine.domain import books, checks, consent, disbursement, eligibility, ledger, need_selection, panel
from engine.domain.problems import diagram_note
from engine.errors import ValidationFailed
from engine.models.domain import CreditRecord, Project
from engine.notify import produce
from engine.scripting import running_script_data


def _today() -> date:
    return current_now().astimezone(SHANGHAI).date()


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


#: the check that says what an issuer's payment of a tranche must be (engine.domain.checks)
_PAYMENT_CHECKS = {
    "prepayment": "issuer_prepayment",
    "stage": "issuer_stage_payment",
    disbursement.ISSUER_FINAL: "issuer_final_payment",
    disbursement.PROGRESS: "issuer_progress_payment",
}


def money_held(session: Session, project: str) -> disbursement.Held:
    """What the ledger holds for ``project``, as the money rules read it."""
    net: dict[str, int] = {}
    paid: dict[str, int] = {}
    for e in ledger.rows(session, project):
        team = e.solver or e.party or ""
        if e.kind == "disbursement":
            net[team] = net.get(team, 0) + e.amount_fen
            paid[team] = paid.get(team, 0) + e.amount_fen
        elif e.kind == "recovery":
            net[team] = net.get(team, 0) - e.amount_fen
    b = ledger.balance(session, project)
    return disbursement.Held(b["disbursed_fen"], b["recovered_fen"], b["issuer_paid_fen"], net, paid)


def domain_helpers(session: Session) -> dict[str, Callable[..., Any]]:
    def applicant_facts(
        jurisdiction: str,
        issuer: str,
        solver: str,
        partners: list[str] | None = None,
        members: list[str] | None = None,
        challenge: str | None = None,
    ) -> dict[str, Any]:
        return eligibility.applicant_facts(
            session,
            jurisdiction=jurisdiction,
            issuer=issuer,
            solver=solver,
            partners=list(partners or []),
            members=list(members or []),
            today=_today(),
            challenge=challenge,
        )

    def application_register(
        challenge: str, jurisdiction: str, title: str, issuer: str, solver: str, members: list[str]
    ) -> dict[str, Any]:
        """Record an application as project ``<challenge>/<solver>`` (status ``applying``): it counts among
        the members' applications of this year (002 四(二)). Registering again updates the row."""
        code = f"{challenge}{eligibility.APPLICATION_SEP}{solver}"[:64]
        row = _project_row(session, code, jurisdiction, title, issuer, solver, members, "applying")
        session.flush()
        return {"code": row.code, "status": row.status}

    def check_note(name: str, **values: Any) -> str:
        """The problems of the registered check ``name`` (engine.domain.checks) on ``values``, as one
        bilingual line with citations, ``''`` when there are none: the diagram's own guard after a form
        whose submission was already checked before it was accepted."""
        ctx = checks.context_for(session, _today())
        return diagram_note(checks.CHECKS[name].problems({**running_script_data(), **values}, ctx))

    def objection_decided(objection: Any, decision: str, reason: str) -> None:
        """Record the bureau's decision on a portal objection for the objector's look-up by receipt."""
        objections.record_decision(session, objection, decision, reason, current_now())

    def ledger_pay(
        project: str, party: str, amount_fen: int, tranche: str, source: str, jurisdiction: str | None = None
    ) -> dict[str, Any]:
        """Record a fiscal disbursement (diagram decided it is due)."""
        return ledger.record(
            session,
            project=project,
            kind="disbursement",
            party=party,
            amount_fen=amount_fen,
            tranche=tranche,
            source=source,
            jurisdiction=jurisdiction,
            at=current_now(),
        )

    def ledger_issuer_paid(
        project: str, party: str, amount_fen: int, tranche: str, source: str, jurisdiction: str | None = None
    ) -> dict[str, Any]:
        return ledger.record(
            session,
            project=project,
            kind="issuer_payment",
            party=party,
            amount_fen=amount_fen,
            tranche=tranche,
            source=source,
            jurisdiction=jurisdiction,
            at=current_now(),
        )

    def ledger_recover(
        project: str,
        party: str | None,
        amount_fen: int | None,
        reason: str,
        source: str,
        jurisdiction: str | None = None,
    ) -> dict[str, Any] | None:
        """Recover ``amount_fen`` (None = everything still held by ``party``); None when nothing is held."""
        held = ledger.balance(session, project, party)["held_fen"]
        amount = held if amount_fen is None else min(int(amount_fen), held)
        if amount <= 0:
            return None
        return ledger.record(
            session,
            project=project,
            kind="recovery",
            party=party,
            amount_fen=amount,
            reason=reason,
            source=source,
            jurisdiction=jurisdiction,
            at=current_now(),
        )

    def ledger_balance(project: str, party: str | None = None) -> dict[str, int]:
        return ledger.balance(session, project, party)

    # -- money: each helper applies a rule of engine.domain.disbursement to the running script's case and books
    # -- what it says is due in the ledger (who pays whom, for which solver, against which condition)

    def _case() -> Any:
        return running_script_data()

    def _held(d: Any) -> disbursement.Held:
        return money_held(session, str(d.get("project_code") or ""))

    def _book(d: Any, bookings: list[disbursement.Booking]) -> list[dict[str, Any]]:
        return [
            ledger.record(
                session,
                project=str(d.get("project_code") or ""),
                kind=b.kind,
                payer=b.payer,
                party=b.party,
                solver=b.solver,
                amount_fen=b.amount_fen,
                tranche=b.tranche,
                reason=b.reason,
                source=b.source,
                condition=b.condition_text(),
                evidence=b.evidence,
                jurisdiction=d.get("jurisdiction"),
                at=current_now(),
            )
            for b in bookings
        ]

    def pay_first_tranche() -> list[dict[str, Any]]:
        """The first fiscal tranche after the task book, to its recipient (disbursement.first_tranche)."""
        d = _case()
        return _book(d, disbursement.first_tranche(d, _held(d)))

    def record_issuer_payment(amount_field: str, proof_field: str, tranche: str) -> str:
        """Book the issuer's payment to the solver with its proof; the note of what is still owed before the
        next fiscal payment (checks ``issuer_prepayment`` / ``issuer_stage_payment``, '' when none); where the
        support follows the issuer's payments (003 §13(2)) the fiscal money due now is booked too."""
        d = _case()
        check = _PAYMENT_CHECKS.get(tranche, "issuer_stage_payment")
        note = diagram_note(checks.CHECKS[check].problems(d, checks.context_for(session, _today())))
        _book(d, disbursement.issuer_payment(d, amount_field, proof_field, tranche))
        _book(d, disbursement.follow_issuer(d, _held(d)))
        return note

    def record_municipal_matching() -> list[Any]:
        """001 八(二): book the district's matching support of a project the municipal list published
        (need_selection.matching_booking; nothing when it was not published or nothing is given).
        ``[fiscal_support_fen, entries]``: the support is the plan of the project's books."""
        d = _case()
        return [need_selection.matching_plan_fen(d), _book(d, need_selection.matching_booking(d))]

    def settlement_due() -> dict[str, int]:
        """What the settlement after acceptance starts from (shown on the auditor's and the issuer's forms): the
        fiscal money the project holds, what the issuer has paid the solver and still owes it (001 十(二):
        disbursement.issuer_final_owed), and the fiscal support not yet paid."""
        d = _case()
        held = _held(d)
        return {
            "fiscal_held_fen": held.net_fen,
            "issuer_paid_fen_so_far": held.issuer_paid_fen,
            "final_owed_fen": disbursement.issuer_final_owed(d, held),
            "fiscal_rest_fen": max(0, int(d.get("fiscal_support_fen") or 0) - held.net_fen),
        }

    def progress_due() -> dict[str, Any]:
        """003 §13(2): whether the issuer is asked for its payments at this milestone
        (disbursement.progress_payment_due), with what its form shows: the contract paid so far and the fiscal
        money received."""
        d = _case()
        held = _held(d)
        return {
            "due": disbursement.progress_payment_due(d, held),
            "issuer_paid_fen_so_far": held.issuer_paid_fen,
            "fiscal_held_fen": held.net_fen,
            "contract_rest_fen": max(0, int(d.get("contract_fen") or 0) - held.issuer_paid_fen),
        }

    def settle_milestone() -> dict[str, Any]:
        """Mark the milestone just checked, pay its fiscal share, and say whether the issuer's stage payment is
        now due (disbursement.milestone_tranche, stage_payment_due)."""
        d = _case()
        milestones = disbursement.mark_milestone(d)
        d = {**d, "milestones": milestones}
        paid = _book(d, disbursement.milestone_tranche(d, _held(d)))
        return {
            "milestones": milestones,
            "paid": paid,
            "stage_payment_due": disbursement.stage_payment_due(d, _held(d)),
        }

    def recover_race_exits() -> list[dict[str, Any]]:
        """Clear the teams leaving the race and recover their balance (disbursement.race_exits); each exiting
        team's application row becomes ``race_exited`` (000 §12(7): 评估后决定不继续支持的，项目自行终止) — its
        people see that on their project page and send no more stage reports."""
        d = _case()
        booked = _book(d, disbursement.race_exits(d, _held(d)))
        code = str(d.get("project_code") or "")
        leaving = [f"{code}{eligibility.APPLICATION_SEP}{s}" for s in d.get("exits") or [] if s]
        for application in session.scalars(select(Project).where(Project.code.in_(leaving))):
            application.status = "race_exited"
        session.flush()
        return booked

    def recover_on_termination() -> int:
        """Recover what the termination table says (disbursement.termination_recovery); the fen recovered."""
        d = _case()
        return sum(int(e["amount_fen"]) for e in _book(d, disbursement.termination_recovery(d, _held(d))))

    def settle_acceptance() -> dict[str, Any]:
        """Pay the rest or recover after acceptance (disbursement.acceptance_settlement); the project's books
        after it (engine.domain.books: plan, paid, owed, recovered per party)."""
        d = _case()
        _book(d, disbursement.acceptance_settlement(d, _held(d)))
        return books.settlement(d, ledger.rows(session, str(d.get("project_code") or "")))

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
        row.period_end = _date(period_end)
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
        if status not in ("ongoing", "accepted", "closed", "failed", "terminated", "revoked"):
            raise ValidationFailed(f"未知的项目状态：{status}", f"unknown project status: {status}")
        row = session.scalar(select(Project).where(Project.code == code))
        if row is None:
            raise ValidationFailed(f"项目 {code} 不存在", f"project {code} does not exist")
        row.status = status
        if period_end:
            row.period_end = _date(period_end)
        session.flush()
        produce.termination_decided(session, row, current_now(), reason or "")
        return {"code": row.code, "status": row.status}

    def extension_decided(code: str, result: str, detail: str, by: str = "") -> None:
        """Tell the solver how its extension request ended: ``granted`` (``detail``: the new end), ``rejected``
        or ``refused`` (``detail``: the reason); ``by``: the party that did not agree besides the bureau
        (``issuer``, 003 §19), named in the notice in each language."""
        if result not in ("granted", "rejected", "refused"):
            raise ValidationFailed(f"未知的延期结果：{result}", f"unknown extension result: {result}")
        row = session.scalar(select(Project).where(Project.code == code))
        if row is not None:
            party = consent.party(by) if by else None
            produce.extension_decided(session, row, result, str(detail), current_now(), party)

    def termination_refused(code: str, termination: Any, by: str, reason: str) -> str:
        """A termination was refused, ``by`` the bureau (000 §14, 001 八(八), 003 §17) or by the party that
        consents after it (``termination_cosigner``: the district government, 001 八(八); the issuer, 003 §17):
        the project is not terminated and goes on. The solver, whoever requested the termination, the issuer
        and the bureau are told who refused and why. Returns the outcome the callers branch on (``refused``)."""
        row = session.scalar(select(Project).where(Project.code == code))
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

    def applications_refused(challenge: str, refusals: list[dict[str, Any]]) -> int:
        """Record on each refused application the eligibility table's reasons and tell the solver unit (the
        application keeps counting where it counted, 002 四(二)). Returns how many applications were refused."""
        by_solver: dict[str, list[dict[str, str]]] = {}
        for r in refusals or []:
            if r and r.get("solver"):
                reason = {k: str(r.get(k) or "") for k in ("zh", "en", "source")}
                by_solver.setdefault(str(r["solver"]), []).append(reason)
        for solver, reasons in by_solver.items():
            code = f"{challenge}{eligibility.APPLICATION_SEP}{solver}"[:64]
            row = session.scalar(select(Project).where(Project.code == code))
            if row is None:
                continue
            row.refusal_json = json.dumps(reasons, ensure_ascii=False)
            session.flush()
            produce.application_refused(session, row, reasons, current_now())
        return len(by_solver)

    def credit_add(
        subject: str, kind: str, source: str, note: str = "", penalty_until: str | None = None
    ) -> dict:
        row = CreditRecord(
            subject=subject,
            kind=kind,
            recorded_on=_today(),
            penalty_until=_date(penalty_until),
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
        from engine import reminders

        return reminders.add(
            session,
            project=project,
            jurisdiction=jurisdiction,
            roles=list(roles),
            kind=kind,
            subject_zh=subject_zh,
            subject_en=subject_en,
            due_at=_instant(due_at),
        )

    def days_between(a: str, b: str) -> int:
        """Calendar days from date ``a`` to date ``b`` (Asia/Shanghai dates of ISO strings)."""
        da, db = _local_date(a), _local_date(b)
        return (db - da).days

    def add_days(start: str, n: int) -> str:
        """The ISO date ``n`` calendar days after the date of ``start``."""
        from datetime import timedelta

        return (_local_date(start) + timedelta(days=int(n))).isoformat()

    def end_of_day(day: str) -> str:
        """24:00 (Asia/Shanghai) at the end of ``day``, ISO with offset: the instant a date-bounded period ends."""
        from datetime import datetime, time, timedelta

        d = _local_date(day)
        return datetime.combine(d + timedelta(days=1), time(0), SHANGHAI).isoformat()

    def add_months(start: str, n: int) -> str:
        """The ISO date ``n`` calendar months after the date of ``start`` (clamped to the month's last day)."""
        d = _local_date(start)
        month = d.month - 1 + int(n)
        year, month = d.year + month // 12, month % 12 + 1
        for day in (d.day, 30, 29, 28):
            try:
                return date(year, month, day).isoformat()
            except ValueError:
                continue
        raise ValueError("unreachable")

    def today() -> str:
        """The clock's current date in Asia/Shanghai, ISO."""
        return _today().isoformat()

    def is_after(a: str, b: str) -> bool:
        """Whether instant ``a`` is later than instant ``b`` (ISO strings with or without offsets; naive =
        Asia/Shanghai)."""
        return _instant(a) > _instant(b)

    return {
        "is_after": is_after,
        "add_months": add_months,
        "today": today,
        "applicant_facts": applicant_facts,
        "application_register": application_register,
        "ledger_pay": ledger_pay,
        "ledger_issuer_paid": ledger_issuer_paid,
        "ledger_recover": ledger_recover,
        "ledger_balance": ledger_balance,
        "pay_first_tranche": pay_first_tranche,
        "record_issuer_payment": record_issuer_payment,
        "record_municipal_matching": record_municipal_matching,
        "panel_lead": need_selection.panel_lead,
        "settle_milestone": settle_milestone,
        "recover_race_exits": recover_race_exits,
        "recover_on_termination": recover_on_termination,
        "settle_acceptance": settle_acceptance,
        "settlement_due": settlement_due,
        "progress_due": progress_due,
        "project_open": project_open,
        "project_status": project_status,
        "credit_add": credit_add,
        "remind": remind,
        "days_between": days_between,
        "add_days": add_days,
        "end_of_day": end_of_day,
        "objection_decided": objection_decided,
        "extension_decided": extension_decided,
        "termination_refused": termination_refused,
        "applications_refused": applications_refused,
        "check_panel": panel.check_panel,
        "check_note": check_note,
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


def _local_date(value: Any) -> date:
    from datetime import datetime

    text = str(value)
    if len(text) <= 10:
        return date.fromisoformat(text)
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=SHANGHAI)
    return dt.astimezone(SHANGHAI).date()


def _instant(value: Any) -> Any:
    from datetime import datetime

    dt = datetime.fromisoformat(str(value))
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=SHANGHAI)
