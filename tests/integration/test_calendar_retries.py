"""Importing a year's holiday schedule heals what its absence stopped (POLICIES.md §6: a year without a schedule
is an error, never a guess): the instances that failed for that year are retried, each in its own transaction,
and only those (engine.calendar_status.retry_calendar_failures) — on the web page and with `jiebang calendar import`,
which also tries a transient database failure again (engine.calendar_status.import_retrying)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

import engine.calendar
import engine.calendar_status
import engine.instances
from engine import instances
from engine.calendar import calendar_missing, import_calendar_text
from engine.calendar_status import import_retrying, retry_calendar_failures
from engine.errors import Forbidden
from engine.models.calendar import CalendarYear
from engine.models.event import InstanceEvent
from engine.models.instance import ProcessInstance
from engine.users import get_user
from tests.publicity_demo import approved_publicity

SCHEDULE_2027 = (
    "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,workday,春节调休\n2027-02-08,holiday,春节\n"
)


@pytest.fixture
def stopped(db_session: Session, deploy, sim, calendar_loaded, people: dict[str, str]) -> list[int]:  # type: ignore[no-untyped-def]
    deploy("basic")
    sim.set("2026-12-28T10:00:00+08:00")
    # a 5-working-day publicity approved on Monday 28 December 2026 needs 2027, which is missing
    stopped = [
        approved_publicity(
            db_session,
            issuer=people["issuer"],
            bureau=people["bureau"],
            key=f"C-{n}",
            days=5,
            unit="working_days",
        )
        for n in range(4)
    ]
    assert [state for _id, state in stopped] == ["error"] * 4
    return [inst_id for inst_id, _state in stopped]


def _state(session: Session, instance_id: int) -> tuple[str, int]:
    """The instance's status and how many times it was retried."""
    session.rollback()
    session.expire_all()
    retried = session.scalars(
        select(InstanceEvent).where(InstanceEvent.instance_id == instance_id, InstanceEvent.kind == "retried")
    ).all()
    return instances.describe(session, instance_id)["status"], len(retried)


