"""What a year's call for needs (``<j>_call``) is waiting for, as a clerk reads it. The diagram waits at its timer
征集截止 from the moment the call is published, also before its window opens; until then the call is not
collecting yet, and the pages say so with the opening time (``engine.start_forms.opens_later``: the window of its
start data, as ``open_calls`` reads it to offer a call to issuers)."""

from __future__ import annotations

from datetime import datetime

from engine.clock import to_local
from engine.deadline_text import local_day


def not_open_text(opens: datetime, lang: str) -> str:
    """``征集未开始：北京时间 2026年4月25日 10:00 起征集`` / ``Not collecting yet: opens 2026-04-25 10:00 (Beijing
    time)``."""
    local = to_local(opens)
    when = f"{local_day(local.date(), lang)} {local:%H:%M}"
    if lang == "zh":
        return f"征集未开始：北京时间 {when} 起征集"
    return f"Not collecting yet: opens {when} (Beijing time)"
