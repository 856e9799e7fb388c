"""The public portal: notices with the exact end of the window, objections reaching the instance."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import instances, portal, tasks
from engine.bundle import collect_paths
from engine.deploy import deploy_bundle
from engine.models.task import HumanTask
from engine.models.web import Objection
from tests.web.conftest import login, post

ROOT = Path(__file__).resolve().parents[2]
NOTICE = {
    "notice_title": "2026 年度拟支持项目公示",
    "notice_body": "拟支持项目：某某",
    "subsidy": "1,000,000",
}
OBJECTION = {"name": "王五", "contact": "13800000000", "text": "该单位与发榜方存在股权关联，不符合规定。"}


@pytest.fixture
def publicise(db_session: Session, web_users, sim, calendar_loaded):  # type: ignore[no-untyped-def]
    sim.set("2026-09-28T10:00:00+08:00")
    deploy_bundle(db_session, collect_paths([ROOT / "bpmn"]))

    def start(key: str, jurisdiction: str = "urumqi", length: int = 7, unit: str = "days") -> int:
        inst = instances.start_instance(
            db_session,
            "publicity_demo",
            business_key=key,
            data={
                "jurisdiction": jurisdiction,
                "title": "拟支持项目",
                "publicity_length": length,
                "publicity_unit": unit,
            },
        )
        (task,) = tasks.list_tasks(db_session, instance_id=inst.id)
        tasks.complete(db_session, task.id, actor=f"bureau_{jurisdiction}", data=NOTICE)
        return inst.id

    return start


def test_notices_show_the_exact_end_of_the_window(
    client: FlaskClient, db_session: Session, publicise
) -> None:
    publicise("P-1")
    publicise("P-2", "dazu", 5, "working_days")
    found = portal.notices(db_session)
    assert [n.business_key for n in found] == ["P-1", "P-2"]
    page = client.get("/portal/").get_data(as_text=True)  # no sign-in
    assert "2026 年度拟支持项目公示" in page
    # the end as the reader counts days (Asia/Shanghai): the window ending at 00:00 of 5 Oct includes 4 Oct, and
    # nothing says "5 Oct" or "00:00:00", which a reader may take for the 5th
    assert (
        "2026年9月28日至2026年10月4日（含）" in page and "2026年10月4日 24:00" in page
    )  # 7 days from 28 Sep
    assert "2026年10月9日 24:00" in page  # 5 working days over National Day end at 24:00 of 9 Oct
    shown = re.sub(r"<[^>]+>", " ", page)  # what the reader sees (the <time> element keeps the exact instant)
    assert "2026-10-05" not in shown and "00:00:00" not in shown and "10月5日" not in shown
    detail = client.get("/portal/notices/P-1").get_data(as_text=True)
    assert "公示期" in detail and "2026年9月28日至2026年10月4日（含）" in detail
    assert "可在公示截止时间（北京时间 2026年10月4日 24:00）前提出" in detail
    english = client.get("/portal/notices/P-1?lang=en").get_data(as_text=True)
    assert "2026-09-28 to 2026-10-04 (inclusive)" in english and "2026-10-04 24:00" in english
    assert "年" not in english.split("<dl", 1)[1].split("</dl>", 1)[0]  # the dates in the reader's terms
    assert "拟支持项目：某某" in detail and 'name="text"' in detail
    assert client.get("/portal/notices/NOPE").status_code == 404


def test_an_objection_reaches_the_instance_and_the_staff_see_it(
    client: FlaskClient, db_session: Session, publicise, web_users
) -> None:
    iid = publicise("P-1")
    bad = post(client, "/portal/notices/P-1", {"name": "王五", "contact": "", "text": "太短"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert 'id="o-contact-error"' in html and 'id="o-text-error"' in html and "太短" in html

    filed = post(client, "/portal/notices/P-1", OBJECTION)
    assert filed.status_code == 200
    receipt = re.search(r"data-receipt>(YY20260928-[0-9A-F]{8})<", filed.get_data(as_text=True))
    assert receipt, filed.get_data(as_text=True)
    row = db_session.scalars(select(Objection)).one()
    assert row.receipt == receipt.group(1) and row.instance_id == iid

    db_session.rollback()
    (event,) = [e for e in instances.events(db_session, iid) if e["kind"] == "message_received"]
    assert event["data"]["payload"]["receipt"] == row.receipt
    assert event["data"]["payload"]["text"] == OBJECTION["text"]
    (task,) = db_session.scalars(
        select(HumanTask).where(HumanTask.instance_id == iid, HumanTask.status == "ready")
    )
    assert task.task_spec == "handle_objection"
    (kept,) = portal.notices(db_session)  # the window is interrupted; the notice stays while it is handled
    assert kept.state == "objection" and not kept.open
    shown = client.get("/portal/notices/P-1").get_data(as_text=True)
    assert "异议处理中" in shown and 'name="text"' not in shown  # no new objection while one is handled

    login(client, web_users["bureau"])
    page = client.get(f"/instances/{iid}").get_data(as_text=True)
    assert row.receipt in page and OBJECTION["text"] in page and "13800000000" in page
    task_page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    form_part = task_page.split('class="task-form"')[1].split('class="task-context"')[0]
    assert OBJECTION["text"] in form_part and row.receipt in form_part  # in the decision form itself
    assert "13800000000" not in form_part


def test_objections_are_rate_limited_per_address(
    app,
    client: FlaskClient,
    db_session: Session,
    publicise,  # type: ignore[no-untyped-def]
) -> None:
    app.config["OBJECTION_RATE_LIMIT"] = (1, 3600)
    publicise("P-1")
    publicise("P-2")
    assert post(client, "/portal/notices/P-1", OBJECTION).status_code == 200
    again = post(client, "/portal/notices/P-2", OBJECTION)
    assert again.status_code == 429 and "提交过于频繁" in again.get_data(as_text=True)
    assert 'value="13800000000"' in again.get_data(as_text=True)  # input kept
    elsewhere = app.test_client()
    response = post(elsewhere, "/portal/notices/P-2", OBJECTION, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert response.status_code == 200


def test_objection_without_csrf_or_after_the_window_is_refused(
    client: FlaskClient, db_session: Session, publicise, sim
) -> None:
    publicise("P-1")
    assert client.post("/portal/notices/P-1", data=OBJECTION).status_code == 400
    sim.set("2026-10-05T00:00:01+08:00")  # the timer has not been swept yet
    late = post(client, "/portal/notices/P-1", OBJECTION)
    assert late.status_code == 409 and "公示期已结束" in late.get_data(as_text=True)
    assert db_session.scalars(select(Objection)).all() == []


def test_challenge_sources_feed_the_portal(client: FlaskClient, db_session: Session, sim) -> None:
    from datetime import datetime, timedelta

    sim.set("2026-05-01T10:00:00+08:00")

    def source(session: Session, now: datetime):  # type: ignore[no-untyped-def]
        yield portal.Challenge(
            business_key="JB-2026-001",
            jurisdiction="urumqi",
            title="高寒地区光伏组件运维技术",
            summary="需求摘要",
            category="技术攻关",
            window_start=now - timedelta(days=1),
            window_end=now + timedelta(days=40),
            open=True,
        )

    portal.register_challenge_source(source)
    try:
        page = client.get("/portal/").get_data(as_text=True)
        assert "高寒地区光伏组件运维技术" in page and "JB-2026-001" in page
    finally:
        portal._SOURCES.remove(source)


def _receipt(filed) -> str:  # type: ignore[no-untyped-def]
    found = re.search(r"data-receipt>(YY\d{8}-[0-9A-F]{8})<", filed.get_data(as_text=True))
    assert found
    return found.group(1)


def test_the_objector_looks_up_the_decision_by_receipt_number(
    client: FlaskClient, db_session: Session, publicise, web_users
) -> None:
    """The receipt promises a look-up: received → decided with the bureau's reason, never the contact."""
    iid = publicise("P-1")
    receipt = _receipt(post(client, "/portal/notices/P-1", OBJECTION))

    waiting = client.get(f"/portal/receipts?number={receipt.lower()}").get_data(as_text=True)
    assert "已受理，正在核实处理" in waiting and OBJECTION["text"] in waiting and "拟支持项目" in waiting
    assert "13800000000" not in waiting and "王五" not in waiting

    db_session.rollback()
    (task,) = db_session.scalars(
        select(HumanTask).where(HumanTask.instance_id == iid, HumanTask.status == "ready")
    )
    tasks.complete(
        db_session,
        task.id,
        actor=web_users["bureau"],
        data={"objection_decision": "continue", "objection_reason": "经核实，两家单位无股权关联。"},
    )
    decided = client.get(f"/portal/receipts?number={receipt}").get_data(as_text=True)
    assert "已处理：异议不成立，重新公示" in decided and "经核实，两家单位无股权关联。" in decided
    assert "13800000000" not in decided


