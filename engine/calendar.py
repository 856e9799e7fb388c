"""Working days and window ends by the Chinese State Council holiday schedule (POLICIES.md §6).

Data lives in ``calendar_year`` (which years are loaded, from where) and ``calendar_day`` (only the
exceptions to Monday–Friday: weekday holidays and weekend make-up working days 调休). Years come from the
``chinesecalendar`` package (``seed_from_chinesecalendar``, run by ``jiebang init-db``) or from a CSV file
imported by staff (``import_calendar_file``, ``jiebang calendar import FILE``). The last load of a year
replaces that year completely. A date in a year that is not loaded raises ``CalendarMissing``.

CSV format for ``jiebang calendar import FILE`` (UTF-8, a BOM is allowed)::

    date,kind,name
    # lines starting with # and blank lines are ignored
    2027-01-01,holiday,元旦
    2027-02-06,workday,春节调休
    2027-02-08,holiday,春节

- The first line is the header ``date,kind,name`` exactly.
- ``date`` is ``YYYY-MM-DD``; ``kind`` is ``holiday`` (a day off) or ``workday`` (a make-up working day, which
  must be a Saturday or Sunday); ``name`` is optional (at most 200 characters; quote it if it has a comma).
- Holidays falling on a Saturday or Sunday may be listed (as in the official notice); they change nothing.
- **Every year that appears in the file is fully specified by it**: that year's previous data is replaced.
  A year with no exceptions at all cannot be expressed (no real year is like that).
- Each date at most once. Any bad line refuses the whole file (nothing is stored) with the line number and
  the reason for every bad line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any
from uuid import uuid4

from sqlalchemy import delete, event, insert, select, update
from sqlalchemy.orm import Session, SessionTransaction

from engine.clock import SHANGHAI, get_clock, parse_aware, to_local, to_utc
from engine.errors import CalendarMissing, ValidationFailed
from engine.models.calendar import CalendarDay, CalendarRevision, CalendarYear

UNITS = ("days", "working_days")
HEADER = ["date", "kind", "name"]
MIN_YEAR, MAX_YEAR = 2000, 2100
_WEEKDAYS_ZH = "一二三四五六日"
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


#: The words of ``calendar_missing`` that name the year; ``missing_year_in`` finds them in an instance's error.
_MISSING_MARK = "年的法定节假日和调休安排尚未载入"
_MISSING_YEAR = re.compile(r"(\d{4}) " + _MISSING_MARK)


def missing_year_in(message: str | None) -> int | None:
    """The year whose schedule an error message (of ``calendar_missing``) says is missing, else None."""
    found = _MISSING_YEAR.search(message or "")
    return int(found.group(1)) if found else None


def calendar_missing(year: int) -> CalendarMissing:
    return CalendarMissing(
        f"{year} {_MISSING_MARK}，无法计算工作日。"
        f"请管理员在“节假日安排”页面（/admin/calendar）或用 `jiebang calendar import FILE` 导入 {year} 年的安排，"
        "然后重试。",
        f"The {year} public holiday and make-up working day schedule is not loaded, so working days cannot "
        f"be computed. Staff: import the {year} schedule on the Holiday schedule page (/admin/calendar) or with "
        "`jiebang calendar import FILE`, then retry.",
        details={"year": year},
    )


#: the last calendar read by ``WorkCalendar.current``, by the revision token it was read at
_CURRENT: dict[str | None, WorkCalendar] = {}
_REVISIONS = CalendarRevision.__table__
#: the stored revision token, built once
_TOKEN = select(_REVISIONS.c.token).where(_REVISIONS.c.id == 1)
#: ``session.info`` key of the revision token read (or written) in the session's current transaction
_READ = "jiebang_calendar_revision"
#: the label of ``revision_column``
REVISION = "calendar_revision"


def revision_column() -> Any:
    """The calendar's revision token as a column, for a caller to read with a row it reads anyway (a change of
    an instance reads it with the instance: ``engine.change_reads``) and hand to ``remember_revision``."""
    return _TOKEN.scalar_subquery().label(REVISION)


def remember_revision(session: Session, token: str | None) -> None:
    """The revision token read with ``revision_column`` in the session's current transaction: the calendar
    is not looked up again before the transaction ends."""
    session.info[_READ] = token


def _revision(session: Session) -> str | None:
    """The calendar's revision token in this transaction (read once; None: no token stored)."""
    if _READ not in session.info:
        remember_revision(session, session.execute(_TOKEN).scalar_one_or_none())
    return session.info[_READ]


