"""Money functions that diagrams may call: each books in the ledger what a rule of engine.domain.disbursement
says is due for the running script's case (who pays whom, for which solver, against which condition), or
says what is held and owed. Plain JSON in and out.

The entries join the session of the instance change, so they commit or roll back with it (ARCHITECTURE.md
decision 3).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.clock import current_now
from engine.domain import books, checks, disbursement, eligibility, fiscal_tranches, ledger, need_selection
from engine.domain.date_helpers import today_local
from engine.domain.problems import diagram_note
from engine.models.domain import Project
from engine.scripting import running_script_data

#: the check that says what an issuer's payment of a tranche must be (engine.domain.checks)
_PAYMENT_CHECKS = {
    "prepayment": "issuer_prepayment",
    "stage": "issuer_stage_payment",
    disbursement.ISSUER_FINAL: "issuer_final_payment",
    disbursement.PROGRESS: "issuer_progress_payment",
    disbursement.CONTRACT: "issuer_contract_payment",
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


def money_helpers(session: Session) -> dict[str, Callable[..., Any]]:
    """The money functions, bound to the instance change's session, by the names diagrams call them."""

    def _record(kind: str, **entry: Any) -> dict[str, Any]:
        return ledger.record(session, kind=kind, at=current_now(), **entry)

    def _payment(kind: str) -> Callable[..., dict[str, Any]]:
        """Record a payment of ``kind`` the diagram decided is due: a fiscal disbursement (``ledger_pay``) or
        the issuer's payment to ``party`` (``ledger_issuer_paid``)."""

        def pay(
            project: str,
            party: str,
            amount_fen: int,
            tranche: str,
            source: str,
            jurisdiction: str | None = None,
        ) -> dict[str, Any]:
            return _record(
                kind,
                project=project,
                party=party,
                amount_fen=amount_fen,
                tranche=tranche,
                source=source,
                jurisdiction=jurisdiction,
            )

        return pay

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
        return _record(
            "recovery",
            project=project,
            party=party,
            amount_fen=amount,
            reason=reason,
            source=source,
            jurisdiction=jurisdiction,
        )

    def ledger_balance(project: str, party: str | None = None) -> dict[str, int]:
        return ledger.balance(session, project, party)

    def _held(d: Any) -> disbursement.Held:
        return money_held(session, str(d.get("project_code") or ""))

    def _book(d: Any, bookings: list[disbursement.Booking]) -> list[dict[str, Any]]:
        return [
            _record(
                b.kind,
                project=str(d.get("project_code") or ""),
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
            )
            for b in bookings
        ]

    def pay_first_tranche() -> list[dict[str, Any]]:
        """The first fiscal tranche after the task book, to its recipient (disbursement.first_tranche)."""
        d = running_script_data()
        return _book(d, disbursement.first_tranche(d, _held(d)))

    def record_issuer_payment(
        amount_field: str, proof_field: str, tranche: str, date_field: str | None = None
    ) -> str:
        """Book the issuer's payment to the solver with its proof (and the day it paid, ``date_field``); the
        note of what is still owed before the next fiscal payment (checks ``issuer_prepayment`` /
        ``issuer_stage_payment``, '' when none); where the support follows the issuer's payments (003 §13(2))
        the fiscal money due now is booked too."""
        d = running_script_data()
        check = _PAYMENT_CHECKS.get(tranche, "issuer_stage_payment")
        note = diagram_note(checks.CHECKS[check].problems(d, checks.context_for(session, today_local())))
        _book(d, disbursement.issuer_payment(d, amount_field, proof_field, tranche, date_field))
        _book(d, disbursement.follow_issuer(d, _held(d)))
        return note

    def record_municipal_matching() -> list[Any]:
        """001 八(二): book the district's matching support of a project the municipal list published
        (need_selection.matching_booking; nothing when it was not published or nothing is given).
        ``[fiscal_support_fen, entries]``: the support is the plan of the project's books."""
        d = running_script_data()
        return [need_selection.matching_plan_fen(d), _book(d, need_selection.matching_booking(d))]

    def tranche_due() -> dict[str, Any]:
        """003 §13(1): the stage a staged case has reached and what its clerk's form shows — the support, what
        is paid, the rest, what may be paid now (the prefilled amount) — and whether a task is asked for
        (fiscal_tranches.figures)."""
        d = running_script_data()
        return fiscal_tranches.figures(d, _held(d))

    def pay_fiscal_tranche() -> str:
        """Book the clerk's tranche (fiscal_tranches.booking) after the diagram's own guard: the check
        ``fiscal_tranche`` again on the figures as the ledger stands now; '' when booked, else the problems."""
        d = running_script_data()
        held = _held(d)
        d = {**d, "tranche_figures": fiscal_tranches.figures(d, held)}
        note = diagram_note(fiscal_tranches.problems(d))
        if not note:
            _book(d, fiscal_tranches.booking(d, held))
        return note

    def settlement_due() -> dict[str, int]:
        """What the settlement after acceptance starts from (shown on the auditor's and the issuer's forms): the
        fiscal money the project holds, what the issuer has paid the solver and still owes it (001 十(二):
        disbursement.issuer_final_owed), and the fiscal support not yet paid."""
        d = running_script_data()
        held = _held(d)
        return {
            "fiscal_held_fen": held.net_fen,
            "issuer_paid_fen_so_far": held.issuer_paid_fen,
            "final_owed_fen": disbursement.issuer_final_owed(d, held),
            "fiscal_rest_fen": max(0, int(d.get("fiscal_support_fen") or 0) - held.net_fen),
        }

    def contract_due() -> dict[str, int]:
        """What the issuer still owes the solvers under its contracts as the project's books state it (the
        column 发榜方尚应支付, engine.domain.books; 002 五(二)1: the 揭榜金额 the issuer pays the solver), with
        what it paid so far and the contracts — shown on its payment form, and the settlement waits for 0."""
        d = running_script_data()
        kept = books.books(d, ledger.rows(session, str(d.get("project_code") or "")))
        return {
            "contracts_fen": kept.issuer_paid_fen + kept.issuer_owed_fen,
            "issuer_paid_fen_so_far": kept.issuer_paid_fen,
            "owed_fen": kept.issuer_owed_fen,
        }

    def progress_due() -> dict[str, Any]:
        """003 §13(2): whether the issuer is asked for its payments at this milestone
        (disbursement.progress_payment_due), with what its form shows: the contract paid so far and the fiscal
        money received."""
        d = running_script_data()
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
        d = running_script_data()
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
        d = running_script_data()
        booked = _book(d, disbursement.race_exits(d, _held(d)))
        code = str(d.get("project_code") or "")
        leaving = [f"{code}{eligibility.APPLICATION_SEP}{s}" for s in d.get("exits") or [] if s]
        for application in session.scalars(select(Project).where(Project.code.in_(leaving))):
            application.status = "race_exited"
        session.flush()
        return booked

    def recover_on_termination() -> int:
        """Recover what the termination table says (disbursement.termination_recovery); the fen recovered."""
        d = running_script_data()
        return sum(int(e["amount_fen"]) for e in _book(d, disbursement.termination_recovery(d, _held(d))))

    def settle_acceptance() -> dict[str, Any]:
        """Pay the rest or recover after acceptance (disbursement.acceptance_settlement); the project's books
        after it (engine.domain.books: plan, paid, owed, recovered per party)."""
        d = running_script_data()
        _book(d, disbursement.acceptance_settlement(d, _held(d)))
        return books.settlement(d, ledger.rows(session, str(d.get("project_code") or "")))

    return {
        "ledger_pay": _payment("disbursement"),
        "ledger_issuer_paid": _payment("issuer_payment"),
        "ledger_recover": ledger_recover,
        "ledger_balance": ledger_balance,
        "pay_first_tranche": pay_first_tranche,
        "record_issuer_payment": record_issuer_payment,
        "record_municipal_matching": record_municipal_matching,
        "settle_milestone": settle_milestone,
        "recover_race_exits": recover_race_exits,
        "recover_on_termination": recover_on_termination,
        "settle_acceptance": settle_acceptance,
        "settlement_due": settlement_due,
        "tranche_due": tranche_due,
        "pay_fiscal_tranche": pay_fiscal_tranche,
        "progress_due": progress_due,
        "contract_due": contract_due,
    }