def test_the_import_retries_those_stopped_for_its_year_each_on_its_own(
    db_session: Session, stopped: list[int], people: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    breaks, resumes, refused, other_year = (
        stopped  # the broken one first: its rollback must not touch the next
    )
    # One instance says it stopped for 2026 (loaded long ago): the import of 2027 is not its cure.
    message = str(calendar_missing(2026))
    db_session.execute(
        update(ProcessInstance).where(ProcessInstance.id == other_year).values(error_message=message)
    )
    import_calendar_text(db_session, SCHEDULE_2027, "2027.csv")
    db_session.commit()

    real_retry = engine.instances.retry

    def retry(session: Session, instance_id: int, **kwargs: Any) -> ProcessInstance:
        if instance_id == breaks:  # an unforeseen fault, after the instance's change began
            session.execute(
                update(ProcessInstance).where(ProcessInstance.id == breaks).values(title="half-done")
            )
            raise RuntimeError("index out of step")
        if instance_id == refused:
            raise Forbidden("您不能管理流程实例。", "You cannot control process instances.")
        return real_retry(session, instance_id, **kwargs)

    monkeypatch.setattr(engine.instances, "retry", retry)
    admin = get_user(db_session, people["admin"])
    done = retry_calendar_failures(db_session, admin, actor=people["admin"], years=[2027])

    assert [f.instance_id for f in done.resumed] == [resumes]
    reasons = {f.instance_id: en for f, (_zh, en) in done.not_resumed}
    assert reasons == {
        breaks: "internal error; see the log",
        refused: "You cannot control process instances.",
    }
    assert _state(db_session, resumes) == ("running", 1)
    assert instances.describe(db_session, resumes)["data"]["publicity_end"] == "2027-01-05T00:00:00+08:00"
    # the broken one's transaction was rolled back alone: nothing of it stayed, and the others went on
    assert _state(db_session, breaks) == ("error", 0)
    assert db_session.get(ProcessInstance, breaks).title != "half-done"  # type: ignore[union-attr]
    assert _state(db_session, refused) == ("error", 0)
    assert _state(db_session, other_year) == ("error", 0)

    # The retry button (no years named) takes every instance whose missing year is loaded now.
    monkeypatch.setattr(engine.instances, "retry", real_retry)
    again = retry_calendar_failures(db_session, admin, actor=people["admin"])
    assert sorted(f.instance_id for f in again.resumed) == sorted([breaks, refused, other_year])
    assert again.not_resumed == []


def test_nothing_is_retried_while_the_year_is_still_missing(
    db_session: Session, stopped: list[int], people: dict[str, str]
) -> None:
    admin = get_user(db_session, people["admin"])
    done = retry_calendar_failures(db_session, admin, actor=people["admin"], years=[2028])
    assert done.resumed == [] and done.not_resumed == []
    assert [_state(db_session, i) for i in stopped] == [("error", 0)] * 4


def test_a_bureau_retries_only_what_it_reads(
    db_session: Session, stopped: list[int], people: dict[str, str]
) -> None:
    import_calendar_text(db_session, SCHEDULE_2027, "2027.csv")
    db_session.commit()
    elsewhere = get_user(db_session, people["other_bureau"])  # Dazu's bureau: these are Urumqi's cases
    done = retry_calendar_failures(db_session, elsewhere, actor=people["other_bureau"], years=[2027])
    assert done.resumed == [] and done.not_resumed == []
    assert [_state(db_session, i) for i in stopped] == [("error", 0)] * 4


def _schedule(tmp_path: Path) -> str:
    path = tmp_path / "2027.csv"
    path.write_text(SCHEDULE_2027, encoding="utf-8")
    return str(path)


def _loaded(session: Session, year: int) -> bool:
    session.rollback()
    return session.get(CalendarYear, year) is not None


def test_the_cli_import_resumes_what_it_blocked_as_the_console_operator(
    db_session: Session, stopped: list[int], jiebang, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    code, out, err = jiebang("calendar", "import", _schedule(tmp_path), "--json")
    assert code == 0, err
    assert json.loads(out) == {"years": [2027], "resumed": stopped, "not_resumed": []}
    for instance_id in stopped:
        assert _state(db_session, instance_id) == ("running", 1)
        (retried,) = [e for e in instances.events(db_session, instance_id) if e["kind"] == "retried"]
        assert retried["actor"] is None  # the console's operator names no user, as the system's steps do
    # the import is idempotent and, with nothing left stopped, resumes nothing more
    code, out, _ = jiebang("calendar", "import", _schedule(tmp_path))
    assert (code, out) == (0, "已导入 imported 2027\n")


def test_the_cli_import_as_a_user_retries_under_that_users_permissions(
    db_session: Session, stopped: list[int], people: dict[str, str], jiebang, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    code, _, err = jiebang("calendar", "import", _schedule(tmp_path), "--as", "nobody")
    assert (
        code == 2
        and err == "错误：用户 nobody 不存在或已停用。 | Error: User nobody does not exist or is disabled.\n"
    )
    assert not _loaded(db_session, 2027)  # refused before anything was imported
    code, out, err = jiebang("calendar", "import", _schedule(tmp_path), "--as", people["other_bureau"])
    assert code == 0 and out == "已导入 imported 2027\n", err  # Dazu's bureau reads none of Urumqi's cases
    assert [_state(db_session, i) for i in stopped] == [("error", 0)] * 4
    code, out, err = jiebang("calendar", "import", _schedule(tmp_path), "--as", people["bureau"])
    assert code == 0, err
    assert out.splitlines()[1] == f"已恢复运行 resumed 4 instance(s): {', '.join(map(str, stopped))}"
    db_session.rollback()  # end the old snapshot: the command committed in its own session
    for instance_id in stopped:
        (retried,) = [e for e in instances.events(db_session, instance_id) if e["kind"] == "retried"]
        assert retried["actor"] == people["bureau"]


def _lost_connection() -> OperationalError:
    return OperationalError(
        "INSERT INTO calendar_day …", {}, Exception("server closed the connection unexpectedly")
    )


def test_a_transient_database_failure_of_the_cli_import_is_tried_again(
    db_session: Session,
    stopped: list[int],
    jiebang,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:  # type: ignore[no-untyped-def]
    real_import = engine.calendar.import_calendar_text
    calls: list[int] = []

    def flaky(session: Session, text: str, filename: str, **kwargs: Any) -> list[int]:
        calls.append(1)
        years = real_import(session, text, filename, **kwargs)  # written, then the connection is lost
        if len(calls) == 1:
            raise _lost_connection()
        return years

    monkeypatch.setattr(engine.calendar, "import_calendar_text", flaky)
    monkeypatch.setattr(engine.calendar_status, "RETRY_PAUSES", (0.0, 0.0))
    with caplog.at_level(logging.WARNING, logger="jiebang.calendar"):
        code, out, err = jiebang("calendar", "import", _schedule(tmp_path), "--json")
    assert code == 0, err
    assert len(calls) == 2 and json.loads(out)["resumed"] == stopped
    assert [r.getMessage() for r in caplog.records] == [
        "calendar import: server closed the connection unexpectedly; trying again in 0.0 s"
    ]


def test_a_persistent_database_failure_says_nothing_was_imported(
    db_session: Session, stopped: list[int], jiebang, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    real_import = engine.calendar.import_calendar_text
    calls: list[int] = []

    def broken(session: Session, text: str, filename: str, **kwargs: Any) -> list[int]:
        calls.append(1)
        real_import(session, text, filename, **kwargs)
        raise _lost_connection()

    monkeypatch.setattr(engine.calendar, "import_calendar_text", broken)
    monkeypatch.setattr(engine.calendar_status, "RETRY_PAUSES", (0.0, 0.0))
    code, out, err = jiebang("calendar", "import", _schedule(tmp_path))
    assert (code, out, len(calls)) == (2, "", 3)
    assert err == (
        "错误：数据库暂时无法使用（server closed the connection unexpectedly），已尝试 3 次，节假日安排未导入。"
        "请稍后重新导入。 | Error: The database is not available (server closed the connection unexpectedly); "
        "tried 3 times and the holiday schedule was not imported. Import it again later.\n"
    )
    assert not _loaded(db_session, 2027)
    assert [_state(db_session, i) for i in stopped] == [("error", 0)] * 4


def test_a_failure_that_is_not_transient_is_not_tried_again(
    db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    def refused(session: Session) -> list[int]:
        calls.append(1)
        raise IntegrityError("INSERT INTO calendar_day …", {}, Exception("duplicate key"))

    with pytest.raises(IntegrityError):
        import_retrying(db_session, refused)
    assert calls == [1]