def _new_revision(session: Session) -> None:
    """A load or import changed the calendar: a new token, which every process sees once this transaction
    commits (and this transaction at once)."""
    token = uuid4().hex
    done = session.execute(update(_REVISIONS).where(_REVISIONS.c.id == 1).values(token=token))
    if not done.rowcount:  # type: ignore[attr-defined]  # a database whose row was removed by hand
        session.execute(insert(_REVISIONS).values(id=1, token=token))
    remember_revision(session, token)


@event.listens_for(Session, "after_transaction_end")
def _forget_revision(session: Session, transaction: SessionTransaction) -> None:
    """The next transaction reads the token afresh (another process may have imported a year)."""
    if transaction.parent is None:
        session.info.pop(_READ, None)


class WorkCalendar:
    """Pure in-memory working-day calendar: the known years plus their exceptions to Monday–Friday."""

    def __init__(self, known_years: Iterable[int], exceptions: Mapping[date, bool]) -> None:
        self.known_years: frozenset[int] = frozenset(known_years)
        self.exceptions: dict[date, bool] = dict(exceptions)

    @classmethod
    def load(cls, session: Session) -> WorkCalendar:
        years = session.execute(select(CalendarYear.year)).scalars().all()
        days = session.execute(select(CalendarDay.day, CalendarDay.is_workday)).all()
        return cls(years, {d: w for d, w in days})

    @classmethod
    def current(cls, session: Session) -> WorkCalendar:
        """The stored calendar, kept by the process while the calendar's revision token stays the same: every
        load or import of a year replaces the token (``_replace_year``), so a process sees another's import
        from the first transaction after its commit, and reads the token once per transaction (with the
        instance, in a change of one) instead of the calendar. Callers must not change the returned
        calendar."""
        # no token: no year was ever loaded (``_replace_year`` writes one with every year), the calendar is empty
        token = _revision(session)
        cached = _CURRENT.get(token)
        if cached is None:
            cached = cls.load(session)
            _CURRENT.clear()  # one revision at a time
            _CURRENT[token] = cached
        return cached

    def is_workday(self, d: date) -> bool:
        """Whether ``d`` is a working day; raises ``CalendarMissing`` if its year is not loaded."""
        if isinstance(d, datetime):
            d = to_local(d).date()
        if d.year not in self.known_years:
            raise calendar_missing(d.year)
        return self.exceptions.get(d, d.weekday() < 5)

    def window_end_datetime(self, start: datetime | date | str, n: int, unit: str = "days") -> datetime:
        """End of a window of ``n`` ``unit`` starting at ``start`` (aware, Asia/Shanghai).

        Counting rule, POLICIES.md §6 (a policy parameter; 000 §12(5) 7 days, 001 八(五) and 003 §12(6)
        5 working days): all in Asia/Shanghai. A window of N **calendar days** starting at instant t covers
        day(t) and the N−1 days after it and ends at 24:00 of the N-th day. A window of N **working days**
        covers the first N working days on or after day(t) (day(t) counts if it is a working day) and ends
        at 24:00 of the N-th. Working days follow the State Council schedule including make-up working days;
        a date in a year that is not loaded raises ``CalendarMissing`` (never a guess).

        ``start``: an aware datetime or an ISO 8601 string with an offset; a date-only string (or a ``date``)
        means 00:00 Asia/Shanghai. Naive times are refused. ``n``: an int ≥ 1. ``unit``: ``"days"`` or
        ``"working_days"``.
        """
        first = _start_day(start)
        count = _check_count(n)
        if unit == "days":
            return _midnight_after(first + timedelta(days=count - 1))
        if unit == "working_days":
            day, found = first, 0
            while True:
                if self.is_workday(day):
                    found += 1
                    if found == count:
                        return _midnight_after(day)
                day += timedelta(days=1)
        raise ValidationFailed(
            f"时间单位“{unit}”无效，只能是 days（自然日）或 working_days（工作日）。",
            f"Invalid time unit '{unit}': use 'days' (calendar days) or 'working_days'.",
            details={"fields": {"unit": [f"must be one of {', '.join(UNITS)}"]}, "value": str(unit)},
        )

    def window_end(self, start: datetime | date | str, n: int, unit: str = "days") -> str:
        """``window_end_datetime`` as ISO 8601 with ``+08:00``, e.g. ``window_end("2026-09-28T10:00:00+08:00",
        5, "working_days") == "2026-10-10T00:00:00+08:00"`` (POLICIES.md §6; see ``window_end_datetime``)."""
        return self.window_end_datetime(start, n, unit).isoformat()


