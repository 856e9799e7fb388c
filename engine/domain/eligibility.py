"""Facts for the eligibility and conflict rules of POLICIES.md §5, computed from the database.

The rules themselves (thresholds, which facts refuse, the reason and its source) are DMN tables per
jurisdiction (``bpmn/<jurisdiction>/eligibility_<jurisdiction>.dmn``); this module only counts and measures.
"""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.models.domain import Affiliation, CreditRecord, Project

#: Sentinel age (years) when a party has no record of a kind: larger than any look-back period.
NO_RECORD_YEARS = 999.0

SERIOUS = ("serious_dishonesty", "illegal")
#: An application to a challenge is registered as project ``<challenge>/<solver>`` with status ``applying``
#: (002 四(二) counts "this year's applications").
APPLICATION_SEP = "/"
ACCIDENTS = ("safety_accident", "quality_accident")


def _years_since(day: date, today: date) -> float:
    return round((today - day).days / 365.25, 4)


def _full_years(since: date, today: date) -> int:
    years = today.year - since.year - ((today.month, today.day) < (since.month, since.day))
    return max(years, 0)


def credit_facts(session: Session, subject: str | None, today: date) -> dict[str, object]:
    """Age in years of the latest serious record and accident; penalty or joint-punishment periods in force."""
    if not subject:
        return {"serious_age": NO_RECORD_YEARS, "accident_age": NO_RECORD_YEARS, "punished": False}
    rows = list(session.scalars(select(CreditRecord).where(CreditRecord.subject == subject)))

    def youngest(kinds: tuple[str, ...]) -> float:
        ages = [_years_since(r.recorded_on, today) for r in rows if r.kind in kinds]
        return min(ages, default=NO_RECORD_YEARS)

    punished = any(
        r.kind in ("joint_punishment", "misconduct")
        and r.penalty_until is not None
        and r.penalty_until >= today
        for r in rows
    )
    return {"serious_age": youngest(SERIOUS), "accident_age": youngest(ACCIDENTS), "punished": punished}


def affiliation_kinds(session: Session, a: str, others: list[str]) -> list[str]:
    if not a or not others:
        return []
    rows = session.scalars(
        select(Affiliation).where(
            or_(
                (Affiliation.party_a == a) & Affiliation.party_b.in_(others),
                (Affiliation.party_b == a) & Affiliation.party_a.in_(others),
            )
        )
    )
    return sorted({r.kind for r in rows})


def _ongoing(session: Session, jurisdiction: str) -> list[Project]:
    return list(
        session.scalars(
            select(Project).where(
                Project.jurisdiction == jurisdiction,
                Project.level == "city",
                Project.status.in_(("ongoing", "applying")),
            )
        )
    )


def applicant_facts(
    session: Session,
    *,
    jurisdiction: str,
    issuer: str,
    solver: str,
    partners: list[str] | None = None,
    members: list[str] | None = None,
    today: date,
    challenge: str | None = None,
) -> dict[str, object]:
    """Everything the eligibility tables need about one application (plain JSON). Rows of ``challenge``
    itself (its project and the applications registered for it) are not counted against it."""
    partners = [p for p in (partners or []) if p]
    members = [m for m in (members or []) if m]
    projects = [
        p
        for p in _ongoing(session, jurisdiction)
        if challenge is None
        or (p.code != challenge and not p.code.startswith(f"{challenge}{APPLICATION_SEP}"))
    ]
    unit_projects = [p for p in projects if p.solver == solver and p.status == "ongoing"]
    overdue = [
        _full_years(p.period_end, today)
        for p in unit_projects
        if p.period_end is not None and p.period_end < today
    ]

    def load(person: str) -> int:
        return sum(
            1
            for p in projects
            if person in json.loads(p.members_json or "[]")[:3]
            and (p.status == "ongoing" or p.created_at.year == today.year)
        )

    leading = members[:3]
    solver_credit = credit_facts(session, solver, today)
    partner_facts = [credit_facts(session, partner, today) for partner in partners]
    partners_credit = {
        "serious_age": min((f["serious_age"] for f in partner_facts), default=NO_RECORD_YEARS),
        "accident_age": min((f["accident_age"] for f in partner_facts), default=NO_RECORD_YEARS),
        "punished": any(f["punished"] for f in partner_facts),
    }
    people_punished = any(credit_facts(session, m, today)["punished"] for m in members)
    return {
        "same_party": issuer == solver,
        "issuer_is_partner": issuer in partners,
        "affiliations": affiliation_kinds(session, issuer, [solver, *partners]),
        "issuer_credit": credit_facts(session, issuer, today),
        "solver_credit": solver_credit,
        "partners_credit": partners_credit,
        "solver_ongoing": len(unit_projects),
        "solver_ongoing_non_jiebang": sum(1 for p in unit_projects if p.scheme != "jiebang"),
        "solver_overdue_years": max(overdue, default=0),
        "member_max_load": max((load(m) for m in leading), default=0),
        "anyone_punished": bool(solver_credit["punished"] or people_punished),
    }
