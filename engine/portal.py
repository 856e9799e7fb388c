"""The public portal's read model: publicity notices and published challenges.

Nothing here needs a sign-in, and nothing here changes an instance.

**Notices** are derived from the engine's own indexes: a running instance that waits for the ``objection``
message (the shared publicity subprocess ``bpmn/shared/publicity.bpmn`` does, during its window) is in
publicity. The data of the waiting task gives the window and the text:

=================== =====================================================================
``publicity_end``   the exact end of the window (ISO 8601 with offset) — required
``publicity_start`` when the window opened (optional)
``notice_title``    the notice's heading (falls back to ``title``, then the instance title)
``notice_body``     the notice's text (optional)
=================== =====================================================================

**Challenges** (published 揭榜 lists with their application windows) come from *sources*: functions
``(session, now) -> Iterable[Challenge]`` registered with ``register_challenge_source``. Domain code that
keeps challenges in its own tables registers one. The built-in source follows the same convention as notices:
a running instance that waits for the ``application`` message with ``application_end`` in its data is an open
challenge (``challenge_title``/``title``, ``challenge_summary``, ``category``, ``application_start``).

Cost: one workflow restore per waiting instance and page view; the number of instances in a publicity or
application window at any time is small.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.fields import filter_data
from engine.access.policy import PUBLIC_VIEWER
from engine.clock import get_clock
from engine.models import instance as status
from engine.models.instance import ProcessInstance
from engine.models.message import MessageSubscription
from engine.runtime import load_workflow

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


def waiting_data(
    session: Session, message: str, *, business_key: str | None = None, jurisdiction: str | None = None
) -> list[tuple[ProcessInstance, dict[str, Any]]]:
    """(instance, published data of the waiting task) for every running instance waiting for ``message``: the
    access policy's public fields only (``engine.access.fields``), so the portal shows only what was published."""
    query = (
        select(MessageSubscription, ProcessInstance)
        .join(ProcessInstance, ProcessInstance.id == MessageSubscription.instance_id)
        .where(MessageSubscription.message_name == message, ProcessInstance.status == status.RUNNING)
        .order_by(ProcessInstance.id)
    )
    if business_key is not None:
        query = query.where(ProcessInstance.business_key == business_key)
    if jurisdiction is not None:
        query = query.where(ProcessInstance.jurisdiction == jurisdiction)
    out: list[tuple[ProcessInstance, dict[str, Any]]] = []
    seen: set[int] = set()
    for sub, instance in session.execute(query).all():
        if instance.id in seen:
            continue
        seen.add(instance.id)
        wf = load_workflow(session, instance)
        task = wf.get_task_from_id(UUID(sub.task_id))
        if task is not None:
            out.append((instance, filter_data(task.data, PUBLIC_VIEWER)))
    return out


def notices(
    session: Session, *, jurisdiction: str | None = None, business_key: str | None = None
) -> list[Notice]:
    """Publicity notices of instances in their window, soonest end first."""
    now = get_clock(session).now()
    found: list[Notice] = []
    for instance, data in waiting_data(
        session, NOTICE_MESSAGE, business_key=business_key, jurisdiction=jurisdiction
    ):
        end = _instant(data.get("publicity_end"))
        if end is None or not instance.business_key:
            continue
        found.append(
            Notice(
                instance_id=instance.id,
                business_key=instance.business_key,
                jurisdiction=instance.jurisdiction,
                title=_text(data.get("notice_title")) or _text(data.get("title")) or instance.title or "",
                body=_text(data.get("notice_body")),
                start=_instant(data.get("publicity_start")),
                end=end,
                open=now < end,
            )
        )
    return sorted(found, key=lambda n: (n.end, n.instance_id))


def notice(session: Session, business_key: str) -> Notice | None:
    found = notices(session, business_key=business_key)
    return found[0] if len(found) == 1 else None


def _instance_challenges(session: Session, now: datetime) -> Iterable[Challenge]:
    for instance, data in waiting_data(session, CHALLENGE_MESSAGE):
        end = _instant(data.get("application_end"))
        if end is None or not instance.business_key:
            continue
        yield Challenge(
            business_key=instance.business_key,
            jurisdiction=instance.jurisdiction,
            title=_text(data.get("challenge_title")) or _text(data.get("title")) or instance.title or "",
            summary=_text(data.get("challenge_summary")),
            category=_text(data.get("category")),
            window_start=_instant(data.get("application_start")),
            window_end=end,
            open=now < end,
            instance_id=instance.id,
        )


def challenges(session: Session, *, jurisdiction: str | None = None) -> list[Challenge]:
    """Published challenges from every source, open windows first, then by the end of the window."""
    now = get_clock(session).now()
    found = [c for source in [_instance_challenges, *_SOURCES] for c in source(session, now)]
    if jurisdiction is not None:
        found = [c for c in found if c.jurisdiction == jurisdiction]
    return sorted(found, key=lambda c: (not c.open, c.window_end, c.business_key))


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