def _start_day(start: datetime | date | str) -> date:
    if isinstance(start, str):
        return to_local(parse_aware(start, allow_date=True)).date()
    if isinstance(start, datetime):
        return to_local(start).date()
    if isinstance(start, date):
        return start
    raise ValidationFailed(
        f"起始时间必须是带时区的时间或 ISO 8601 字符串，收到的是 {type(start).__name__}。",
        f"The start must be an aware datetime or an ISO 8601 string, got {type(start).__name__}.",
    )


def _check_count(n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValidationFailed(
            f"天数必须是不小于 1 的整数，收到的是 {n!r}。",
            f"The number of days must be a whole number ≥ 1, got {n!r}.",
            details={"fields": {"n": ["must be an integer ≥ 1"]}},
        )
    return n


def _midnight_after(day: date) -> datetime:
    """24:00 of ``day`` in Asia/Shanghai, i.e. 00:00 of the next day."""
    return datetime.combine(day + timedelta(days=1), time(0), SHANGHAI)


# --- loading --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _DayEntry:
    day: date
    is_workday: bool
    name: str | None


def _replace_year(session: Session, year: int, days: Iterable[_DayEntry], source: str) -> None:
    """Replace everything stored for ``year`` by ``days`` (only the exceptions are kept)."""
    rows = [
        {"day": e.day, "is_workday": e.is_workday, "name": e.name}
        for e in days
        if e.is_workday != (e.day.weekday() < 5)
    ]
    session.execute(delete(CalendarDay).where(CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31))))
    if rows:
        session.execute(insert(CalendarDay), rows)
    row = session.get(CalendarYear, year)
    stamp = _load_stamp(session, row.loaded_at if row is not None else None)
    if row is None:
        session.add(CalendarYear(year=year, source=source, loaded_at=stamp))
    else:
        row.source, row.loaded_at = source, stamp
    session.flush()
    _new_revision(session)


def _fill_task_dues(session: Session) -> None:
    """Open tasks that waited for a year's schedule get their due dates (``engine.task_due.fill_missing``)."""
    from engine.task_due import fill_missing

    fill_missing(session)


def _load_stamp(session: Session, previous: datetime | None) -> datetime:
    """When a year is loaded: the engine's clock (the simulated one in demos and training), as every other time
    the pages show; a reload at the instant of the year's previous stamp (a simulated clock stands still) is
    stamped a microsecond later, so that the page shows that it was loaded again."""
    now = get_clock(session).now()
    if previous is not None and to_utc(now) == to_utc(previous):
        return now + timedelta(microseconds=1)
    return now


def seed_from_chinesecalendar(session: Session, *, keep_imported: bool = False) -> list[int]:
    """Load every year the installed ``chinesecalendar`` package knows, replacing those years. Flushes; the
    caller commits. Returns the years the package covers. With ``keep_imported`` (``jiebang init-db``), a
    year that staff imported from a file is left as they corrected it."""
    from chinese_calendar import constants

    chinese = {h.value: h.chinese for h in constants.Holiday}

    def label(english: str | None) -> str | None:
        if not english:
            return None
        return f"{chinese[english]} / {english}" if english in chinese else english

    source = f"chinesecalendar {metadata.version('chinesecalendar')}"
    by_year: dict[int, list[_DayEntry]] = {}
    for day, name in constants.holidays.items():
        by_year.setdefault(day.year, []).append(_DayEntry(day, False, label(name)))
    for day, name in constants.workdays.items():
        by_year.setdefault(day.year, []).append(_DayEntry(day, True, label(name)))
    imported: set[int] = set()
    if keep_imported:
        imported = set(session.scalars(select(CalendarYear.year).where(CalendarYear.source.like("import:%"))))
    for year in sorted(by_year):
        if year not in imported:
            _replace_year(session, year, by_year[year], source)
    _fill_task_dues(session)
    return sorted(by_year)


