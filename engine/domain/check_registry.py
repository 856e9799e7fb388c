"""The one registry of the checks a form names in its ``checks`` list (forms/FORMAT.md).

Each module that owns checks adds them here when it is imported (``engine.domain.checks`` imports them all);
a name is registered once. A check runs on the task's data merged with the submitted values and a
:class:`CheckContext`; it returns problems (the submission is refused) and hints (shown beside the fields).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

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


Data = Mapping[str, Any]
ProblemsFn = Callable[[Data, CheckContext], list[Problem]]
HintsFn = Callable[[Data, CheckContext], list[Hint]]


@dataclass(frozen=True)
class Check:
    name: str
    problems: ProblemsFn
    hints: HintsFn


CHECKS: dict[str, Check] = {}


def register(name: str, problems: ProblemsFn, hints: HintsFn) -> None:
    """Add a check; a name registered twice is a programming error."""
    if name in CHECKS:
        raise ValueError(f"check {name!r} is registered twice")
    CHECKS[name] = Check(name, problems, hints)


def no_hints(d: Data, c: CheckContext) -> list[Hint]:
    return []


def no_problems(d: Data, c: CheckContext) -> list[Problem]:
    return []


def on_data(
    problems: Callable[[Data], list[Problem]], hints: Callable[[Data], list[Hint]] | None = None
) -> tuple[ProblemsFn, HintsFn]:
    """A check that reads the data alone."""
    return (lambda d, c: problems(d)), ((lambda d, c: hints(d)) if hints else no_hints)


def on_today(
    problems: Callable[[Data, date], list[Problem]], hints: Callable[[Data, date], list[Hint]] | None = None
) -> tuple[ProblemsFn, HintsFn]:
    """A check that reads the data and today's date."""
    return (lambda d, c: problems(d, c.today)), ((lambda d, c: hints(d, c.today)) if hints else no_hints)
