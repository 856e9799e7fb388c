"""The public portal's read model: publicity notices and published challenges.

Nothing here needs a sign-in, and nothing here changes an instance.

**Notices**: a running instance that waits for the ``objection`` message (the shared publicity subprocess
``bpmn/shared/publicity.bpmn`` does, during its window) is in publicity. The data of the waiting task gives
the window and the text:

=================== =====================================================================
``publicity_end``   the exact end of the window (ISO 8601 with offset) — required
``publicity_start`` when the window opened (optional)
``notice_title``    the notice's heading (falls back to ``title``, then the instance title)
``notice_body``     the notice's text (optional)
=================== =====================================================================

What a publicity notice publishes (000 §12(5), 001 八(五), 003 §12(6): the selected units and the support are
publicised) is taken from the case data of the challenge even though these fields are not public before the
notice: ``solvers`` (unit codes, shown by their names), ``need_title``/``title`` (the project),
``fiscal_support_fen`` and ``contract_fen`` (元). A notice stays on the portal with its state: ``open``
(公示中) while objections are taken, ``objection`` (异议处理中) while the bureau handles one (the user task
with the property ``portalNotice`` = ``objection``, e.g. ``handle_objection`` of the shared publicity), and
``ended`` (公示期满) once the window ran out without objection (engine.indexes keeps that row).

**Challenges** (published 揭榜 lists with their application windows): the built-in source follows the same
convention: a running instance that waits for the ``application`` message with ``application_end`` in its data
is an open challenge (``challenge_title``/``title``, ``challenge_summary``, ``category``,
``application_start``). Domain code that keeps challenges in its own tables may add *sources*: functions
``(session, now) -> Iterable[Challenge]`` registered with ``register_challenge_source``; they are called on every
view, so they must be SQL over their own rows.

Cost: the waiting task's data is turned into a ``portal_entry`` row (``entry_for``) when the instance is saved,
with the other indexes (engine.indexes), so a page is one indexed, paginated query and never restores a
workflow — public pages are served to crowds.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import Session

from engine.access.fields import filter_data
from engine.access.policy import PUBLIC_VIEWER
from engine.clock import SHANGHAI, get_clock
from engine.models import portal as kinds
from engine.models.instance import ProcessInstance
from engine.models.portal import PortalEntry
from engine.paging import Page, count_rows

NOTICE_MESSAGE = "objection"
CHALLENGE_MESSAGE = "application"


@dataclass(frozen=True)
class Notice:
    instance_id: int
    business_key: str
    jurisdiction: str | None
    title: str
    body: str | None
    start: datetime | None
    end: datetime
    #: Objections are taken until ``end``.
    open: bool
    #: kinds.OPEN, kinds.OBJECTION or kinds.ENDED
    state: str = kinds.OPEN
    #: selected units (names), project, support in fen
    units: tuple[str, ...] = ()
    project: str | None = None
    fiscal_support_fen: int | None = None
    contract_fen: int | None = None


@dataclass(frozen=True)
class Challenge:
    business_key: str
    jurisdiction: str | None
    title: str
    summary: str | None
    category: str | None
    window_start: datetime | None
    window_end: datetime
    open: bool
    instance_id: int | None = None


ChallengeSource = Callable[[Session, datetime], Iterable[Challenge]]
_SOURCES: list[ChallengeSource] = []


def register_challenge_source(source: ChallengeSource) -> ChallengeSource:
    """Add a source of published challenges (usable as a decorator). Registering twice is harmless."""
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def _instant(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else None
    return None


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


MESSAGE_KINDS = {NOTICE_MESSAGE: kinds.NOTICE, CHALLENGE_MESSAGE: kinds.CHALLENGE}


def _money(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def notice_details(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    """What the publicity notice publishes of the case: the selected units by name, the project, the
    support in fen (000 §12(5), 001 八(五), 003 §12(6))."""
    from engine.directory import organisation_names

    solvers = data.get("solvers")
    codes = [c for c in solvers if isinstance(c, str)] if isinstance(solvers, list) else []
    names = organisation_names(session, codes) if codes else {}
    return {
        "units": [names.get(c, c) for c in codes],
        "project": _text(data.get("need_title")) or _text(data.get("title")),
        "fiscal_support_fen": _money(data.get("fiscal_support_fen")),
        "contract_fen": _money(data.get("contract_fen")),
    }


def entry_for(
    session: Session,
    instance: ProcessInstance | Any,
    message: str,
    data: dict[str, Any],
    state: str = kinds.OPEN,
) -> PortalEntry | None:
    """The portal row a running instance publishes while its task waits for ``message`` with ``data`` (or, for
    a notice in ``state`` objection, while the objection is handled), or None (not a portal message, no
    business key, or no valid end of the window). ``instance``: its listing row, an ORM object or the one the
    door reads (``engine.runtime.Listing``); the notice's unit names are read in ``session``."""
    kind = MESSAGE_KINDS.get(message)
    if kind is None or not instance.business_key:
        return None
    details = notice_details(session, data) if kind == kinds.NOTICE else None
    data = filter_data(data, PUBLIC_VIEWER)  # only what was published: the access policy's public fields
    prefix, body_key = (
        ("publicity", "notice_body") if kind == kinds.NOTICE else ("application", "challenge_summary")
    )
    end = _instant(data.get(f"{prefix}_end"))
    if end is None:
        return None
    own_title = "notice_title" if kind == kinds.NOTICE else "challenge_title"
    category = _text(data.get("category")) if kind == kinds.CHALLENGE else None
    return PortalEntry(
        instance_id=instance.id,
        kind=kind,
        business_key=instance.business_key,
        jurisdiction=instance.jurisdiction,
        title=_text(data.get(own_title)) or _text(data.get("title")) or instance.title or "",
        body=_text(data.get(body_key)),
        category=category[:255] if category else None,
        window_start=_instant(data.get(f"{prefix}_start")),
        window_end=end,
        state=state if kind == kinds.NOTICE else None,
        details_json=json.dumps(details, ensure_ascii=False) if details is not None else None,
    )


