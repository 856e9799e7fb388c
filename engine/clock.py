"""Time is a service: every "now" in domain code comes from a ``Clock``.

- ``SystemClock`` — the real time.
- ``SimulatedClock`` — an instant stored in the database (table ``clock_setting``), so that the CLI, the web
  process and the scheduler all see the same time. It stands still until ``set`` or ``advance`` is called.
- ``get_clock(session)`` picks one: simulated when ``JIEBANG_SIMULATED_CLOCK=1``.

SpiffWorkflow's timer module reads ``datetime.now(timezone.utc)`` directly. ``install_spiff_clock()`` swaps
that module's ``datetime`` for a subclass whose ``now()`` returns the instant set by ``frozen_now(instant)``
(a ContextVar, so it is per thread/task), or the real time when nothing is frozen. Wrap every engine
operation in ``with frozen_now(clock.now()):`` so that due times are computed and fired against the clock.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

import isodate
from sqlalchemy import event, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, SessionTransaction

from engine.db import begin_write
from engine.errors import ValidationFailed
from engine.models.clock import ClockSetting

SHANGHAI = ZoneInfo("Asia/Shanghai")

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --- time zone helpers ----------------------------------------------------------------------------


def _refuse_naive(value: object) -> ValidationFailed:
    return ValidationFailed(
        f"时间“{value}”没有时区，无法确定是哪个时刻；请带上时区偏移，例如 2026-09-28T10:00:00+08:00。",
        f"The time '{value}' has no time zone, so the instant is ambiguous; give an offset, "
        "e.g. 2026-09-28T10:00:00+08:00.",
        details={"value": str(value)},
    )


def ensure_aware(dt: datetime) -> datetime:
    """Return ``dt`` unchanged if it carries a time zone; refuse a naive datetime."""
    if dt.tzinfo is None or dt.tzinfo.utcoffset(dt) is None:
        raise _refuse_naive(dt.isoformat())
    return dt


def to_local(dt: datetime) -> datetime:
    """The same instant in Asia/Shanghai (refuses naive datetimes)."""
    return ensure_aware(dt).astimezone(SHANGHAI)


def to_utc(dt: datetime) -> datetime:
    """The same instant in UTC (refuses naive datetimes)."""
    return ensure_aware(dt).astimezone(UTC)


def parse_aware(value: str, *, allow_date: bool = False) -> datetime:
    """Parse an ISO 8601 instant with an offset (``Z`` allowed) and return it in UTC.

    A string without an offset is refused. With ``allow_date=True`` a date-only string (``2026-09-28``)
    means 00:00 of that day in Asia/Shanghai.
    """
    if not isinstance(value, str):
        raise ValidationFailed(
            f"时间必须是 ISO 8601 字符串，收到的是 {type(value).__name__}。",
            f"A time must be an ISO 8601 string, got {type(value).__name__}.",
        )
    text = value.strip()
    if allow_date and _DATE_ONLY.match(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise _invalid_time(value) from None
        return datetime.combine(day, time(0), SHANGHAI).astimezone(UTC)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise _invalid_time(value) from None
    return to_utc(parsed)


def _invalid_time(value: str) -> ValidationFailed:
    return ValidationFailed(
        f"“{value}”不是有效的 ISO 8601 时间（例如 2026-09-28T10:00:00+08:00）。",
        f"'{value}' is not a valid ISO 8601 time (e.g. 2026-09-28T10:00:00+08:00).",
        details={"value": value},
    )


def parse_duration(value: str) -> timedelta | isodate.Duration:
    """Parse a non-negative ISO 8601 duration (``P1D``, ``PT2H``, ``P1M``, ``P1Y2M``); refuse the rest."""
    bad = ValidationFailed(
        f"“{value}”不是有效的非负 ISO 8601 时长（例如 P1D、PT2H、P1M）。",
        f"'{value}' is not a valid non-negative ISO 8601 duration (e.g. P1D, PT2H, P1M).",
        details={"value": str(value)},
    )
    if not isinstance(value, str) or not value.strip():
        raise bad
    try:
        parsed = isodate.parse_duration(value.strip())
    except (isodate.ISO8601Error, ValueError, TypeError):
        raise bad from None
    if isinstance(parsed, isodate.Duration):
        months, years = Decimal(parsed.months), Decimal(parsed.years)
        if months < 0 or years < 0 or parsed.tdelta < timedelta(0):
            raise bad
        if months != int(months) or years != int(years):
            raise ValidationFailed(
                f"时长“{value}”的年、月必须是整数。",
                f"Years and months in the duration '{value}' must be whole numbers.",
                details={"value": value},
            )
    elif parsed < timedelta(0):
        raise bad
    return parsed


# --- clocks ---------------------------------------------------------------------------------------


@runtime_checkable
class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, aware, in UTC."""
        ...


class SystemClock:
    """The real time (inside a change of an instance, the instant of that change: ``frozen_now``)."""

    def now(self) -> datetime:
        frozen = _FROZEN.get()
        return frozen if frozen is not None else datetime.now(UTC)


#: the stored instant, built once (a Core statement on the table: read on every step under a simulated clock)
_STORED = select(ClockSetting.__table__.c.simulated_now).where(ClockSetting.__table__.c.id == 1)
#: ``session.info`` key of the simulated instant read in the session's current transaction
_READ = "jiebang_clock_read"
#: the label of ``instant_column``
INSTANT = "clock_instant"


