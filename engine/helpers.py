"""The project's own functions that diagrams may call (timer expressions, scripts, conditions).

``window_end(start, n, unit)`` — end of a publicity/application window by the counting rule of
POLICIES.md §6 (ISO 8601 with +08:00); ``now()`` — the clock's current instant, ISO 8601 with +08:00;
and the domain functions: checks (``engine.domain.check_helpers``: eligibility facts, panels, check notes),
money (``engine.domain.money_helpers``: the ledger), records (``engine.domain.record_helpers``: applications,
projects, credit, reminders, decision notices), dates (``engine.domain.date_helpers``),
``engine.domain.report_helpers`` (``annual_summary``, 000 §12(8)) and ``engine.domain.rule_helpers`` (the
non-money lifecycle rules: need intake, applications, 赛马, checkpoints, changes, extension, termination).
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from engine.calendar import WorkCalendar
from engine.clock import SHANGHAI, current_now
from engine.domain.check_helpers import check_helpers
from engine.domain.date_helpers import date_helpers
from engine.domain.money_helpers import money_helpers
from engine.domain.record_helpers import record_helpers
from engine.domain.report_helpers import report_helpers
from engine.domain.rule_helpers import rule_helpers
from engine.scripting import make_script_engine


class LazyCalendar:
    """Loads the holiday table only when a diagram first asks for a working-day computation."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._calendar: WorkCalendar | None = None

    def get(self) -> WorkCalendar:
        if self._calendar is None:
            self._calendar = WorkCalendar.current(self._session)
        return self._calendar


#: ``session.info`` key of the script engine built for the session's current transaction
_ENGINE = "jiebang_script_engine"


def script_engine_for(session: Session) -> PythonScriptEngine:
    """The restricted script engine with the project's functions bound to ``session``: built once per
    transaction (building it costs more than a small step's engine work; issue 15) and forgotten when the
    transaction ends, so the holiday table is read afresh by the next one."""
    engine = session.info.get(_ENGINE)
    if engine is None:
        engine = session.info[_ENGINE] = _build_script_engine(session)
    return engine


@event.listens_for(Session, "after_transaction_end")
def _forget_script_engine(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_ENGINE, None)


def _build_script_engine(session: Session) -> PythonScriptEngine:
    calendar = LazyCalendar(session)

    def window_end(start: Any, n: int, unit: str = "days") -> str:
        return calendar.get().window_end(start, n, unit)

    def now() -> str:
        return current_now().astimezone(SHANGHAI).isoformat()

    domain = {
        **check_helpers(session),
        **money_helpers(session),
        **record_helpers(session),
        **date_helpers(),
    }
    helpers = {
        "window_end": window_end,
        "now": now,
        **domain,
        **report_helpers(session),
        # the non-money lifecycle rules (engine.domain.rule_helpers)
        **rule_helpers(session, domain),
    }
    return make_script_engine(helpers)
