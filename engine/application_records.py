"""Reading and writing the application records (``engine.models.application.Application``).

The diagrams record an application when it arrives (the ``application`` message) and when the bureau collects
the applications (``collect_applications``: its corrections and the offline applications); the bureau's task
page, the case panels (the experts' scoring page among them) and the solver's own pages read the records from
here. The workflow data keeps only the solver codes and what the eligibility check decides on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models.application import Application
from engine.models.instance import ProcessInstance

#: The form fields of an application (``application_entry``; the rows of ``applications_form``) a record keeps.
CONTENT = ("partners", "members", "plan", "budget_fen", "plan_file", "pledge")


def has_content(entry: Mapping[str, Any]) -> bool:
    """Whether a workflow-data application still carries what was submitted (the shape before this table)."""
    return any(key in entry for key in CONTENT)


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value if v)
    return "" if value is None else str(value)


def _fen(value: Any) -> int | None:
    if isinstance(value, bool) or value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def content_of(row: Application) -> dict[str, Any]:
    """The record as the form's fields hold it (codes, fen, the file's reference)."""
    return {
        "solver": row.solver,
        "partners": row.partners,
        "members": row.members,
        "plan": row.plan,
        "budget_fen": row.budget_fen,
        "plan_file": json.loads(row.plan_file_json) if row.plan_file_json else None,
        "pledge": row.pledge,
    }


def _same(row: Application, entry: Mapping[str, Any]) -> bool:
    mine = content_of(row)
    return all(mine[k] == _normal(k, entry.get(k)) for k in CONTENT if k in entry)


def _normal(key: str, value: Any) -> Any:
    if key in ("partners", "members", "plan"):
        return _text(value)
    if key == "budget_fen":
        return _fen(value)
    if key == "pledge":
        return bool(value)
    return value or None


def challenge_instance_id(session: Session, challenge: str) -> int | None:
    """The challenge instance whose business key is ``challenge`` (the latest, as the portal applies to it)."""
    return session.scalar(
        select(ProcessInstance.id)
        .where(ProcessInstance.business_key == challenge, ProcessInstance.process_key.like("%_challenge"))
        .order_by(ProcessInstance.id.desc())
        .limit(1)
    )


def record(
    session: Session,
    challenge: str,
    entry: Mapping[str, Any],
    at: datetime,
    *,
    source: str,
    submitted_by: str | None = None,
    replace: bool = True,
) -> Application:
    """Create or update the record of ``entry["solver"]``'s application to ``challenge``.

    ``replace``: a resubmission (the solver's new application replaces its earlier one: its content and its
    time of receipt). Otherwise (the bureau's collection) a record whose content is unchanged stays as it is,
    and a corrected one keeps the time it was received."""
    solver = str(entry.get("solver") or "")
    row = session.scalar(
        select(Application).where(Application.challenge == challenge, Application.solver == solver)
    )
    if row is None:
        row = Application(challenge=challenge, solver=solver, received_at=at)
        row.instance_id = challenge_instance_id(session, challenge)
        session.add(row)
    elif not replace and _same(row, entry):
        return row
    elif replace:
        row.received_at = at
    row.partners = _text(entry.get("partners"))
    row.members = _text(entry.get("members"))
    row.plan = _text(entry.get("plan"))
    row.budget_fen = _fen(entry.get("budget_fen"))
    plan_file = entry.get("plan_file")
    row.plan_file_json = json.dumps(plan_file, ensure_ascii=False, sort_keys=True) if plan_file else None
    row.pledge = bool(entry.get("pledge"))
    row.source = source
    if submitted_by is not None:  # a correction by the bureau keeps who submitted the application
        row.submitted_by = submitted_by
    if row.receipt is None:
        from engine.applications import receipt_of

        row.receipt = receipt_of(session, challenge, solver)
    session.flush()
    return row


def records(session: Session, challenge: str, solvers: Iterable[str] | None = None) -> dict[str, Application]:
    """The records of ``challenge`` by solver; only those of ``solvers`` when given (the viewer's own)."""
    query = select(Application).where(Application.challenge == challenge)
    if solvers is not None:
        wanted = sorted({str(s) for s in solvers if s})
        if not wanted:
            return {}
        query = query.where(Application.solver.in_(wanted))
    return {row.solver: row for row in session.scalars(query)}


def listed_solvers(data: Mapping[str, Any]) -> list[str]:
    """The solvers whose applications ``data`` (a viewer's filtered case data) lists, in order: the entries of
    ``applications`` (a solver's view holds only its own), or else the candidates an expert scores."""
    entries = data.get("applications")
    if isinstance(entries, list):
        return [str(e["solver"]) for e in entries if isinstance(e, Mapping) and e.get("solver")]
    candidates = data.get("candidates")
    if isinstance(candidates, list):
        return [str(c) for c in candidates if isinstance(c, str) and c]
    return []


def submitted(session: Session, challenge: str, data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The applications ``data`` lists, each as submitted (the form's fields): the record from the table, or —
    an instance started before the table, whose data still holds the content — the data's own entry."""
    entries = data.get("applications")
    by_solver: dict[str, Mapping[str, Any]] = {}
    if isinstance(entries, list):
        by_solver = {str(e["solver"]): e for e in entries if isinstance(e, Mapping) and e.get("solver")}
    solvers = listed_solvers(data)
    found = records(session, challenge, solvers)
    out: list[dict[str, Any]] = []
    for solver in solvers:
        own = by_solver.get(solver)
        if own is not None and has_content(own):
            out.append({k: own[k] for k in ("solver", *CONTENT) if k in own})
        elif solver in found:
            out.append(content_of(found[solver]))
        else:
            out.append({"solver": solver})
    return out


def with_records(session: Session, challenge: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` (the whole case, before the access policy filters it) with each listed application completed
    by what its record holds: the API's task data carries the applications as the pages show them, and the
    policy then keeps of them what the viewer may read (a solver: its own)."""
    entries = data.get("applications")
    if not isinstance(entries, list):
        return dict(data)
    shown = {a["solver"]: a for a in submitted(session, challenge, data)}
    return {
        **data,
        "applications": [
            {**e, **shown.get(str(e.get("solver")), {})} if isinstance(e, Mapping) else e for e in entries
        ],
    }