def import_calendar_file(session: Session, path: str | Path) -> list[int]:
    """Import a staff CSV (format in the module docstring). Every year in the file replaces that year's data.
    Any bad line refuses the whole file and stores nothing. Flushes; the caller commits. Returns the years."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ValidationFailed(
            f"找不到日历文件 {path}。", f"Calendar file {path} not found.", details={"file": str(path)}
        ) from None
    except UnicodeDecodeError:
        raise _not_utf8(path.name) from None
    except OSError as exc:
        raise ValidationFailed(
            f"无法读取日历文件 {path}：{exc.strerror}。",
            f"Cannot read calendar file {path}: {exc.strerror}.",
            details={"file": str(path)},
        ) from None
    return import_calendar_text(session, text, path.name)


def _not_utf8(filename: str) -> ValidationFailed:
    return ValidationFailed(
        f"日历文件 {filename} 不是 UTF-8 编码。请另存为 UTF-8 编码的 CSV 后重试。",
        f"Calendar file {filename} is not UTF-8 encoded. Save it as UTF-8 CSV and try again.",
        details={"file": filename},
    )


def decode_calendar_bytes(raw: bytes, filename: str) -> str:
    """The text of an uploaded calendar file (UTF-8, a BOM allowed); refuses anything else."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _not_utf8(filename) from None


def import_calendar_text(
    session: Session, text: str, filename: str, *, source: str | None = None
) -> list[int]:
    """Import calendar CSV text (the module docstring's format) as if read from ``filename``. ``source`` is
    recorded per year (default ``import:<filename>``). Flushes; the caller commits. Returns the years."""
    by_year: dict[int, list[_DayEntry]] = {}
    for entry in _parse_calendar_csv(text, filename):
        by_year.setdefault(entry.day.year, []).append(entry)
    recorded = (source or f"import:{filename}")[:255]
    for year in sorted(by_year):
        _replace_year(session, year, by_year[year], recorded)
    _fill_task_dues(session)
    return sorted(by_year)


@dataclass(frozen=True)
class YearPreview:
    """What importing a file would store for one year: its days off on weekdays, its make-up working days and
    the number of working days the year would have."""

    year: int
    holidays: list[tuple[date, str | None]]
    makeup_workdays: list[tuple[date, str | None]]
    working_days: int
    replaces: str | None  # the source now stored for the year, None if the year is new


def preview_calendar_text(session: Session, text: str, filename: str) -> list[YearPreview]:
    """Parse calendar CSV text exactly as the import does (refusing it the same way) and describe what it would
    store, year by year, without storing anything."""
    by_year: dict[int, list[_DayEntry]] = {}
    for entry in _parse_calendar_csv(text, filename):
        by_year.setdefault(entry.day.year, []).append(entry)
    previews = []
    for year, entries in sorted(by_year.items()):
        changes = [e for e in entries if e.is_workday != (e.day.weekday() < 5)]
        cal = WorkCalendar([year], {e.day: e.is_workday for e in changes})
        stored = session.get(CalendarYear, year)
        previews.append(
            YearPreview(
                year=year,
                holidays=[(e.day, e.name) for e in sorted(changes, key=lambda e: e.day) if not e.is_workday],
                makeup_workdays=[
                    (e.day, e.name) for e in sorted(changes, key=lambda e: e.day) if e.is_workday
                ],
                working_days=_working_days_in(cal, year),
                replaces=stored.source if stored else None,
            )
        )
    return previews


def _working_days_in(cal: WorkCalendar, year: int) -> int:
    start = date(year, 1, 1)
    return sum(cal.is_workday(start + timedelta(days=i)) for i in range((date(year + 1, 1, 1) - start).days))