def test_receipt_look_ups_refuse_malformed_unknown_and_bulk_guessing(
    app, client: FlaskClient, publicise
) -> None:  # type: ignore[no-untyped-def]
    publicise("P-1")
    malformed = client.get("/portal/receipts?number=12345")
    assert malformed.status_code == 404 and "例如 YY20260928-1A2B3C4D" in malformed.get_data(as_text=True)
    unknown = client.get("/portal/receipts?number=YY20260928-00000000")
    assert unknown.status_code == 404 and "没有找到回执编号为 YY20260928-00000000" in unknown.get_data(
        as_text=True
    )

    app.config["RECEIPT_LOOKUP_RATE_LIMIT"] = (3, 600)
    guesser = {"REMOTE_ADDR": "10.0.0.7"}
    answers = [
        client.get(f"/portal/receipts?number=YY20260928-0000000{i}", environ_base=guesser).status_code
        for i in range(4)
    ]
    assert answers == [404, 404, 404, 429]
    refused = client.get("/portal/receipts?number=YY20260928-0000000A", environ_base=guesser)
    assert refused.status_code == 429 and "查询过于频繁" in refused.get_data(as_text=True)
    other = client.get(
        "/portal/receipts?number=YY20260928-0000000A", environ_base={"REMOTE_ADDR": "10.0.0.8"}
    )
    assert other.status_code == 404  # another address is not affected


