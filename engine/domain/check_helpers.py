"""Checks that diagrams may call: an applicant's eligibility facts, a panel's composition, the panel's lead,
and the problems of a registered check (engine.domain.checks) as the note a diagram's guard reads. Plain JSON
in and out; nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from engine.domain import checks, eligibility, need_selection, panel
from engine.domain.date_helpers import today_local
from engine.domain.problems import diagram_note
from engine.scripting import running_script_data


def check_helpers(session: Session) -> dict[str, Callable[..., Any]]:
    """The check functions, bound to the instance change's session, by the names diagrams call them."""

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
            today=today_local(),
            challenge=challenge,
        )

    def check_note(name: str, **values: Any) -> str:
        """The problems of the registered check ``name`` (engine.domain.checks) on ``values``, as one
        bilingual line with citations, ``''`` when there are none: the diagram's own guard after a form
        whose submission was already checked before it was accepted."""
        ctx = checks.context_for(session, today_local())
        return diagram_note(checks.CHECKS[name].problems({**running_script_data(), **values}, ctx))

    return {
        "applicant_facts": applicant_facts,
        "check_note": check_note,
        "check_panel": panel.check_panel,
        "panel_lead": need_selection.panel_lead,
    }