def _local(value: datetime) -> datetime:
    return value.astimezone(SHANGHAI)


def _entries(
    kind: str, jurisdiction: str | None, business_key: str | None = None
) -> Select[tuple[PortalEntry]]:
    query = select(PortalEntry).where(PortalEntry.kind == kind)
    if jurisdiction is not None:
        query = query.where(PortalEntry.jurisdiction == jurisdiction)
    if business_key is not None:
        query = query.where(PortalEntry.business_key == business_key)
    return query


def notices(
    session: Session,
    *,
    jurisdiction: str | None = None,
    business_key: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Notice]:
    """Publicity notices of instances in their window, soonest end first, those whose window ran out last
    (``limit``/``offset``: one page)."""
    now = get_clock(session).now()
    ended = PortalEntry.state == kinds.ENDED
    rows = _in_two_parts(
        session,
        _entries(kinds.NOTICE, jurisdiction, business_key),
        (or_(PortalEntry.state.is_(None), ~ended), ended),
        offset,
        limit,
    )
    return [_notice(row, now) for row in rows]


def _in_two_parts(
    session: Session,
    query: Select[tuple[PortalEntry]],
    parts: tuple[ColumnElement[bool], ColumnElement[bool]],
    offset: int,
    limit: int | None,
) -> list[PortalEntry]:
    """One page (``offset``/``limit``) of ``query``: the rows of the first part, then those of the second,
    each by the end of its window (then by instance, the order of ix_portal_entry_kind_end). Each part is read
    off the index with its own LIMIT, so a page costs its rows, not a sort of every row (issue 15)."""
    first, second = parts
    order = (PortalEntry.window_end, PortalEntry.instance_id)
    head = list(session.scalars(query.where(first).order_by(*order).offset(offset).limit(limit)))
    if limit is not None and len(head) >= limit:
        return head
    skip = 0 if head or not offset else max(offset - count_rows(session, query.where(first)), 0)
    rest = query.where(second).order_by(*order).offset(skip)
    return head + list(session.scalars(rest.limit(None if limit is None else limit - len(head))))


