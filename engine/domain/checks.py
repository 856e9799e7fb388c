"""The registry of checks a form names in its ``checks`` list (forms/FORMAT.md).

The registry itself is ``engine.domain.check_registry``: this module adds the money and date checks, imports
the modules that add the others (``rule_checks``, ``consent``) and runs them by name. A check runs on the
task's data merged with the submitted values; it returns problems (the submission is refused and nothing is
stored) and hints (the requirements shown beside the fields before typing). The same functions serve the
diagrams' guards through the ``check_note`` helper (engine.domain.check_helpers).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.clock import get_clock

# rule_checks and consent register their checks when imported
from engine.domain import (  # noqa: F401
    acceptance_checks,
    consent,
    contract_payment_checks,
    date_checks,
    fiscal_tranches,
    funding_checks,
    ledger,
    rule_checks,
)
from engine.domain.check_registry import (
    CHECKS,
    Check,
    CheckContext,
    Data,
    HintsFn,
    ProblemsFn,
    on_data,
    on_today,
    register,
)
from engine.domain.problems import Hint, Problem
from engine.domain.unit_checks import Unit

__all__ = ["CHECKS", "Check", "CheckContext", "context_for", "hints", "problems", "unknown"]


def context_for(session: Session, today: date) -> CheckContext:
    from engine.domain import pilot
    from engine.models.domain import Organisation

    def paid(project: str) -> int:
        return int(ledger.balance(session, project).get("issuer_paid_fen", 0)) if project else 0

    def held(project: str) -> int:
        if not project:
            return 0
        return int(ledger.balance(session, project)["held_fen"])

    def unit(code: str) -> Unit | None:
        org = session.scalar(select(Organisation).where(Organisation.code == code)) if code else None
        return Unit(org.name, org.uscc, org.region) if org is not None else None

    def supported(jurisdiction: str, since: Any, exclude: str) -> int:
        return pilot.supported_count(session, jurisdiction, since, exclude)

    return CheckContext(
        today, paid, get_clock(session).now(), fiscal_net_fen=held, unit=unit, pilot_supported=supported
    )


def _paid(d: Data, ctx: CheckContext) -> int:
    return ctx.issuer_paid_fen(str(d.get("project_code") or ""))


def _held(d: Data, ctx: CheckContext) -> int:
    return ctx.fiscal_net_fen(str(d.get("project_code") or ""))


def _on_amount(
    amount: Callable[[Data, CheckContext], int],
    problems: Callable[[Data, int], list[Problem]],
    hints: Callable[[Data, int], list[Hint]],
) -> tuple[ProblemsFn, HintsFn]:
    """A check that reads the data and an amount of the project's ledger (paid by the issuer, or held)."""
    return (lambda d, c: problems(d, amount(d, c))), (lambda d, c: hints(d, amount(d, c)))


f, dc, ac = funding_checks, date_checks, acceptance_checks
register("selection_funding", *on_data(f.selection_problems, f.selection_hints))
register("selection_dates", *on_today(dc.stage_due_problems))
register("task_book_funding", *on_data(f.task_book_problems, f.task_book_hints))
register("task_book_dates", *on_today(dc.milestone_problems, dc.milestone_hints))
register("issuer_prepayment", *_on_amount(_paid, f.prepayment_problems, f.prepayment_hints))
register("issuer_stage_payment", *_on_amount(_paid, f.stage_payment_problems, f.stage_payment_hints))
register("issuer_final_payment", *_on_amount(_paid, f.final_payment_problems, f.final_payment_hints))
register("issuer_progress_payment", *_on_amount(_paid, f.progress_payment_problems, f.progress_payment_hints))
register("fund_audit", *_on_amount(_held, f.audit_problems, f.audit_hints))
register("termination_audit", *_on_amount(_held, f.termination_audit_problems, f.termination_audit_hints))
register("publish_dates", *on_today(dc.publish_problems, dc.publish_hints))
register("extended_window_dates", *on_today(dc.extended_window_problems, dc.extended_window_hints))
register("need_dates", *on_today(dc.need_problems, dc.need_hints))
register("acceptance_cause", *on_data(ac.acceptance_problems, ac.acceptance_hints))
# 003 §13(1): the bureau's tranche of a staged case, within the rest and its stage
register("fiscal_tranche", *on_data(fiscal_tranches.problems, fiscal_tranches.hints))
del f, dc, ac


def unknown(names: Iterable[str]) -> list[str]:
    """Names a form lists that are not registered (refused when a bundle is deployed)."""
    return [n for n in names if n not in CHECKS]


def problems(names: Iterable[str], data: Data, ctx: CheckContext) -> list[Problem]:
    return [p for n in names for p in CHECKS[n].problems(data, ctx)]


def hints(names: Iterable[str], data: Data, ctx: CheckContext) -> list[Hint]:
    return [h for n in names for h in CHECKS[n].hints(data, ctx)]