def test_portal_lists_are_rows_paged_without_restoring_any_workflow(
    client: FlaskClient, db_session: Session, publicise, monkeypatch: pytest.MonkeyPatch
) -> None:
    publicise("P-1")
    publicise("P-2", "dazu", 5, "working_days")

    def no_restore(*args: object, **kwargs: object) -> None:
        raise AssertionError("a public page restored a workflow")

    monkeypatch.setattr("engine.runtime.join_state", no_restore)
    page = client.get("/portal/").get_data(as_text=True)
    assert "P-1" in page and "P-2" in page and "2026年10月9日 24:00" in page
    assert "拟支持项目：某某" in client.get("/portal/notices/P-2").get_data(as_text=True)
    second = client.get("/api/v1/notices?page_size=1&page=2").json
    assert [n["business_key"] for n in second["items"]] == ["P-2"] and second["total"] == 2
    assert second["items"][0]["end"] == "2026-10-10T00:00:00+08:00"  # the bureau's time zone, as written
    assert client.get("/api/v1/notices?jurisdiction=dazu").json["total"] == 1
    assert client.get("/api/v1/challenges").json["total"] == 0
    monkeypatch.setattr("web.views.portal.PER_PAGE", 1)
    second_page = client.get("/portal/?page=2").get_data(as_text=True)
    assert 'data-notice="P-2"' in second_page and 'data-notice="P-1"' not in second_page
    assert 'rel="prev"' in second_page and 'rel="next"' not in second_page


