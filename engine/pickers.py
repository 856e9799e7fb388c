"""The records a form's pickers offer and accept (``forms`` type ``picker``, FORMAT.md), for one case.

* ``organisation``: organisations of the case's jurisdiction and those registered for every jurisdiction;
* ``person``: people of those organisations, shown with their organisation's name (of the given units only,
  where the scope names them: an application's team comes from the solver's unit and its partners);
* ``solver``: the organisations that applied in this case (its application rows ``<case>/<solver>``);
* ``applicant`` / ``partner``: the organisations this case may pick as the solver / as a consortium partner —
  those of ``organisation`` that the case's eligibility table does not refuse (``engine.candidates``: never the
  issuer, nor a unit with a credit record the table names); a forged choice is refused with the table's reason
  and its source document;
* ``team``: the people of the solvers the case chose (its data's ``solvers``): their applications' team members
  (``<case>/<solver>`` rows) and the people of their own units — the chief expert a solver names (003 §12(8)2);
* ``bureau_staff``: the people of the government offices (``Organisation.kind`` ``government``) of the case's
  jurisdiction itself — its bureau and its counties' offices, never those registered for every jurisdiction —
  whom the bureau sends, e.g. Zhangye's 驻企特派员 (004 五(一): 由项目所在县区指定专人担任); anyone else is
  refused by name with that rule. Government offices are never parties: ``organisation`` and ``person`` (and
  the kinds built on them) leave them out;
* ``expert``: the experts of the case's jurisdiction's expert pool (``engine.expert_pool``) available today,
  by their accounts' user names, shown with their organisation (e.g. Dazu's acceptance panel, 001 八(八)) —
  never one who must 回避 the case by the draw's own rule (``expert_pool.pickable_experts``: of the issuer's,
  an applicant's, the solver's or a partner's unit, or affiliated with one); a forged one is refused with the
  reason.

A ``person`` picker with ``people_of`` (sibling pickers, FORMAT.md) accepts only people of the units chosen there
(and of the scope's own ``people_of`` units, e.g. the solver's unit on the apply page).

The same scope both lists the choices (rendering) and checks the submitted codes (``forms.pickers``), so a code
the list would not offer is refused with a clear message, whatever sent it (browser, API, CLI).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.candidates import Candidates
from engine.domain.eligibility import APPLICATION_SEP
from engine.models.domain import GOVERNMENT, Organisation, Person, Project
from engine.models.instance import ProcessInstance
from forms.definition import DIRECTORY_KINDS, FormDefinition
from forms.errors import Message
from forms.pickers import check_people, check_picks, codes_of


def _json_list(text: str | None) -> list[Any]:
    """The list a JSON text column holds ([] for none or anything else)."""
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []


#: Picker kinds judged by the case's eligibility table (``engine.candidates``).
JUDGED = ("applicant", "partner")

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
        instance: ProcessInstance | None = None,
        data: Mapping[str, Any] | None = None,
        lead: str | None = None,
    ) -> None:
        """``instance`` (with its data, read when first needed unless given) lets ``applicant``/``partner``
        pickers judge units by the case's eligibility table; without it they offer nothing. ``lead``: the unit
        applying (a solver's apply page), never offered as its own partner."""
        self.lead = lead
        self.session = session
        self.instance = instance
        self._data = data
        self._candidates: Candidates | None = None
        self.jurisdiction = jurisdiction
        self.case_key = case_key
        #: the units whose people the ``person`` picker offers (None: every unit of the jurisdiction)
        self.people_of = None if people_of is None else sorted(set(people_of))
        self._cache: dict[str, list[tuple[str, str]]] = {}
        self._experts_read: tuple[list[Any], dict[str, list[str]]] | None = None
        #: people chosen on the page that it does not offer (a refused submission shown again): named only
        self.named_people: list[str] = []

    def _in_jurisdiction(self, column: Any) -> Any:
        if self.jurisdiction is None:
            return column.is_(None)
        return or_(column == self.jurisdiction, column.is_(None))

    def _organisations(self, among: list[str] | None = None) -> list[tuple[str, str]]:
        """(code, name) of the units offered (``among``: only those of these codes)."""
        query = select(Organisation.code, Organisation.name).where(
            self._in_jurisdiction(Organisation.jurisdiction), Organisation.kind != GOVERNMENT
        )
        if among is not None:
            query = query.where(Organisation.code.in_(among))
        rows = self.session.execute(query.order_by(Organisation.name, Organisation.code).limit(PICKER_LIMIT))
        return [(code, name) for code, name in rows]

    def _people(self, among: list[str] | None = None) -> list[tuple[str, str]]:
        """(code, ``name（unit）``) of the people offered (``among``: only those of these codes)."""
        query = (
            select(Person.code, Person.name, Organisation.name)
            .join(Organisation, Organisation.code == Person.organisation)
            .where(self._in_jurisdiction(Organisation.jurisdiction), Organisation.kind != GOVERNMENT)
        )
        if self.people_of is not None:
            query = query.where(Person.organisation.in_(self.people_of))
        if among is not None:
            query = query.where(Person.code.in_(among))
        rows = self.session.execute(query.order_by(Person.name, Person.code).limit(PICKER_LIMIT))
        return [(code, f"{name}（{unit}）") for code, name, unit in rows]

    def _offered_among(self, of: str, codes: list[str]) -> set[str]:
        """The codes among ``codes`` a picker of kind ``of`` offers: from the choices when they were read
        (the page was drawn), else by looking up these codes alone (a submission names a few records; the
        choices are a jurisdiction's directory, and a judged kind judges each unit with its own look-ups)."""
        if not codes:
            return set()
        if of in self._cache or of not in (*JUDGED, "organisation", "person"):
            return {code for code, _ in self.choices(of)} & set(codes)
        if of == "person":
            return {code for code, _ in self._people(codes)}
        units = {code for code, _ in self._organisations(codes)}
        if of == "organisation":
            return units
        judge = self.candidates()
        return {c for c in units if judge is not None and not judge.refusals(of, c)}

    def _named(self) -> list[tuple[str, str]]:
        """(code, ``name（unit）``) of the people in ``named_people`` (never offered: names a refused choice)."""
        if not self.named_people:
            return []
        return [
            (code, f"{name}（{unit}）") for code, (name, _u, unit) in self._unit_of(self.named_people).items()
        ]

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

    def _team(self) -> list[tuple[str, str]]:
        """(code, ``name（unit）``) of the people of the solvers the case chose: the members of their applications'
        teams and the people of their own units. 003 §12(8)2: the solver names its chief expert (首席专家), one
        who builds and leads its team; nobody else's people are offered."""
        solvers = sorted(set(codes_of(self._case_data().get("solvers"))))
        if not self.case_key or not solvers:
            return []
        applications = [f"{self.case_key}{APPLICATION_SEP}{s}"[:64] for s in solvers]
        members = {
            code
            for (text,) in self.session.execute(
                select(Project.members_json).where(Project.code.in_(applications))
            )
            for code in codes_of(_json_list(text))
        }
        rows = self.session.execute(
            select(Person.code, Person.name, Organisation.name)
            .outerjoin(Organisation, Organisation.code == Person.organisation)
            .where(or_(Person.code.in_(sorted(members)), Person.organisation.in_(solvers)))
            .order_by(Person.name, Person.code)
            .limit(PICKER_LIMIT)
        )
        return [(code, f"{name}（{unit}）" if unit else name) for code, name, unit in rows]

    def _bureau_staff(self) -> list[tuple[str, str]]:
        """(code, ``name（office）``) of the staff of the government offices of the case's jurisdiction: the bureau
        and its counties' offices (004 五(一): the county of the project names the 驻企特派员)."""
        if self.jurisdiction is None:
            return []
        rows = self.session.execute(
            select(Person.code, Person.name, Organisation.name)
            .join(Organisation, Organisation.code == Person.organisation)
            .where(Organisation.jurisdiction == self.jurisdiction, Organisation.kind == GOVERNMENT)
            .order_by(Organisation.name, Person.name, Person.code)
            .limit(PICKER_LIMIT)
        )
        return [(code, f"{name}（{unit}）") for code, name, unit in rows]

    def _case_data(self) -> Mapping[str, Any]:
        """The case's data (read once, when first needed); {} without an instance."""
        if self._data is None and self.instance is not None:
            from engine.instances import describe

            self._data = describe(self.session, self.instance.id)["data"]
        return self._data or {}

    def _pickable_experts(self) -> tuple[list[Any], dict[str, list[str]]]:
        from engine.expert_pool import pickable_experts

        if self.jurisdiction is None:
            return [], {}
        if self._experts_read is None:
            self._experts_read = pickable_experts(self.session, self.jurisdiction, self._case_data())
        return self._experts_read

    def _experts(self) -> list[tuple[str, str]]:
        return self._named_experts(self._pickable_experts()[0])

    def _whole_pool(self) -> list[tuple[str, str]]:
        """Every expert of the pool with an account (never offered: names a refused choice)."""
        return self._named_experts(self._pool_rows())

    @staticmethod
    def _named_experts(rows: list[Any]) -> list[tuple[str, str]]:
        rows = [r for r in rows if r.person.username]
        named = [
            (
                str(r.person.username),
                f"{r.person.name}（{r.organisation.name}）" if r.organisation else r.person.name,
            )
            for r in rows
        ]
        return sorted(named, key=lambda pair: (pair[1], pair[0]))[:PICKER_LIMIT]

    def candidates(self) -> Candidates | None:
        if self._candidates is None and self.instance is not None:
            data = self._case_data()
            self._candidates = Candidates(
                self.session,
                self.instance.process_version,
                self.jurisdiction,
                self.case_key,
                data,
                lead=self.lead,
            )
        return self._candidates

    def _judged(self, role: str) -> list[tuple[str, str]]:
        judge = self.candidates()
        if judge is None:
            return []
        return [(code, name) for code, name in self.choices("organisation") if not judge.refusals(role, code)]

    def choices(self, of: str) -> list[tuple[str, str]]:
        """(code, name) of every record a picker of kind ``of`` offers."""
        if of not in self._cache:
            if of in JUDGED:
                self._cache[of] = self._judged(of)
            else:
                read = {
                    "organisation": self._organisations,
                    "person": self._people,
                    "solver": self._solvers,
                    "team": self._team,
                    "bureau_staff": self._bureau_staff,
                    "expert": self._experts,
                    "expert_pool": self._whole_pool,
                    "person_named": self._named,
                }.get(of)
                self._cache[of] = read() if read is not None else []
        return self._cache[of]

    @staticmethod
    def directory_kind(of: str) -> str:
        """The kind whose choices name every record a picker of kind ``of`` may hold (to show names)."""
        return DIRECTORY_KINDS.get(of, of) if of in JUDGED or of == "expert" else of

    def units(self, of: str) -> dict[str, str]:
        """{person code: its organisation's code} of the people a ``person`` picker offers ({} for other
        kinds): the picker script narrows a ``people_of`` picker to the units chosen beside it."""
        if of != "person":
            return {}
        codes = [code for code, _ in self.choices("person")]
        rows = self.session.execute(select(Person.code, Person.organisation).where(Person.code.in_(codes)))
        return {code: unit for code, unit in rows if unit}

    def _expert_refusal(self, username: str) -> Message | None:
        """Why the expert with the account ``username`` must 回避 this case (None: not one who must)."""
        from engine.expert_pool import REASONS

        _rows, left_out = self._pickable_experts()
        rows = [r for r in self._pool_rows() if r.person.username == username]
        found = [reason for r in rows for reason in left_out.get(r.expert.person_code, [])]
        if not rows or not found:
            return None
        name = rows[0].person.name
        why = [REASONS[r] for r in dict.fromkeys(found) if r in REASONS]
        # 000 §12(4), 003 §7, 001 八(八): a fair review by experts independent of the case's parties
        return Message(
            f"专家“{name}”不能参加本项目的专家组（回避）："
            + "；".join(zh for zh, _en in why)
            + "。请从列表中选择。",
            f"The expert “{name}” cannot sit on this project's panel: "
            + "; ".join(en for _zh, en in why)
            + ". Choose from the list.",
        )

    def _pool_rows(self) -> list[Any]:
        from engine.expert_pool import pool_rows

        return pool_rows(self.session, self.jurisdiction) if self.jurisdiction else []

    def refusal(self, of: str, code: str) -> Message | None:
        """Why a picker of kind ``of`` does not offer ``code`` when it names a registered unit this case
        refuses (the eligibility table's reason and source), or an expert who must 回避; None otherwise."""
        if of == "expert":
            return self._expert_refusal(code)
        if of == "team":
            return self._team_refusal(code)
        if of == "bureau_staff":
            return self._staff_refusal(code)
        judge = self.candidates() if of in JUDGED else None
        if judge is None or code not in {c for c, _ in self.choices("organisation")}:
            return None
        found = judge.refusals(of, code)
        if not found:
            return None
        name = dict(self.choices("organisation")).get(code, code)
        role_zh, role_en = ("揭榜单位", "the solver") if of == "applicant" else ("合作单位", "a partner")
        return Message(
            f"“{name}”不能作为{role_zh}："
            + "；".join(f"{r.zh}（{r.source}）" for r in found)
            + "。请从列表中选择。",
            f"“{name}” cannot be {role_en}: "
            + "; ".join(f"{r.en} ({r.source})" for r in found)
            + ". Choose from the list.",
        )

    def _team_refusal(self, code: str) -> Message | None:
        """Why a registered person is not offered as the chief expert: not of the chosen solver's people."""
        found = self._unit_of([code]).get(code)
        if found is None:
            return None
        name, _unit, unit_name = found
        who = f"{name}（{unit_name}）" if unit_name else name
        who_en = f"{name} ({unit_name})" if unit_name else name
        return Message(
            f"“{who}”不是揭榜方的团队成员或本单位人员，不能担任首席专家（003 §12(8)）。请从列表中选择。",
            f"“{who_en}” is neither on the solver's team nor of its staff and cannot be the chief expert "
            "(003 §12(8)). Choose from the list.",
        )

    def _staff_refusal(self, code: str) -> Message | None:
        """Why a registered person is not offered: not on the staff of a government office of the jurisdiction."""
        found = self._unit_of([code]).get(code)
        if found is None:
            return None
        name, _unit, unit_name = found
        who = f"{name}（{unit_name}）" if unit_name else name
        who_en = f"{name} ({unit_name})" if unit_name else name
        # 004 五(一): 由项目所在县区指定专人担任“驻企特派员” — the bureau or the county sends one of its staff
        return Message(
            f"“{who}”不是本辖区科技局或县区党政机关的工作人员，不能由其选派"
            "（004 五(一)：由项目所在县区指定专人担任驻企特派员）。请从列表中选择。",
            f"“{who_en}” is not on the staff of this jurisdiction's bureau or of a county office and cannot be "
            "sent (004 五(一): the county of the project names one of its staff the service commissioner). "
            "Choose from the list.",
        )

    def _unit_of(self, codes: list[str]) -> dict[str, tuple[str, str, str]]:
        rows = self.session.execute(
            select(Person.code, Person.name, Person.organisation, Organisation.name)
            .outerjoin(Organisation, Organisation.code == Person.organisation)
            .where(Person.code.in_(codes))
        )
        return {code: (name, unit or "", unit_name or "") for code, name, unit, unit_name in rows}

    def known(self, of: str, codes: list[str]) -> set[str]:
        """The codes among ``codes`` that a picker of kind ``of`` accepts."""
        offered: set[str] = set()
        if of == "applicant":
            # a unit that applied online is recorded whatever it is; the diagram's eligibility table then
            # refuses it with the reasons, and the unit is told (only a unit that never applied is refused here)
            offered = {code for code, _ in self.choices("solver")}
        offered |= self._offered_among(of, [c for c in codes if c not in offered])
        return {c for c in codes if c in offered}

    def check(self, defn: FormDefinition, cleaned: dict[str, Any]) -> None:
        """Raise ``FormInvalid`` if a picker of ``defn`` holds a code this case does not offer (with the
        eligibility table's reason for a refused unit), or a ``people_of`` picker a person of another unit."""
        check_picks(defn, cleaned, self.known, reason=self.refusal)
        check_people(defn, cleaned, self._unit_of, always=self.people_of or [])