def instant_column() -> Any:
    """The simulated clock's stored instant as a column, for a caller to read with a row it reads anyway (a
    change of an instance reads it with the instance: ``engine.change_reads``) and hand to ``remember_instant``."""
    return _STORED.scalar_subquery().label(INSTANT)


def remember_instant(session: Session, instant: datetime | None) -> None:
    """The simulated instant read with ``instant_column`` in the session's current transaction: the clock is
    not read again before the transaction ends (nothing when there is no stored instant yet)."""
    if instant is not None:
        session.info[_READ] = instant


@event.listens_for(Session, "after_transaction_end")
def _forget_instant(session: Session, transaction: SessionTransaction) -> None:
    """The next transaction reads the clock afresh (another process may have moved it)."""
    if transaction.parent is None:
        session.info.pop(_READ, None)


class SimulatedClock:
    """A clock held in the database (one ``clock_setting`` row), the same for every process.

    It stands still until ``set`` or ``advance``. If there is no row yet, the first use stores the real
    current time. Changes are flushed into ``session``; the caller commits.
    """

    def __init__(self, session: Session) -> None:
        self.session = session

    def _stored(self) -> datetime | None:
        """The stored instant, read once per transaction (``remember_instant``)."""
        remembered = self.session.info.get(_READ)
        if remembered is not None:
            return remembered
        stored = self.session.execute(_STORED).scalar_one_or_none()
        remember_instant(self.session, stored)
        return stored

    def _stored_for_update(self) -> datetime | None:
        stmt = select(ClockSetting.simulated_now).where(ClockSetting.id == 1).with_for_update()
        return self.session.execute(stmt).scalar_one_or_none()

    def _write(self, instant: datetime) -> None:
        instant = to_utc(instant)
        self.session.info.pop(_READ, None)  # read again after the write (a savepoint may roll it back)
        done = self.session.execute(
            update(ClockSetting).where(ClockSetting.id == 1).values(simulated_now=instant)
        )
        if done.rowcount:  # type: ignore[attr-defined]
            return
        try:
            with self.session.begin_nested():
                self.session.execute(insert(ClockSetting).values(id=1, simulated_now=instant))
        except IntegrityError:  # another process created the row meanwhile
            self.session.execute(
                update(ClockSetting).where(ClockSetting.id == 1).values(simulated_now=instant)
            )

    def now(self) -> datetime:
        """The stored instant; inside a change of an instance (``frozen_now``) the instant that change read
        once, without reading the database again (a step reads the clock once, however many scripts and
        checks ask for it)."""
        frozen = _FROZEN.get()
        if frozen is not None:
            return frozen
        stored = self._stored()
        if stored is not None:
            return stored
        real = datetime.now(UTC)  # (not remembered: the row may be another process's, read again)
        try:
            with self.session.begin_nested():
                self.session.execute(insert(ClockSetting).values(id=1, simulated_now=real))
        except IntegrityError:  # another process started the clock first; use its time
            stored = self._stored()
            if stored is not None:
                return stored
            raise
        return real

    def set(self, instant: datetime | str) -> datetime:
        """Move the clock to ``instant`` (aware datetime or ISO 8601 string with offset); back is allowed."""
        value = parse_aware(instant) if isinstance(instant, str) else to_utc(instant)
        begin_write(self.session)
        self._write(value)
        return value

    def advance(self, duration: str) -> datetime:
        """Move the clock forward by an ISO 8601 duration; months and years follow the Shanghai calendar
        (2026-01-31 10:00 + P1M = 2026-02-28 10:00). Returns the new instant."""
        delta = parse_duration(duration)
        begin_write(self.session)
        current = self._stored_for_update()
        if current is None:
            current = self.now()
        new = (current.astimezone(SHANGHAI) + delta).astimezone(UTC)
        self._write(new)
        return new


def get_clock(session: Session, simulated: bool | None = None) -> Clock:
    """The simulated clock if ``simulated`` (default: env ``JIEBANG_SIMULATED_CLOCK == "1"``), else the real
    one."""
    if simulated is None:
        simulated = os.environ.get("JIEBANG_SIMULATED_CLOCK") == "1"
    return SimulatedClock(session) if simulated else SystemClock()


# --- SpiffWorkflow hook ---------------------------------------------------------------------------

_FROZEN: ContextVar[datetime | None] = ContextVar("jiebang_frozen_now", default=None)


class _SpiffDatetime(datetime):
    """Stands in for ``datetime`` inside SpiffWorkflow's timer module; ``now()`` honours ``frozen_now``."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        frozen = _FROZEN.get()
        if frozen is None:
            return datetime.now(tz)
        if tz is None:
            return frozen.astimezone().replace(tzinfo=None)
        return frozen.astimezone(tz)


def install_spiff_clock() -> None:
    """Make SpiffWorkflow's timers read ``frozen_now``'s instant. Idempotent; harmless when nothing is
    frozen (the real time is used then)."""
    import SpiffWorkflow.bpmn.specs.event_definitions.timer as timer_module

    if timer_module.datetime is not _SpiffDatetime:
        timer_module.datetime = _SpiffDatetime  # type: ignore[misc]


@contextmanager
def frozen_now(instant: datetime) -> Iterator[datetime]:
    """Within the block, SpiffWorkflow timers and ``current_now()`` see ``instant`` (aware). Nestable."""
    install_spiff_clock()
    token = _FROZEN.set(to_utc(instant))
    try:
        yield instant
    finally:
        _FROZEN.reset(token)


def current_now() -> datetime:
    """The instant frozen for the current engine operation, else the real time (aware UTC)."""
    frozen = _FROZEN.get()
    return frozen if frozen is not None else datetime.now(UTC)