def _parse_calendar_csv(text: str, filename: str) -> list[_DayEntry]:
    problems: list[dict[str, Any]] = []

    def bad(line: int, zh: str, en: str) -> None:
        problems.append({"line": line, "zh": zh, "en": en})

    entries: list[_DayEntry] = []
    seen: dict[date, int] = {}
    header_seen = False
    reader = csv.reader(io.StringIO(text))
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            bad(reader.line_num, f"CSV 格式错误：{exc}", f"malformed CSV: {exc}")
            break
        line = reader.line_num
        if not cells or all(not c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in cells]
        if not header_seen:
            header_seen = True
            if [c.lower() for c in cells] != HEADER:
                bad(
                    line,
                    f"第一行必须是表头 date,kind,name，实际是 {','.join(cells)}",
                    f"the first line must be the header date,kind,name, found {','.join(cells)}",
                )
                break
            continue
        if len(cells) not in (2, 3):
            bad(
                line,
                f"应有 2 或 3 列（date,kind,name），实际 {len(cells)} 列",
                f"expected 2 or 3 columns (date,kind,name), found {len(cells)}",
            )
            continue
        raw_day, raw_kind = cells[0], cells[1].lower()
        name = cells[2] if len(cells) == 3 and cells[2] else None
        day = _parse_day(raw_day)
        if day is None:
            bad(
                line,
                f"日期“{raw_day}”无效，应为 YYYY-MM-DD",
                f"invalid date '{raw_day}', expected YYYY-MM-DD",
            )
            continue
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            bad(
                line,
                f"年份 {day.year} 超出范围 {MIN_YEAR}–{MAX_YEAR}",
                f"year {day.year} is outside {MIN_YEAR}–{MAX_YEAR}",
            )
            continue
        if raw_kind not in ("holiday", "workday"):
            bad(
                line,
                f"类型“{cells[1]}”无效，只能是 holiday（放假）或 workday（调休上班）",
                f"invalid kind '{cells[1]}': use holiday (day off) or workday (make-up working day)",
            )
            continue
        if raw_kind == "workday" and day.weekday() < 5:
            bad(
                line,
                f"{raw_day} 是星期{_WEEKDAYS_ZH[day.weekday()]}，本来就是工作日；调休上班日只能是周六或周日",
                f"{raw_day} is a {_WEEKDAYS_EN[day.weekday()]}, already a working day; "
                "a make-up working day must be a Saturday or Sunday",
            )
            continue
        if name is not None and len(name) > 200:
            bad(line, "名称超过 200 个字符", "the name is longer than 200 characters")
            continue
        if day in seen:
            bad(line, f"日期 {raw_day} 与第 {seen[day]} 行重复", f"date {raw_day} repeats line {seen[day]}")
            continue
        seen[day] = line
        entries.append(_DayEntry(day, raw_kind == "workday", name))
    if not problems and not entries:
        bad(reader.line_num or 1, "文件中没有任何日期", "the file lists no dates")
    if problems:
        first = problems[0]
        more_zh = f"（另有 {len(problems) - 1} 处错误）" if len(problems) > 1 else ""
        more_en = f" ({len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ValidationFailed(
            f"日历文件 {filename} 第 {first['line']} 行：{first['zh']}{more_zh}。整个文件未导入。",
            f"Calendar file {filename}, line {first['line']}: {first['en']}{more_en}. Nothing was imported.",
            details={"file": filename, "problems": problems},
        )
    return entries


def _parse_day(raw: str) -> date | None:
    if not _DATE.match(raw):
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


# --- reporting ------------------------------------------------------------------------------------


def check_year(session: Session, year: int) -> dict[str, Any]:
    """What ``jiebang calendar check YEAR`` shows. Raises ``CalendarMissing`` for a year not loaded.

    ``holidays`` are the weekday days off, ``makeup_workdays`` the weekend working days (调休);
    ``working_days`` is the number of working days in the year (usually about 250).
    """
    row = session.get(CalendarYear, year)
    if row is None:
        raise calendar_missing(year)
    days = (
        session.execute(
            select(CalendarDay)
            .where(CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31)))
            .order_by(CalendarDay.day)
        )
        .scalars()
        .all()
    )

    def item(d: CalendarDay) -> dict[str, Any]:
        return {"date": d.day.isoformat(), "weekday": _WEEKDAYS_EN[d.day.weekday()], "name": d.name}

    holidays = [item(d) for d in days if not d.is_workday]
    makeup = [item(d) for d in days if d.is_workday]
    total = _working_days_in(WorkCalendar([year], {d.day: d.is_workday for d in days}), year)
    return {
        "year": year,
        "known": True,
        "source": row.source,
        "loaded_at": row.loaded_at.isoformat(),
        "holiday_count": len(holidays),
        "makeup_workday_count": len(makeup),
        "working_days": total,
        "holidays": holidays,
        "makeup_workdays": makeup,
    }
