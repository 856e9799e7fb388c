"""What one timer sweep may remember while it runs: facts that do not change during it (a process version's
content, who holds a role), so that firing a thousand due timers reads them once instead of once per timer.

``remembering(session)`` opens the memo for the duration of a ``with`` block (nested blocks share it);
``memo(session)`` is the open memo, or None outside such a block (then nothing is remembered). A sweep lasts
seconds, so a role granted or revoked meanwhile is seen by the next sweep.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

_KEY = "jiebang_memo"


def memo(session: Session) -> dict[Any, Any] | None:
    """The memo open in ``session``, or None."""
    return session.info.get(_KEY)


@contextmanager
def remembering(session: Session) -> Iterator[dict[Any, Any]]:
    """Open a memo in ``session`` for the block (an outer one is shared, and outlives the block)."""
    outer = _KEY in session.info
    opened: dict[Any, Any] = session.info.setdefault(_KEY, {})
    try:
        yield opened
    finally:
        if not outer:
            session.info.pop(_KEY, None)
