"""Working days and window ends (POLICIES.md §6), holiday tables, staff CSV import, ``calendar check``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.calendar import WorkCalendar, check_year, import_calendar_file, seed_from_chinesecalendar
from engine.errors import CalendarMissing, ValidationFailed
from engine.models.calendar import CalendarDay, CalendarYear

CSV_2027 = """date,kind,name
2027-01-01,holiday,元旦
2027-02-06,workday,春节调休
2027-02-08,holiday,春节
2027-02-09,holiday,春节
"""


@pytest.fixture
def cal(db_session: Session) -> WorkCalendar:
    seed_from_chinesecalendar(db_session)
    db_session.commit()
    return WorkCalendar.load(db_session)


def _write(tmp_path: Path, text: str, name: str = "holidays.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _count(session: Session, model: type) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


# --- the counting rule ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # 09-28, 09-29, 09-30, 10-08, 10-09 (National Day 10-01..10-07 skipped)
        ("2026-09-28T10:00:00+08:00", "2026-10-10T00:00:00+08:00"),
        # 09-30, 10-08, 10-09, 10-10 (Saturday make-up day), 10-12 (Monday)
        ("2026-09-30T09:00:00+08:00", "2026-10-13T00:00:00+08:00"),
        # late evening still counts the day itself
        ("2026-09-30T23:59:59+08:00", "2026-10-13T00:00:00+08:00"),
        # Spring Festival 02-15..02-23 skipped; 02-12, 02-13, 02-14 (Saturday make-up), 02-24, 02-25
        ("2026-02-12T16:30:00+08:00", "2026-02-26T00:00:00+08:00"),
    ],
)
def test_five_working_day_publicity_across_2026_holidays(
    cal: WorkCalendar, start: str, expected: str
) -> None:
    """001 八(五), 003 §12(6): publicity lasts 5 working days; POLICIES.md §6: day(t) counts if it is a
    working day, holidays are skipped, make-up working days (调休) count, the window ends at 24:00."""
    assert cal.window_end(start, 5, "working_days") == expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # Saturday 10-03 is inside National Day: 10-08, 10-09, 10-10 (make-up), 10-12, 10-13
        ("2026-10-03T10:00:00+08:00", "2026-10-14T00:00:00+08:00"),
        # Thursday 10-01 is a weekday holiday: same five days
        ("2026-10-01T08:00:00+08:00", "2026-10-14T00:00:00+08:00"),
        # an ordinary Saturday: Mon 03-09 .. Fri 03-13
        ("2026-03-07T15:00:00+08:00", "2026-03-14T00:00:00+08:00"),
    ],
)
def test_window_starting_on_a_day_off_begins_with_the_next_working_day(
    cal: WorkCalendar, start: str, expected: str
) -> None:
    """POLICIES.md §6: the first N working days *on or after* day(t); a holiday/weekend day(t) is not one."""
    assert cal.window_end(start, 5, "working_days") == expected


def test_day_of_the_start_is_taken_in_shanghai_time(cal: WorkCalendar) -> None:
    """POLICIES.md §6 "all times are Asia/Shanghai": 2026-09-29 17:00 UTC is already 09-30 in Beijing."""
    assert cal.window_end("2026-09-29T17:00:00Z", 5, "working_days") == "2026-10-13T00:00:00+08:00"
    assert cal.window_end(datetime(2026, 9, 28, 2, tzinfo=UTC), 5, "working_days") == (
        "2026-10-10T00:00:00+08:00"
    )


def test_seven_calendar_days_count_holidays(cal: WorkCalendar) -> None:
    """000 §12(5): publicity for 7 days; calendar days run through National Day and end at 24:00 of day 7."""
    assert cal.window_end("2026-09-28T10:00:00+08:00", 7, "days") == "2026-10-05T00:00:00+08:00"
    assert cal.window_end("2026-09-28T23:00:00+08:00", 1, "days") == "2026-09-29T00:00:00+08:00"
    assert cal.window_end_datetime("2026-09-28T10:00:00+08:00", 7, "days") == datetime(
        2026, 10, 4, 16, tzinfo=UTC
    )


def test_calendar_days_need_no_holiday_schedule() -> None:
    """POLICIES.md §6: calendar days do not depend on holidays, so an unloaded year is no obstacle."""
    empty = WorkCalendar([], {})
    assert empty.window_end("2031-12-30T10:00:00+08:00", 7, "days") == "2032-01-06T00:00:00+08:00"


def test_date_only_start_means_midnight_in_shanghai(cal: WorkCalendar) -> None:
    assert cal.window_end("2026-09-28", 5, "working_days") == "2026-10-10T00:00:00+08:00"
    assert cal.window_end(date(2026, 9, 28), 7, "days") == "2026-10-05T00:00:00+08:00"


@pytest.mark.parametrize(
    ("start", "n", "unit", "words"),
    [
        ("2026-09-28T10:00:00", 5, "working_days", "time zone"),
        (datetime(2026, 9, 28, 10), 5, "working_days", "time zone"),
        ("next monday", 5, "days", "ISO 8601"),
        ("2026-09-28T10:00:00+08:00", 0, "days", "≥ 1"),
        ("2026-09-28T10:00:00+08:00", "5", "days", "≥ 1"),
        ("2026-09-28T10:00:00+08:00", 5, "weeks", "days"),
    ],
)
def test_bad_window_arguments_are_refused_clearly(
    cal: WorkCalendar, start: object, n: object, unit: str, words: str
) -> None:
    with pytest.raises(ValidationFailed) as err:
        cal.window_end(start, n, unit)  # type: ignore[arg-type]
    assert words in err.value.en and err.value.zh


def test_is_workday_follows_the_state_council_schedule(cal: WorkCalendar) -> None:
    """POLICIES.md §6: public holidays are days off, make-up days (调休) are working days."""
    assert cal.is_workday(date(2026, 10, 1)) is False  # National Day, Thursday
    assert cal.is_workday(date(2026, 10, 10)) is True  # Saturday make-up day
    assert cal.is_workday(date(2026, 10, 11)) is False  # ordinary Sunday
    assert cal.is_workday(date(2026, 10, 12)) is True  # ordinary Monday
    assert cal.is_workday(date(2026, 2, 14)) is True  # Saturday make-up day before Spring Festival


# --- unknown years and import ---------------------------------------------------------------------


def test_unknown_year_is_an_error_until_staff_import_it(
    db_session: Session, cal: WorkCalendar, tmp_path: Path
) -> None:
    """POLICIES.md §6: a date in a year whose schedule is not loaded is an error shown to staff, never a
    silent guess; after ``jiebang calendar import`` the same computation works."""
    with pytest.raises(CalendarMissing) as err:
        cal.window_end("2027-03-01T10:00:00+08:00", 5, "working_days")
    assert "2027" in err.value.zh and "2027" in err.value.en
    assert "jiebang calendar import" in err.value.zh and "jiebang calendar import" in err.value.en
    assert err.value.details == {"year": 2027}
    # a window that starts in a known year but runs into an unknown one is refused too
    with pytest.raises(CalendarMissing, match="2027"):
        cal.window_end("2026-12-28T10:00:00+08:00", 5, "working_days")

    assert import_calendar_file(db_session, _write(tmp_path, CSV_2027)) == [2027]
    db_session.commit()
    cal = WorkCalendar.load(db_session)
    assert cal.window_end("2027-03-01T10:00:00+08:00", 5, "working_days") == "2027-03-06T00:00:00+08:00"
    # 12-28, 12-29, 12-30, 12-31, then 2027-01-01 is a holiday, 01-04 is Monday
    assert cal.window_end("2026-12-28T10:00:00+08:00", 5, "working_days") == "2027-01-05T00:00:00+08:00"
    # Sat 02-06 make-up day counts; 02-08, 02-09 are off: 02-05, 02-06, 02-10, 02-11, 02-12
    assert cal.window_end("2027-02-05T10:00:00+08:00", 5, "working_days") == "2027-02-13T00:00:00+08:00"


def test_import_stores_only_exceptions_and_reports_the_year(db_session: Session, tmp_path: Path) -> None:
    text = CSV_2027 + "2027-10-02,holiday,国庆节\n"  # a Saturday inside a holiday: allowed, changes nothing
    import_calendar_file(db_session, _write(tmp_path, text, "2027.csv"))
    db_session.commit()
    report = check_year(db_session, 2027)
    assert report["known"] is True and report["source"] == "import:2027.csv"
    assert [h["date"] for h in report["holidays"]] == ["2027-01-01", "2027-02-08", "2027-02-09"]
    assert report["makeup_workdays"] == [{"date": "2027-02-06", "weekday": "Sat", "name": "春节调休"}]
    assert (report["holiday_count"], report["makeup_workday_count"]) == (3, 1)
    assert report["working_days"] == 261 - 3 + 1  # 2027 has 261 weekdays


def test_import_accepts_bom_comments_blank_lines_and_quoted_names(
    db_session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "excel.csv"
    path.write_text(
        '# 国务院办公厅通知\ndate,kind,name\n\n2027-01-01,HOLIDAY,"New Year, 元旦"\n2027-02-06,workday\n',
        encoding="utf-8-sig",
    )
    assert import_calendar_file(db_session, path) == [2027]
    report = check_year(db_session, 2027)
    assert report["holidays"][0]["name"] == "New Year, 元旦"
    assert report["makeup_workdays"][0]["name"] is None


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("day,type\n2027-01-01,holiday\n", 1, "header"),
        ("date,kind,name\n2027-01-01,holiday,元旦\n2027-02-30,holiday,春节\n", 3, "invalid date"),
        ("date,kind,name\n2027-01-01,holiday,元旦\n2027/02/08,holiday,春节\n", 3, "invalid date"),
        ("date,kind,name\n2027-01-01,vacation,元旦\n", 2, "invalid kind"),
        ("date,kind,name\n2027-01-01,holiday,元旦\n2027-03-03,workday,调休\n", 3, "Wed"),
        ("date,kind,name\n2027-01-01,holiday,元旦\n2027-01-01,holiday,元旦\n", 3, "repeats line 2"),
        ("date,kind,name\n2027-01-01,holiday,元旦,extra\n", 2, "columns"),
        ("date,kind,name\n1899-01-02,holiday,\n", 2, "outside"),
        ("date,kind,name\n", 1, "no dates"),
    ],
)
def test_malformed_csv_is_refused_with_line_and_reason_and_stores_nothing(
    db_session: Session, cal: WorkCalendar, tmp_path: Path, text: str, line: int, words: str
) -> None:
    """POLICIES.md §6 (no silent guess): a bad calendar file is refused as a whole, naming the line."""
    before_days = _count(db_session, CalendarDay)
    path = _write(tmp_path, text + "2026-10-08,holiday,would wipe 2026\n" if line != 1 else text)
    with pytest.raises(ValidationFailed) as err:
        import_calendar_file(db_session, path)
    assert f"line {line}" in err.value.en and f"第 {line} 行" in err.value.zh
    assert words in err.value.en and "Nothing was imported" in err.value.en
    assert err.value.details["problems"][0]["line"] == line
    db_session.commit()
    assert _count(db_session, CalendarDay) == before_days
    assert db_session.get(CalendarYear, 2027) is None
    assert check_year(db_session, 2026)["source"].startswith("chinesecalendar")
    with pytest.raises(CalendarMissing):
        check_year(db_session, 2027)


def test_every_bad_line_is_reported(db_session: Session, tmp_path: Path) -> None:
    path = _write(tmp_path, "date,kind,name\n2027-13-01,holiday,\n2027-01-01,holiday,ok\n2027-01-04,x,\n")
    with pytest.raises(ValidationFailed) as err:
        import_calendar_file(db_session, path)
    assert [p["line"] for p in err.value.details["problems"]] == [2, 4]
    assert "(1 more)" in err.value.en


def test_missing_file_is_refused(db_session: Session, tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed, match="not found"):
        import_calendar_file(db_session, tmp_path / "nope.csv")


def test_last_load_of_a_year_replaces_it(db_session: Session, cal: WorkCalendar, tmp_path: Path) -> None:
    """A staff import of a year the package knows replaces that year completely (and a later seed would
    replace the import again)."""
    import_calendar_file(
        db_session, _write(tmp_path, "date,kind,name\n2026-10-01,holiday,国庆节\n", "fix.csv")
    )
    db_session.commit()
    report = check_year(db_session, 2026)
    assert report["source"] == "import:fix.csv"
    assert [h["date"] for h in report["holidays"]] == ["2026-10-01"] and report["makeup_workdays"] == []
    assert WorkCalendar.load(db_session).is_workday(date(2026, 10, 2)) is True
    assert check_year(db_session, 2025)["source"].startswith("chinesecalendar")  # other years untouched


# --- seeding and check ----------------------------------------------------------------------------


def test_seed_loads_every_packaged_year_and_is_idempotent(db_session: Session) -> None:
    years = seed_from_chinesecalendar(db_session)
    assert years[0] == 2004 and 2026 in years and 2027 not in years
    db_session.commit()
    first = _count(db_session, CalendarDay)
    assert seed_from_chinesecalendar(db_session) == years
    db_session.commit()
    assert _count(db_session, CalendarDay) == first
    assert _count(db_session, CalendarYear) == len(years)


def test_check_2026_lists_holidays_and_makeup_days(db_session: Session, cal: WorkCalendar) -> None:
    """``jiebang calendar check 2026``: staff can compare it with the State Council notice."""
    report = check_year(db_session, 2026)
    assert report["known"] is True and report["source"] == "chinesecalendar 1.11.0"
    assert [d["date"] for d in report["makeup_workdays"]] == [
        "2026-01-04",
        "2026-02-14",
        "2026-02-28",
        "2026-05-09",
        "2026-09-20",
        "2026-10-10",
    ]
    national = [d for d in report["holidays"] if d["date"].startswith("2026-10")]
    # 10-01..10-07 minus the weekend 10-03, 10-04 (stored only as exceptions to Monday–Friday)
    assert [d["date"] for d in national] == [
        "2026-10-01",
        "2026-10-02",
        "2026-10-05",
        "2026-10-06",
        "2026-10-07",
    ]
    assert national[0]["name"] == "国庆节 / National Day"
    assert report["makeup_workday_count"] == 6 and report["holiday_count"] == len(report["holidays"])


def test_check_unknown_year_tells_staff_what_to_do(db_session: Session, cal: WorkCalendar) -> None:
    with pytest.raises(CalendarMissing) as err:
        check_year(db_session, 2031)
    assert "2031" in str(err.value) and "jiebang calendar import" in str(err.value)


def test_init_db_reseeding_keeps_a_year_staff_corrected(db_session: Session, tmp_path: Path) -> None:
    """A staff correction to a packaged year (e.g. a late-announced holiday) survives `jiebang init-db`."""
    seed_from_chinesecalendar(db_session)
    fix = tmp_path / "fix2026.csv"
    fix.write_text("date,kind,name\n2026-12-31,holiday,临时调整\n", encoding="utf-8")
    import_calendar_file(db_session, fix)
    seed_from_chinesecalendar(db_session, keep_imported=True)
    db_session.commit()
    assert check_year(db_session, 2026)["source"].startswith("import:")
    assert WorkCalendar.load(db_session).is_workday(date(2026, 12, 31)) is False
    seed_from_chinesecalendar(db_session)
    assert check_year(db_session, 2026)["source"].startswith("chinesecalendar")


def test_the_calendar_steps_use_follows_an_import_without_reading_every_day_again(
    db_session: Session, cal: WorkCalendar, tmp_path: Path
) -> None:
    """Steps reuse the calendar read once (``WorkCalendar.current``: its revision token read once per
    transaction, nothing more), yet a late-announced holiday imported by staff counts from the next step on, in
    this process and any other."""
    from tests.api.test_scale import statements

    assert WorkCalendar.current(db_session).is_workday(date(2026, 12, 31)) is True
    with statements() as sent:
        again = WorkCalendar.current(db_session)
    assert again.is_workday(date(2026, 12, 31)) is True
    assert sent == [], sent  # the same transaction: its revision is known
    db_session.commit()
    with statements() as sent:
        again = WorkCalendar.current(db_session)
    assert again.is_workday(date(2026, 12, 31)) is True
    reads = [s for s in sent if s != "BEGIN"]
    assert len(reads) == 1 and "calendar_revision" in reads[0], sent  # the next: the token alone
    import_calendar_file(db_session, _write(tmp_path, "date,kind,name\n2026-12-31,holiday,临时调整\n"))
    assert (
        WorkCalendar.current(db_session).is_workday(date(2026, 12, 31)) is False
    )  # the importing transaction
    db_session.commit()
    assert WorkCalendar.current(db_session).is_workday(date(2026, 12, 31)) is False
    # the one-day import replaced 2026 (its other holidays are gone); reloading the packaged year restores them
    assert WorkCalendar.current(db_session).is_workday(date(2026, 10, 1)) is True
    seed_from_chinesecalendar(db_session)
    db_session.commit()
    assert WorkCalendar.current(db_session).is_workday(date(2026, 10, 1)) is False


def test_an_import_committed_by_another_process_is_seen_by_the_next_transaction(
    db_session: Session, cal: WorkCalendar, tmp_path: Path
) -> None:
    """A web worker or a sweeper keeps the calendar it read; another process's import changes the revision
    token, so the worker's next transaction reads the new calendar, never the one it kept."""
    from sqlalchemy.orm import sessionmaker

    assert WorkCalendar.current(db_session).is_workday(date(2026, 12, 31)) is True
    db_session.commit()
    other = sessionmaker(bind=db_session.get_bind())()
    try:
        import_calendar_file(other, _write(tmp_path, "date,kind,name\n2026-12-31,holiday,临时调整\n"))
        assert WorkCalendar.current(db_session).is_workday(date(2026, 12, 31)) is True  # not committed yet
        db_session.commit()
        other.commit()
    finally:
        other.close()
    assert WorkCalendar.current(db_session).is_workday(date(2026, 12, 31)) is False


def test_a_database_without_a_revision_token_has_an_empty_calendar_read_once(db_session: Session) -> None:
    """A schema made without the migrations (``create_all``) has no token until a year is loaded: its calendar
    is empty, and kept like any other (the token alone is read again), until the first load writes a token."""
    from sqlalchemy import delete

    from engine.models.calendar import CalendarRevision
    from tests.api.test_scale import statements

    db_session.execute(delete(CalendarRevision))
    db_session.commit()
    assert WorkCalendar.current(db_session).known_years == frozenset()
    db_session.commit()
    with statements() as sent:
        assert WorkCalendar.current(db_session).known_years == frozenset()
    assert [s for s in sent if s != "BEGIN" and "calendar_revision" not in s] == [], sent
    seed_from_chinesecalendar(db_session)
    db_session.commit()
    assert WorkCalendar.current(db_session).is_workday(date(2026, 10, 1)) is False