def _notice(row: PortalEntry, now: datetime) -> Notice:
    details = json.loads(row.details_json) if row.details_json else {}
    state = row.state or kinds.OPEN
    if state == kinds.OPEN and now >= row.window_end:  # the timer has not fired yet: the window is over
        state = kinds.ENDED
    return Notice(
        instance_id=row.instance_id,
        business_key=row.business_key,
        jurisdiction=row.jurisdiction,
        title=row.title,
        body=row.body,
        start=_local(row.window_start) if row.window_start else None,
        end=_local(row.window_end),
        open=state == kinds.OPEN,
        state=state,
        units=tuple(details.get("units") or ()),
        project=details.get("project"),
        fiscal_support_fen=details.get("fiscal_support_fen"),
        contract_fen=details.get("contract_fen"),
    )


def notice_count(session: Session, *, jurisdiction: str | None = None) -> int:
    return count_rows(session, _entries(kinds.NOTICE, jurisdiction))


def notice(session: Session, business_key: str) -> Notice | None:
    found = notices(session, business_key=business_key, limit=2)
    return found[0] if len(found) == 1 else None


def _challenge(row: PortalEntry, now: datetime) -> Challenge:
    return Challenge(
        business_key=row.business_key,
        jurisdiction=row.jurisdiction,
        title=row.title,
        summary=row.body,
        category=row.category,
        window_start=_local(row.window_start) if row.window_start else None,
        window_end=_local(row.window_end),
        open=now < row.window_end,
        instance_id=row.instance_id,
    )


def _challenge_order(c: Challenge) -> tuple[bool, datetime, int, str]:
    return (not c.open, c.window_end, c.instance_id or 0, c.business_key)


def challenges(
    session: Session, *, jurisdiction: str | None = None, limit: int | None = None, offset: int = 0
) -> list[Challenge]:
    """Published challenges from every source, open windows first, then by the end of the window (and by
    instance; other sources' challenges by business key) (``limit``/``offset``: one page)."""
    now = get_clock(session).now()
    query = _entries(kinds.CHALLENGE, jurisdiction)
    if _SOURCES:  # other sources are merged in order: the page is cut from the whole list
        found = [_challenge(row, now) for row in session.scalars(query)]
        found += [
            c for source in _SOURCES for c in source(session, now) if jurisdiction in (None, c.jurisdiction)
        ]
        found.sort(key=_challenge_order)
        return found[offset:] if limit is None else found[offset : offset + limit]
    parts = (PortalEntry.window_end > now, PortalEntry.window_end <= now)
    return [_challenge(row, now) for row in _in_two_parts(session, query, parts, offset, limit)]


def challenge_count(session: Session, *, jurisdiction: str | None = None) -> int:
    if _SOURCES:
        return len(challenges(session, jurisdiction=jurisdiction))
    return count_rows(session, _entries(kinds.CHALLENGE, jurisdiction))


def notice_page(
    session: Session, *, jurisdiction: str | None = None, page: int = 1, per_page: int = 50
) -> Page[Notice]:
    """One page (1-based) of ``notices`` and their total."""
    page = max(1, page)
    items = notices(session, jurisdiction=jurisdiction, limit=per_page, offset=(page - 1) * per_page)
    return Page(items, notice_count(session, jurisdiction=jurisdiction), page, per_page)


def challenge_page(
    session: Session, *, jurisdiction: str | None = None, page: int = 1, per_page: int = 50
) -> Page[Challenge]:
    """One page (1-based) of ``challenges`` and their total."""
    page = max(1, page)
    items = challenges(session, jurisdiction=jurisdiction, limit=per_page, offset=(page - 1) * per_page)
    return Page(items, challenge_count(session, jurisdiction=jurisdiction), page, per_page)


def notice_json(n: Notice) -> dict[str, Any]:
    return {
        "instance": n.instance_id,
        "business_key": n.business_key,
        "jurisdiction": n.jurisdiction,
        "title": n.title,
        "body": n.body,
        "start": n.start.isoformat() if n.start else None,
        "end": n.end.isoformat(),
        "open": n.open,
    }
