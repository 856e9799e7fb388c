"""The registry of checks a form names in its ``checks`` list (forms/FORMAT.md).

A check runs on the task's data merged with the submitted values; it returns problems (the submission is
refused and nothing is stored) and hints (the requirements shown beside the fields before typing). The same
functions serve the diagrams' guards through the ``check_note`` helper (engine.domain.helpers).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.clock import get_clock
from engine.domain import acceptance_checks, consent, date_checks, funding_checks, ledger, rule_checks
from engine.domain.problems import Hint, Problem
from engine.domain.unit_checks import Unit


@dataclass(frozen=True)
class CheckContext:
    """What checks may know beyond the data: today's date (engine clock, Asia/Shanghai), what the issuer
    has paid the solver so far on a project (the ledger), the engine clock's instant (call windows), the
    directory's facts of a unit (locality rules) and how many projects a pilot has supported (004 二)."""

    today: date
    issuer_paid_fen: Callable[[str], int]
    now: datetime | None = None
    #: the fiscal money a project holds (disbursed less recovered), from the ledger
    fiscal_net_fen: Callable[[str], int] = lambda project: 0
    unit: Callable[[str], Unit | None] = lambda code: None
    pilot_supported: Callable[[str, Any, str], int] = lambda jurisdiction, since, exclude: 0


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


Data = Mapping[str, Any]


@dataclass(frozen=True)
class Check:
    name: str
    problems: Callable[[Data, CheckContext], list[Problem]]
    hints: Callable[[Data, CheckContext], list[Hint]]


def _paid(d: Data, ctx: CheckContext) -> int:
    return ctx.issuer_paid_fen(str(d.get("project_code") or ""))


def _held(d: Data, ctx: CheckContext) -> int:
    return ctx.fiscal_net_fen(str(d.get("project_code") or ""))


_ALL = (
    Check(
        "selection_funding",
        lambda d, c: funding_checks.selection_problems(d),
        lambda d, c: funding_checks.selection_hints(d),
    ),
    Check(
        "selection_dates",
        lambda d, c: date_checks.stage_due_problems(d, c.today),
        lambda d, c: [],
    ),
    Check(
        "task_book_funding",
        lambda d, c: funding_checks.task_book_problems(d),
        lambda d, c: funding_checks.task_book_hints(d),
    ),
    Check(
        "task_book_dates",
        lambda d, c: date_checks.milestone_problems(d, c.today),
        lambda d, c: date_checks.milestone_hints(d, c.today),
    ),
    Check(
        "issuer_prepayment",
        lambda d, c: funding_checks.prepayment_problems(d, _paid(d, c)),
        lambda d, c: funding_checks.prepayment_hints(d, _paid(d, c)),
    ),
    Check(
        "issuer_stage_payment",
        lambda d, c: funding_checks.stage_payment_problems(d, _paid(d, c)),
        lambda d, c: funding_checks.stage_payment_hints(d, _paid(d, c)),
    ),
    Check(
        "issuer_final_payment",
        lambda d, c: funding_checks.final_payment_problems(d, _paid(d, c)),
        lambda d, c: funding_checks.final_payment_hints(d, _paid(d, c)),
    ),
    Check(
        "issuer_progress_payment",
        lambda d, c: funding_checks.progress_payment_problems(d, _paid(d, c)),
        lambda d, c: funding_checks.progress_payment_hints(d, _paid(d, c)),
    ),
    Check(
        "fund_audit",
        lambda d, c: funding_checks.audit_problems(d, _held(d, c)),
        lambda d, c: funding_checks.audit_hints(d, _held(d, c)),
    ),
    Check(
        "termination_audit",
        lambda d, c: funding_checks.termination_audit_problems(d, _held(d, c)),
        lambda d, c: funding_checks.termination_audit_hints(d, _held(d, c)),
    ),
    Check(
        "publish_dates",
        lambda d, c: date_checks.publish_problems(d, c.today),
        lambda d, c: date_checks.publish_hints(d, c.today),
    ),
    Check(
        "extended_window_dates",
        lambda d, c: date_checks.extended_window_problems(d, c.today),
        lambda d, c: date_checks.extended_window_hints(d, c.today),
    ),
    Check(
        "need_dates",
        lambda d, c: date_checks.need_problems(d, c.today),
        lambda d, c: date_checks.need_hints(d, c.today),
    ),
    Check(
        "acceptance_cause",
        lambda d, c: acceptance_checks.acceptance_problems(d),
        lambda d, c: acceptance_checks.acceptance_hints(d),
    ),
)
CHECKS: dict[str, Check] = {c.name: c for c in (*_ALL, *rule_checks.checks(Check), *consent.checks(Check))}


def unknown(names: Iterable[str]) -> list[str]:
    """Names a form lists that are not registered (refused when a bundle is deployed)."""
    return [n for n in names if n not in CHECKS]


def problems(names: Iterable[str], data: Data, ctx: CheckContext) -> list[Problem]:
    return [p for n in names for p in CHECKS[n].problems(data, ctx)]


def hints(names: Iterable[str], data: Data, ctx: CheckContext) -> list[Hint]:
    return [h for n in names for h in CHECKS[n].hints(data, ctx)]
