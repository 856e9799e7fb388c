"""The questions every face asks: may this principal see this instance or task, and what of it.

Web pages, API handlers and CLI commands call these and never decide themselves. Instance and task rows follow
``engine.access.rows``; fields, events, objections and attachments follow ``engine.access.fields``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.fields import (
    ISSUER_ADDRESSEE,
    SOLVER_OWNER,
    FieldClass,
    FieldViewer,
    filter_data,
    filter_events,
    record_visible,
)
from engine.access.principal import ANONYMOUS, Audience, principal
from engine.access.rows import require_read, require_task_access
from engine.errors import NotFound
from engine.models.domain import Person
from engine.models.instance import ProcessInstance
from engine.models.task import HumanTask

#: The metadata of an uploaded file in case data (web/uploads.py writes it, forms/FORMAT.md describes it).
FILE_KEYS = frozenset({"name", "size", "content_type", "sha256", "storage_key"})

#: The viewer of the public portal and the public API: published fields only.
PUBLIC_VIEWER = FieldViewer(Audience.PUBLIC)


def organisations_of(session: Session, username: str | None) -> frozenset[str]:
    """The organisation codes a user's account is linked to (``Person.username``)."""
    if not username:
        return frozenset()
    rows = session.scalars(select(Person.organisation).where(Person.username == username))
    return frozenset(code for code in rows if code)


def _viewer(session: Session, user: Any, instance: ProcessInstance) -> FieldViewer:
    who = principal(user)
    return FieldViewer(
        who.audience(instance.jurisdiction), who.username, organisations_of(session, who.username)
    )


def instance_viewer(session: Session, user: Any, instance: ProcessInstance) -> FieldViewer:
    """The viewer of an instance page, its data or its events; Forbidden when the user may not read it."""
    require_read(session, user, instance)
    return _viewer(session, user, instance)


def task_viewer(session: Session, user: Any, task: HumanTask, instance: ProcessInstance) -> FieldViewer:
    """The viewer of a task page (its context and form); Forbidden when the user may not see the task."""
    require_task_access(session, user, task, instance)
    return _viewer(session, user, instance)


def operator_viewer() -> FieldViewer:
    """The operator at the server's console (the CLI without ``--as``): the whole case file."""
    return FieldViewer(Audience.OVERSIGHT, ANONYMOUS.username)


def get_instance(session: Session, instance_id: int) -> ProcessInstance:
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound(f"流程实例 {instance_id} 不存在。", f"Process instance {instance_id} does not exist.")
    return instance


def data_view(data: Mapping[str, Any] | None, viewer: FieldViewer) -> dict[str, Any]:
    return filter_data(data, viewer)


def events_view(events: Iterable[Mapping[str, Any]], viewer: FieldViewer) -> list[dict[str, Any]]:
    return filter_events(events, viewer)


def money_view(
    data: Mapping[str, Any], rows: Iterable[Any], viewer: FieldViewer
) -> tuple[dict[str, Any], list[Any]]:
    """The case's books as the viewer may read them: ``data`` (already filtered by :func:`data_view`) and the
    project's ledger ``rows`` (``LedgerEntry``). A movement for a team is that team's record, addressed to the
    issuer (the recipient of Urumqi's money, 000 §12(6)): the staff and the issuer's people see every team's
    money, a team only its own — a competing 赛马 team never sees another team's first tranche, recovery or
    what it is still owed (000 §12(7)); its books count only its own team."""
    issuer = data.get("issuer_code")

    def mine(solver: Any) -> bool:
        return record_visible({SOLVER_OWNER: solver or "", ISSUER_ADDRESSEE: issuer}, viewer)

    shown = dict(data)
    if "solvers" in shown:
        shown["solvers"] = [s for s in shown.get("solvers") or [] if mine(s)]
    return shown, [r for r in rows if mine(r.solver)]


def open_tasks_view(
    rows: Iterable[HumanTask], viewer: FieldViewer, issuer: Any
) -> tuple[list[HumanTask], set[str]]:
    """The open tasks of an instance page as the viewer may read them, and the ids of those whose holder it may
    name. Staff see all and every name. A party (a solver, the issuer) does not see a task given to another
    solver unit (a competing 赛马 team's stage report, 000 §12(7)), and reads no one's name but its own — who
    assesses which team is the panel's business (000 §12(4))."""
    rows = list(rows)
    if viewer.sees(FieldClass.PANEL):
        return rows, {t.id for t in rows}
    mine = viewer.organisations | ({issuer} if isinstance(issuer, str) and issuer else set())
    shown = [t for t in rows if not t.candidate_org or t.candidate_org in mine]
    return shown, {t.id for t in shown if t.assignee and t.assignee == viewer.username}


def describe_view(described: Mapping[str, Any], viewer: FieldViewer) -> dict[str, Any]:
    """``engine.instances.describe`` with its data filtered for the viewer."""
    return {**described, "data": filter_data(described.get("data"), viewer)}


def objection_view(viewer: FieldViewer, receipt: str, text: str, submitted_at: Any, **identity: Any) -> dict:
    """An objection as the viewer may see it: the objector's name and contact only for oversight."""
    shown: dict[str, Any] = {"receipt": receipt, "text": text, "submitted_at": submitted_at}
    hidden = not viewer.sees(FieldClass.IDENTITY)
    shown["identity_hidden"] = hidden
    shown["name"] = None if hidden else identity.get("name")
    shown["contact"] = None if hidden else identity.get("contact")
    return shown


def files_in(value: Any) -> Iterator[dict[str, Any]]:
    """Uploaded-file metadata anywhere inside ``value``."""
    if isinstance(value, Mapping):
        if set(value) == FILE_KEYS:
            yield dict(value)
        else:
            for item in value.values():
                yield from files_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from files_in(item)


def attachments_view(events: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The files of already filtered events, once each (by content)."""
    found: dict[str, dict[str, Any]] = {}
    for event in events:
        for meta in files_in(event.get("data")):
            found.setdefault(str(meta["sha256"]), meta)
    return list(found.values())


def attachment_for(events: Iterable[Mapping[str, Any]], viewer: FieldViewer, sha256: str) -> dict[str, Any]:
    """The file the viewer may download: one that appears in the events as the viewer sees them (a solver gets
    its own plan, never a competitor's). NotFound otherwise — the answer does not say whether it exists."""
    for meta in attachments_view(filter_events(events, viewer)):
        if meta["sha256"] == sha256:
            return meta
    raise NotFound("附件不存在，或您无权下载。", "The attachment does not exist or you may not download it.")
