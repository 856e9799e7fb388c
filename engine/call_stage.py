"""What a year's call for needs (``<j>_call``) is waiting for, as a clerk reads it. The diagram waits at its timer
征集截止 from the moment the call is published, also before its window opens; until then the call is not
collecting yet, and the pages say so with the opening time (the window of its start data, as
``engine.start_forms.open_calls`` reads it to offer a call to issuers)."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.clock import to_local
from engine.deadline_text import local_day
from engine.models import instance as status
from engine.models.event import InstanceEvent
from engine.models.instance import ProcessInstance
from engine.start_forms import CALL_SUFFIX


def _instant(value: object) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def opens_later(session: Session, instance: ProcessInstance, now: datetime) -> datetime | None:
    """When the call ``instance`` starts collecting needs, if it is running and its window has not opened by
    ``now``; else None."""
    if not (instance.process_key or "").endswith(CALL_SUFFIX) or instance.status != status.RUNNING:
        return None
    data_json = session.scalar(
        select(InstanceEvent.data_json)
        .where(InstanceEvent.instance_id == instance.id, InstanceEvent.kind == "started")
        .limit(1)
    )
    opens = _instant(json.loads(data_json or "{}").get("notice_call_opens"))
    return opens if opens is not None and now < opens else None


def not_open_text(opens: datetime, lang: str) -> str:
    """``征集未开始：北京时间 2026年4月25日 10:00 起征集`` / ``Not collecting yet: opens 2026-04-25 10:00 (Beijing
    time)``."""
    local = to_local(opens)
    when = f"{local_day(local.date(), lang)} {local:%H:%M}"
    if lang == "zh":
        return f"征集未开始：北京时间 {when} 起征集"
    return f"Not collecting yet: opens {when} (Beijing time)"
