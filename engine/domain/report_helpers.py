"""Report functions that diagrams may call (scripts, conditions): plain JSON in and out, read-only.

``annual_summary(jurisdiction, year)`` — the figures of the annual summary 总结评价 (000 §12(8)), computed by
:func:`engine.domain.reports.annual_summary` in the session of the instance change, as of the engine clock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from engine.domain import reports


def report_helpers(session: Session) -> dict[str, Callable[..., Any]]:
    def annual_summary(jurisdiction: str, year: int | str) -> dict[str, Any]:
        return reports.annual_summary(session, jurisdiction, year)

    return {"annual_summary": annual_summary}
