"""Holiday schedule administration in the browser's pages: the staff banner while next year is missing, the
import with a preview (nothing stored before confirming; a bad file refused whole), and retrying the instances
that failed for the missing year (POLICIES.md §6: a year without a schedule is an error, never a guess)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import instances
from engine.models.calendar import CalendarYear
from tests.publicity_demo import approved_publicity
from tests.web.conftest import csrf_token, login

GOOD_2027 = "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,workday,春节调休\n2027-02-08,holiday,春节\n"


def _upload(client: FlaskClient, text: str, name: str = "2027.csv"):  # type: ignore[no-untyped-def]
    data = {"csrf_token": csrf_token(client, "/admin/calendar/"), "file": (io.BytesIO(text.encode()), name)}
    return client.post("/admin/calendar/preview", data=data, content_type="multipart/form-data")


def _year_2027(session: Session) -> CalendarYear | None:
    session.rollback()  # end the test session's snapshot: the web request committed in its own
    return session.scalar(select(CalendarYear).where(CalendarYear.year == 2027))


@pytest.fixture
def late_2026(sim, calendar_loaded) -> None:  # type: ignore[no-untyped-def]
    sim.set("2026-11-29T10:00:00+08:00")


def test_staff_see_the_banner_from_november_until_next_year_is_imported(
    client: FlaskClient, web_users: dict[str, str], db_session: Session, late_2026: None
) -> None:
    login(client, web_users["bureau"])
    page = client.get("/tasks").get_data(as_text=True)
    assert 'id="calendar-banner"' in page and "2027 年的放假和调休安排尚未导入" in page
    assert "/admin/calendar" in page

    preview = _upload(client, GOOD_2027)
    assert preview.status_code == 200
    assert _year_2027(db_session) is None, "a preview stores nothing"
    body = preview.get_data(as_text=True)
    assert "工作日放假 2 天，周末调休上班 1 天" in body and "春节调休" in body

    token = csrf_token(client, "/admin/calendar/")
    done = client.post(
        "/admin/calendar/import",
        data={"csrf_token": token, "text": GOOD_2027, "filename": "2027.csv"},
        follow_redirects=True,
    )
    assert "已导入 2027 年的节假日安排" in done.get_data(as_text=True)
    row = _year_2027(db_session)
    assert row is not None and row.source.startswith("import:2027.csv") and web_users["bureau"] in row.source
    assert 'id="calendar-banner"' not in client.get("/tasks").get_data(as_text=True)


def test_an_import_is_stamped_with_the_system_clock_and_a_reload_at_the_same_instant_is_seen(
    client: FlaskClient, web_users: dict[str, str], db_session: Session, late_2026: None
) -> None:
    """The 载入时间 is the system's time (here the simulated clock of a training run, 2026-11-29 10:00), as the
    page footer's; the simulated clock stands still, yet a corrected file imported at the same instant is the
    calendar the deadlines use at once (the stamps are the calendar's revision)."""
    from engine.calendar import WorkCalendar

    login(client, web_users["bureau"])
    token = csrf_token(client, "/admin/calendar/")
    holidays = []
    for text in (GOOD_2027, GOOD_2027.replace("2027-02-08,holiday", "2027-02-09,holiday")):
        client.post(
            "/admin/calendar/import", data={"csrf_token": token, "text": text, "filename": "2027.csv"}
        )
        db_session.rollback()
        calendar = WorkCalendar.current(db_session)
        holidays.append([d for d in (date(2027, 2, 8), date(2027, 2, 9)) if not calendar.is_workday(d)])
    assert holidays == [[date(2027, 2, 8)], [date(2027, 2, 9)]]
    page = client.get("/admin/calendar/").get_data(as_text=True)
    row_2027 = page.split("<tr><td>2027</td>", 1)[1].split("</tr>", 1)[0]
    assert "2026-11-29 10:00" in row_2027 and "系统时间：2026-11-29 10:00" in page


def test_no_banner_before_november_nor_for_solvers(
    client: FlaskClient, web_users: dict[str, str], sim, calendar_loaded
) -> None:  # type: ignore[no-untyped-def]
    sim.set("2026-10-31T23:00:00+08:00")
    login(client, web_users["bureau"])
    assert 'id="calendar-banner"' not in client.get("/tasks").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/tasks")})
    sim.set("2026-11-01T00:30:00+08:00")
    login(client, web_users["solver"])
    assert 'id="calendar-banner"' not in client.get("/tasks").get_data(as_text=True)
    assert client.get("/admin/calendar/").status_code == 403


def test_a_bad_file_is_refused_whole_with_every_line_named(
    client: FlaskClient, web_users: dict[str, str], db_session: Session, late_2026: None
) -> None:
    login(client, web_users["bureau"])
    bad = "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-04,workday,周一\n2027-13-01,holiday,x\n"
    answer = _upload(client, bad)
    assert answer.status_code == 422
    body = answer.get_data(as_text=True)
    assert "第 3 行" in body and "本来就是工作日" in body and "第 4 行" in body and "YYYY-MM-DD" in body
    assert _year_2027(db_session) is None

    forged = client.post(
        "/admin/calendar/import",
        data={"csrf_token": csrf_token(client, "/admin/calendar/"), "text": bad, "filename": "x.csv"},
    )
    assert forged.status_code == 422 and _year_2027(db_session) is None

    latin1 = _upload(client, "")  # an empty file
    assert latin1.status_code == 422
    not_utf8 = {
        "csrf_token": csrf_token(client, "/admin/calendar/"),
        "file": (io.BytesIO("date,kind,name\n2027-01-01,holiday,元旦\n".encode("gbk")), "gbk.csv"),
    }
    refused = client.post("/admin/calendar/preview", data=not_utf8, content_type="multipart/form-data")
    assert refused.status_code == 422 and "不是 UTF-8 编码" in refused.get_data(as_text=True)


def _stopped_for_2027(session: Session, web_users: dict[str, str], deploy, sim) -> int:  # type: ignore[no-untyped-def]
    deploy("basic")
    sim.set("2026-12-28T10:00:00+08:00")  # Monday: 4 working days left in 2026, the 5th is in 2027
    inst_id, state = approved_publicity(
        session,
        issuer=web_users["issuer"],
        bureau=web_users["bureau"],
        key="C-2027",
        days=5,
        unit="working_days",
    )
    assert state == "error"
    return inst_id


def _window_computed_with_2027(session: Session, instance_id: int) -> None:
    session.rollback()
    session.expire_all()  # the test's own copy of the instance row predates the web requests
    info = instances.describe(session, instance_id)
    # 12-28..12-31 are 4 working days, 2027-01-01 is 元旦: the 5th working day is Monday 2027-01-04
    assert info["status"] == "running"
    assert info["data"]["publicity_end"] == "2027-01-05T00:00:00+08:00"


def test_instances_failed_for_the_missing_year_are_listed_and_resumed_by_the_import(
    client: FlaskClient, web_users: dict[str, str], db_session: Session, deploy, sim, calendar_loaded
) -> None:  # type: ignore[no-untyped-def]
    inst_id = _stopped_for_2027(db_session, web_users, deploy, sim)

    login(client, web_users["bureau"])
    page = client.get("/admin/calendar/").get_data(as_text=True)
    assert 'id="failures"' in page and "C-2027" in page and "等待导入" in page
    assert 'id="retry-all"' not in page, "nothing can be retried before the year is imported"

    done = client.post(
        "/admin/calendar/import",
        data={
            "csrf_token": csrf_token(client, "/admin/calendar/"),
            "text": GOOD_2027,
            "filename": "2027.csv",
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "已导入 2027 年的节假日安排" in done
    assert "因缺少 2027 年节假日安排而中断的 1 个实例已自动恢复运行" in done
    assert 'id="no-failures"' in done and 'id="retry-all"' not in done
    _window_computed_with_2027(db_session, inst_id)


def test_a_year_imported_elsewhere_leaves_the_retry_to_the_button(
    client: FlaskClient, web_users: dict[str, str], db_session: Session, deploy, sim, calendar_loaded
) -> None:  # type: ignore[no-untyped-def]
    """``jiebang calendar import`` acts as nobody, so it retries nothing: the page offers the retry."""
    from engine.calendar import import_calendar_text

    inst_id = _stopped_for_2027(db_session, web_users, deploy, sim)
    import_calendar_text(db_session, GOOD_2027, "2027.csv")
    db_session.commit()

    login(client, web_users["bureau"])
    page = client.get("/admin/calendar/").get_data(as_text=True)
    assert "已导入，可以重试" in page and 'id="retry-all"' in page
    done = client.post(
        "/admin/calendar/retry",
        data={"csrf_token": csrf_token(client, "/admin/calendar/")},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "已重试 1 个实例，其中 1 个恢复运行" in done and 'id="no-failures"' in done
    _window_computed_with_2027(db_session, inst_id)


def test_the_page_speaks_english_on_the_switch(
    client: FlaskClient, web_users: dict[str, str], late_2026: None
) -> None:
    login(client, web_users["bureau"])
    client.get("/tasks?lang=en")
    page = client.get("/admin/calendar/?lang=en").get_data(as_text=True)
    assert "Holiday schedule" in page and "is not imported" in page
    assert "节假日安排" not in page
