"""Is the holiday schedule ready for what the running instances will need? (issue: calendar administration)

The State Council publishes next year's schedule in late autumn, and ``chinesecalendar`` knows only the years
released with it. From ``WARN_FROM`` (1 November) staff are warned while next year is missing; the windows
that may need it and the instances that already failed for a missing year are listed, so that importing the
year can be followed by retrying them: an import — on the web page or with ``jiebang calendar import`` —
retries those that failed for the years it loaded (``retry_calendar_failures``), and the page's retry button
any whose year is loaded now. Both import through ``import_retrying``: a transient database failure (the
database locked or the connection lost) is tried again before it is reported.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from engine.access import readable_clause
from engine.access.principal import Principal
from engine.calendar import missing_year_in
from engine.clock import SHANGHAI, get_clock
from engine.db import begin_write
from engine.deadlines import PendingTimer, pending_timers
from engine.errors import Conflict, JiebangError
from engine.models import instance as status
from engine.models.calendar import CalendarYear
from engine.models.instance import ProcessInstance

log = logging.getLogger("jiebang.calendar")

#: (month, day) from which a missing next year is announced to staff: an operating choice, not a policy rule.
WARN_FROM = (11, 1)
#: At most this many rows are listed on the administration page (the count is always complete).
LIST_LIMIT = 200
#: Seconds to wait before each further attempt of an import that met a transient database failure.
RETRY_PAUSES = (0.5, 2.0)
#: The operator at the server's console (``jiebang calendar import`` without ``--as``): reads every instance;
#: what it retries is retried with no user named (``engine.instances.retry_from_console``).
CONSOLE = Principal(None, frozenset({("admin", None)}))


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
    whether that year is loaded now (at most ``LIST_LIMIT``, for the page)."""
    return _calendar_failures(session, viewer)[:LIST_LIMIT]


def _calendar_failures(session: Session, viewer: Any) -> list[CalendarFailure]:
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
    return failures


@dataclass
class CalendarRetries:
    """What retrying the instances that failed for a missing year did."""

    resumed: list[CalendarFailure] = field(default_factory=list)  # running again
    #: retried and failed again (another year still missing, or another fault), or not retried (the user may not
    #: control it, it changed meanwhile), each with the reason (zh, en)
    not_resumed: list[tuple[CalendarFailure, tuple[str, str]]] = field(default_factory=list)


def _transient(exc: DBAPIError) -> bool:
    """A failure that may pass by itself: the database locked or unreachable, the connection lost."""
    return isinstance(exc, OperationalError) or exc.connection_invalidated


def import_retrying(session: Session, load: Callable[[Session], list[int]]) -> list[int]:
    """Run ``load`` (an import of ``engine.calendar`` that flushes) in one write transaction and commit it;
    returns the years it loaded. A transient database failure rolls everything back and is tried again after
    each of ``RETRY_PAUSES``; when it persists, a ``Conflict`` says that nothing was imported. Any other error
    (a bad file) rolls back and is raised as it is."""
    pauses = list(RETRY_PAUSES)
    while True:
        try:
            begin_write(session)
            years = load(session)
            session.commit()
            return years
        except DBAPIError as exc:
            session.rollback()
            text = str(exc.orig if exc.orig is not None else exc).strip()
            reason = text.splitlines()[0][:200] if text else type(exc).__name__
            if not _transient(exc):
                raise
            if not pauses:
                raise Conflict(
                    f"数据库暂时无法使用（{reason}），已尝试 {len(RETRY_PAUSES) + 1} 次，节假日安排未导入。请稍后重新导入。",
                    f"The database is not available ({reason}); tried {len(RETRY_PAUSES) + 1} times and the "
                    "holiday schedule was not imported. Import it again later.",
                    details={"reason": reason},
                ) from None
            pause = pauses.pop(0)
            log.warning("calendar import: %s; trying again in %.1f s", reason, pause)
            time.sleep(pause)
        except BaseException:
            session.rollback()
            raise


def retry_calendar_failures(
    session: Session, viewer: Any, *, actor: str | None, years: Collection[int] | None = None
) -> CalendarRetries:
    """Retry, as ``actor``, every instance ``viewer`` may read that failed because a year's schedule was
    missing and whose year is loaded now — with ``years``, only those whose missing year is one of them (the
    years an import just loaded). Each is retried in its own transaction (``instances.retry`` commits, or raises
    leaving the database unchanged), so one that fails again, or is refused, never holds back the others.
    Without ``actor``, the operator at the console retries them (``instances.retry_from_console``)."""
    from engine.instances import retry, retry_from_console

    ready = [
        f for f in _calendar_failures(session, viewer) if f.loaded and (years is None or f.year in years)
    ]
    done = CalendarRetries()
    for failure in ready:
        try:
            if actor is None:
                retry_from_console(session, failure.instance_id)
            else:
                retry(session, failure.instance_id, actor=actor)
        except JiebangError as exc:
            session.rollback()
            done.not_resumed.append((failure, (exc.message("zh"), exc.message("en"))))
        except Exception:  # an unforeseen fault of one instance: logged, and the others are still retried
            session.rollback()
            log.exception("retrying instance %s after the calendar import failed", failure.instance_id)
            done.not_resumed.append(
                (failure, ("重试时发生内部错误，请查看日志。", "internal error; see the log"))
            )
        else:
            done.resumed.append(failure)
    session.expire_all()
    still = {f.instance_id: f for f in _calendar_failures(session, viewer)}
    for failure in [f for f in done.resumed if f.instance_id in still]:  # stopped again for a missing year
        done.resumed.remove(failure)
        year = still[failure.instance_id].year
        done.not_resumed.append(
            (failure, (f"仍缺少 {year} 年的节假日安排。", f"the {year} holiday schedule is still missing"))
        )
    return done
