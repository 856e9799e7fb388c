"""Is the holiday schedule ready for what the running instances will need? (issue: calendar administration)

The State Council publishes next year's schedule in late autumn, and ``chinesecalendar`` knows only the years
released with it. From ``WARN_FROM`` (1 November) staff are warned while next year is missing; the windows
that may need it and the instances that already failed for a missing year are listed, so that importing the
year can be followed by retrying them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import readable_clause
from engine.calendar import missing_year_in
from engine.clock import SHANGHAI, get_clock
from engine.deadlines import PendingTimer, pending_timers
from engine.models import instance as status
from engine.models.calendar import CalendarYear
from engine.models.instance import ProcessInstance

#: (month, day) from which a missing next year is announced to staff: an operating choice, not a policy rule.
WARN_FROM = (11, 1)
#: At most this many rows are listed on the administration page (the count is always complete).
LIST_LIMIT = 200


def loaded_years(session: Session) -> list[CalendarYear]:
    return list(session.scalars(select(CalendarYear).order_by(CalendarYear.year)))


def missing_next_year(session: Session, today: date | None = None) -> int | None:
    """Next year, when ``today`` (Beijing time, default the engine clock) is on or after ``WARN_FROM`` and
    next year's schedule is not loaded; otherwise None. One indexed primary-key lookup."""
    if today is None:
        today = get_clock(session).now().astimezone(SHANGHAI).date()
    if (today.month, today.day) < WARN_FROM:
        return None
    year = today.year + 1
    return None if session.get(CalendarYear, year) is not None else year


def windows_reaching(session: Session, year: int, viewer: Any) -> list[PendingTimer]:
    """Waiting deadlines of running instances ``viewer`` may read that fall due from 1 December of the year
    before ``year``: the steps that follow them are the ones likely to count working days into ``year``."""
    return pending_timers(
        session, viewer=viewer, since=datetime(year - 1, 12, 1, tzinfo=SHANGHAI), limit=LIST_LIMIT
    )


@dataclass(frozen=True)
class CalendarFailure:
    instance_id: int
    title: str
    jurisdiction: str | None
    year: int
    where: str | None
    loaded: bool  # the missing year has been imported since: the instance can be retried


def failed_for_calendar(session: Session, viewer: Any) -> list[CalendarFailure]:
    """Instances ``viewer`` may read that are in the error state because a year's schedule was missing, with
    whether that year is loaded now."""
    rows = session.execute(
        select(
            ProcessInstance.id,
            ProcessInstance.title,
            ProcessInstance.business_key,
            ProcessInstance.jurisdiction,
            ProcessInstance.error_message,
            ProcessInstance.error_task,
        )
        .where(ProcessInstance.status == status.ERROR, readable_clause(viewer))
        .order_by(ProcessInstance.id)
    ).all()
    loaded = set(session.scalars(select(CalendarYear.year)))
    failures = []
    for row in rows:
        year = missing_year_in(row[4])
        if year is not None:
            failures.append(
                CalendarFailure(
                    row[0], row[1] or row[2] or f"#{row[0]}", row[3], year, row[5], year in loaded
                )
            )
    return failures[:LIST_LIMIT]
