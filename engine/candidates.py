"""Which units a case may pick as the solver (``applicant``) or as a consortium partner (``partner``), and why
not the others: the case's own eligibility table (``bpmn/<j>/eligibility_<j>.dmn``, the decision its
diagram calls, each row citing its document) evaluated for each unit on the facts of
``engine.domain.eligibility.applicant_facts`` with the case's issuer.

A row counts against a unit only when it holds with the unit and not without it: a rule about the issuer
alone (its own credit) refuses every application and is the diagram's to report, not a reason to hide one unit.
The issuer itself is refused by every table's 000 §8 rows (neither the solver nor its partner). Where the
applying unit is known (``lead``: a solver's own apply page), it is not offered as its own partner either
(``unit_checks.solver_as_partner``, 000 §8, 003 §8).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any

from sqlalchemy.orm import Session

from engine.clock import SHANGHAI, get_clock
from engine.domain import unit_checks
from engine.domain.eligibility import applicant_facts
from engine.version_row import Version

#: The eligibility decision a jurisdiction's diagram calls.
DECISION_PREFIX = "eligibility_"


@dataclass(frozen=True)
class Refusal:
    """One row of the eligibility table that refuses a unit: the rule's text and its source document."""

    zh: str
    en: str
    source: str


def eligibility_decision(pv: Version, jurisdiction: str | None) -> Any:
    """The DMN engine of the business rule task that calls ``eligibility_<jurisdiction>`` in the version's
    diagrams (its called stages included), or None."""
    from engine.runtime import version_specs

    wanted = f"{DECISION_PREFIX}{jurisdiction}"
    spec, subprocesses = version_specs(pv)
    for process in [spec, *subprocesses.values()]:
        for task_spec in process.task_specs.values():
            dmn = getattr(task_spec, "dmnEngine", None)
            if dmn is not None and getattr(dmn.decision_table, "id", None) in (wanted, f"Table_{wanted}"):
                return dmn
    return None


class Candidates:
    """The eligibility of units for one case; each unit is judged once per role."""

    def __init__(
        self,
        session: Session,
        pv: Version,
        jurisdiction: str | None,
        case_key: str | None,
        data: Mapping[str, Any],
        lead: str | None = None,
    ) -> None:
        from engine.helpers import script_engine_for

        self.session = session
        self.jurisdiction = jurisdiction or ""
        self.case_key = case_key
        self.data = data
        self.issuer = str(data.get("issuer_code") or "")
        self.lead = lead or ""
        self.decision = eligibility_decision(pv, jurisdiction)
        self.engine = script_engine_for(session)
        self.today: date = get_clock(session).now().astimezone(SHANGHAI).date()
        self._judged: dict[tuple[str, str], list[Refusal]] = {}
        self._baseline: dict[str, set[str]] = {}

    def _rows(self, solver: str, partners: list[str]) -> list[dict[str, Any]]:
        facts = applicant_facts(
            self.session,
            jurisdiction=self.jurisdiction,
            issuer=self.issuer,
            solver=solver,
            partners=partners,
            today=self.today,
            challenge=self.case_key,
        )
        facts["solver_not_local"] = bool(solver) and bool(
            unit_checks.solver_locality_problems(self.data, solver, self._unit)
        )
        application = {"solver": solver, "partners_list": partners, "members_list": [], "facts": facts}
        task = SimpleNamespace(
            data={"application": application}, workflow=SimpleNamespace(script_engine=self.engine)
        )
        found = self.decision.result(task).get("refusal", []) if self.decision is not None else []
        return [r for r in found if isinstance(r, Mapping)]

    def _unit(self, code: str) -> Any:
        from engine.domain.checks import context_for

        return context_for(self.session, self.today).unit(code)

    def refusals(self, role: str, code: str) -> list[Refusal]:
        """Why ``code`` cannot be the solver (``role`` ``applicant``) or a partner (``partner``) of this case;
        [] when nothing refuses it."""
        key = (role, code)
        if key not in self._judged:
            if role not in self._baseline:
                self._baseline[role] = {str(r.get("rule")) for r in self._rows("", [])}
            rows = self._rows(code, []) if role == "applicant" else self._rows("", [code])
            found = [
                Refusal(str(r.get("zh", "")), str(r.get("en", "")), str(r.get("source", "")))
                for r in rows
                if str(r.get("rule")) not in self._baseline[role]
            ]
            if role == "partner" and code and code == self.lead:
                own = unit_checks.solver_as_partner()
                found.append(Refusal(own.zh, own.en, own.source or ""))
            self._judged[key] = found
        return self._judged[key]
