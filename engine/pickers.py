"""The records a form's pickers offer and accept (``forms`` type ``picker``, FORMAT.md), for one case.

* ``organisation``: organisations of the case's jurisdiction and those registered for every jurisdiction;
* ``person``: people of those organisations, shown with their organisation's name (of the given units only,
  where the scope names them: an application's team comes from the solver's unit and its partners);
* ``solver``: the organisations that applied in this case (its application rows ``<case>/<solver>``).

The same scope both lists the choices (rendering) and checks the submitted codes (``forms.pickers``), so a code
the list would not offer is refused with a clear message, whatever sent it (browser, API, CLI).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.domain.eligibility import APPLICATION_SEP
from engine.models.domain import Organisation, Person, Project
from forms.definition import FormDefinition
from forms.pickers import check_picks

#: Most records a picker lists (a jurisdiction's directory is far smaller; the search box narrows it).
PICKER_LIMIT = 2000


class PickerScope:
    """Choices of the pickers of one case (jurisdiction and business key), read once per kind."""

    def __init__(
        self,
        session: Session,
        jurisdiction: str | None,
        case_key: str | None,
        people_of: Collection[str] | None = None,
    ) -> None:
        self.session = session
        self.jurisdiction = jurisdiction
        self.case_key = case_key
        #: the units whose people the ``person`` picker offers (None: every unit of the jurisdiction)
        self.people_of = None if people_of is None else sorted(set(people_of))
        self._cache: dict[str, list[tuple[str, str]]] = {}

    def _in_jurisdiction(self, column: Any) -> Any:
        if self.jurisdiction is None:
            return column.is_(None)
        return or_(column == self.jurisdiction, column.is_(None))

    def _organisations(self) -> list[tuple[str, str]]:
        rows = self.session.execute(
            select(Organisation.code, Organisation.name)
            .where(self._in_jurisdiction(Organisation.jurisdiction))
            .order_by(Organisation.name, Organisation.code)
            .limit(PICKER_LIMIT)
        )
        return [(code, name) for code, name in rows]

    def _people(self) -> list[tuple[str, str]]:
        query = (
            select(Person.code, Person.name, Organisation.name)
            .join(Organisation, Organisation.code == Person.organisation)
            .where(self._in_jurisdiction(Organisation.jurisdiction))
        )
        if self.people_of is not None:
            query = query.where(Person.organisation.in_(self.people_of))
        rows = self.session.execute(query.order_by(Person.name, Person.code).limit(PICKER_LIMIT))
        return [(code, f"{name}（{unit}）") for code, name, unit in rows]

    def _solvers(self) -> list[tuple[str, str]]:
        if not self.case_key:
            return []
        prefix = self.case_key + APPLICATION_SEP
        rows = self.session.execute(
            select(Project.solver, Organisation.name)
            .outerjoin(Organisation, Organisation.code == Project.solver)
            .where(Project.code.startswith(prefix, autoescape=True), Project.solver.is_not(None))
            .order_by(Organisation.name, Project.solver)
        )
        return list(dict.fromkeys((code, name or code) for code, name in rows))

    def choices(self, of: str) -> list[tuple[str, str]]:
        """(code, name) of every record a picker of kind ``of`` offers."""
        if of not in self._cache:
            read = {"organisation": self._organisations, "person": self._people, "solver": self._solvers}.get(
                of
            )
            self._cache[of] = read() if read is not None else []
        return self._cache[of]

    def known(self, of: str, codes: list[str]) -> set[str]:
        """The codes among ``codes`` that a picker of kind ``of`` accepts."""
        offered = {code for code, _ in self.choices(of)}
        return {c for c in codes if c in offered}

    def check(self, defn: FormDefinition, cleaned: dict[str, Any]) -> None:
        """Raise ``FormInvalid`` if a picker of ``defn`` holds a code this case does not offer."""
        check_picks(defn, cleaned, self.known)