def test_anonymous_public_lists_may_be_shared_briefly_signed_in_pages_never(
    app, client: FlaskClient, publicise, web_users
) -> None:  # type: ignore[no-untyped-def]
    publicise("P-1")
    for path in ("/api/v1/notices", "/api/v1/challenges"):
        response = client.get(path)
        assert response.headers["Cache-Control"] == "public, max-age=60", path
        assert "Cookie" in response.headers["Vary"] and "Set-Cookie" not in response.headers
    page = app.test_client().get("/portal/")
    # a page that starts a session (its forms carry a CSRF token) is never shared
    assert ("Set-Cookie" in page.headers) == (page.headers["Cache-Control"] != "public, max-age=60")
    login(client, web_users["bureau"])
    for path in ("/portal/", "/api/v1/notices"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path


def test_a_suspended_or_failed_instance_leaves_the_portal(
    db_session: Session, publicise, web_users, sim
) -> None:
    from engine.runtime import record_error

    iid = publicise("P-1")
    instances.suspend(db_session, iid, actor=web_users["bureau"])
    assert portal.notices(db_session) == []
    instances.resume(db_session, iid, actor=web_users["bureau"])
    assert [n.business_key for n in portal.notices(db_session)] == ["P-1"]
    record_error(db_session, iid, "坏数据", None, actor=None, now=portal.get_clock(db_session).now())
    assert portal.notices(db_session) == []


def test_init_db_writes_the_rows_of_instances_that_waited_before_the_upgrade(
    db_session: Session, publicise
) -> None:
    from sqlalchemy import delete

    from engine.indexes import fill_portal
    from engine.models.portal import PortalEntry
    from engine.runtime import load_workflow

    publicise("P-1")
    db_session.execute(delete(PortalEntry))
    db_session.commit()
    assert portal.notices(db_session) == []
    assert fill_portal(db_session, load_workflow) == 1
    db_session.commit()
    assert [n.title for n in portal.notices(db_session)] == ["2026 年度拟支持项目公示"]
    assert fill_portal(db_session, load_workflow) == 0


def test_the_notice_names_units_project_and_amounts(
    client: FlaskClient, db_session: Session, web_users, sim, calendar_loaded
) -> None:
    from web.demo import load_organisations

    load_organisations(db_session)
    sim.set("2026-09-28T10:00:00+08:00")
    deploy_bundle(db_session, collect_paths([ROOT / "bpmn"]))
    inst = instances.start_instance(
        db_session,
        "publicity_demo",
        business_key="DAZU-2026-009",
        data={
            "jurisdiction": "dazu",
            "title": "拟支持项目",
            "need_title": "智能网联汽车测试平台",
            "solvers": ["DAZU-S1", "DAZU-S2"],
            "fiscal_support_fen": 123456700,
            "contract_fen": 500000000,
            "publicity_length": 5,
            "publicity_unit": "working_days",
        },
    )
    (task,) = tasks.list_tasks(db_session, instance_id=inst.id)
    tasks.complete(db_session, task.id, actor="bureau_dazu", data=NOTICE)
    page = client.get("/portal/notices/DAZU-2026-009").get_data(as_text=True)
    for text in ("智能网联汽车测试平台", "大足揭榜单位1", "大足揭榜单位2", "1,234,567.00", "5,000,000.00"):
        assert text in page, text
    assert "DAZU-S1" not in page  # names, not codes
    assert "2026年10月9日 24:00" in page and "公示中" in page  # 5 working days over National Day
    assert 'href="/portal/receipts"' in page and 'href="#objection"' in page
    listed = client.get("/portal/").get_data(as_text=True)
    assert 'data-notice-state="open"' in listed


def test_the_notice_stays_after_the_window_as_ended(
    client: FlaskClient, db_session: Session, publicise, sim
) -> None:
    from engine.timers import sweep

    publicise("P-1")
    sim.set("2026-10-05T00:00:01+08:00")
    assert "公示期满" in client.get("/portal/notices/P-1").get_data(as_text=True)  # timer not swept yet
    sweep(db_session)
    (ended,) = portal.notices(db_session)
    assert ended.state == "ended"
    page = client.get("/portal/notices/P-1").get_data(as_text=True)
    assert "公示期满" in page and "公示期已结束，不再受理异议" in page
