"""发起: the start screen and its forms, with CSRF, errors beside the fields, and the access policy's answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.bundle import collect_paths
from engine.deploy import deploy_bundle
from engine.models.instance import ProcessInstance
from tests.web.conftest import login, post

ROOT = Path(__file__).resolve().parents[2]
CALL = {
    "year": "2026",
    "title": "大足区2026年度揭榜挂帅技术需求征集",
    "notice_call_opens": "2026-05-06T10:00",
    "notice_call_closes": "2026-06-30T17:30",
}


@pytest.fixture
def deployed(db_session: Session, web_users, sim, calendar_loaded):  # type: ignore[no-untyped-def]
    sim.set("2026-05-06T09:00:00+08:00")
    deploy_bundle(db_session, collect_paths([ROOT / "bpmn"]))
    return web_users


def count(db_session: Session) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(ProcessInstance)) or 0


def test_the_list_names_what_the_user_may_start(app, client: FlaskClient, deployed) -> None:  # type: ignore[no-untyped-def]
    login(client, "bureau_dazu")
    page = client.get("/start").get_data(as_text=True)
    assert "发布年度需求征集通知" in page and "提交技术需求（揭榜挂帅）" in page
    assert "dazu_call" not in page.replace('href="/start/dazu_call"', "").replace(
        'data-start="dazu_call"', ""
    )
    other = app.test_client()
    login(other, "bureau_urumqi")  # the Dazu diagrams are Dazu's; Urumqi's bureau opens its own call
    listed = other.get("/start").get_data(as_text=True)
    assert "发起揭榜挂帅年度总结评价" in listed and "/start/dazu_call" not in listed
    assert "/start/urumqi_call" in listed
    third = app.test_client()
    login(third, "solver_urumqi")
    assert "您目前没有可以发起的流程" in third.get("/start").get_data(as_text=True)
    assert other.get("/start/dazu_call").status_code == 404


def test_defaults_and_errors_beside_the_fields_nothing_started(
    client: FlaskClient, db_session: Session, deployed
) -> None:
    login(client, "bureau_dazu")
    page = client.get("/start/dazu_call").get_data(as_text=True)
    assert 'value="2026"' in page and "大足2026年度揭榜挂帅技术需求征集" in page
    bad = {**CALL, "notice_call_opens": "2026-07-01T09:00", "notice_call_closes": "2026-06-30T17:30"}
    refused = post(client, "/start/dazu_call", bad)
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert 'id="f-notice_call_closes-error"' in text and "申报截止时间必须晚于开始时间" in text
    assert "表单有误，未发起" in text
    assert count(db_session) == 0


def test_forged_request_is_refused(client: FlaskClient, db_session: Session, deployed) -> None:
    login(client, "bureau_dazu")
    assert client.post("/start/dazu_call", data=CALL).status_code == 400
    assert count(db_session) == 0


def test_bureau_opens_the_call_and_sees_the_instance(
    client: FlaskClient, db_session: Session, deployed, sim
) -> None:  # type: ignore[no-untyped-def]
    login(client, "bureau_dazu")
    done = post(client, "/start/dazu_call", CALL)
    assert done.status_code == 302 and "/instances/" in done.headers["Location"]
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "DAZU-2026-CALL-001" in page and CALL["title"] in page
    assert count(db_session) == 1
    # before 10:00 the call is not collecting yet: the case says so and when it opens, not "征集截止"
    assert "<dd data-stage>征集未开始：北京时间 2026年5月6日 10:00 起征集</dd>" in page
    assert ">2026年5月6日 09:00（北京时间）</time>" in page  # started: Beijing time, named
    english = client.get(done.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "<dd data-stage>Not collecting yet: opens 2026-05-06 10:00 (Beijing time)</dd>" in english
    assert ">2026-05-06 09:00 (Beijing time)</time>" in english
    # the monitor's list names the stage as the case does (one source), in each language
    listed = client.get("/monitor/?lang=zh").get_data(as_text=True)
    assert "<td data-stage>征集未开始：北京时间 2026年5月6日 10:00 起征集</td>" in listed
    assert "征集截止" not in listed
    listed = client.get("/monitor/?lang=en").get_data(as_text=True)
    assert "<td data-stage>Not collecting yet: opens 2026-05-06 10:00 (Beijing time)</td>" in listed
    form = client.get("/start/dazu_challenge").get_data(as_text=True)
    assert "目前没有处于征集期的年度需求征集通知" in form  # it opens at 10:00
    sim.set("2026-05-06T10:00:00+08:00")
    page = client.get(done.headers["Location"] + "?lang=zh").get_data(as_text=True)
    assert "<dd data-stage>征集截止</dd>" in page  # collecting: the diagram waits for the close
    assert "<td data-stage>征集截止</td>" in client.get("/monitor/").get_data(as_text=True)
    form = client.get("/start/dazu_challenge").get_data(as_text=True)
    assert "大足区2026年度揭榜挂帅技术需求征集（2026-06-30 17:30 截止）" in form


def test_a_datetime_field_on_the_case_page_reads_in_beijing_time_with_its_zone(app) -> None:  # type: ignore[no-untyped-def]
    """A stored instant (UTC) among a case's fields says its zone, as the rest of the pages do."""
    from forms.definition import FormDefinition
    from web.case_view import Names, value_text

    label = {"zh": "收到时间", "en": "Received"}
    defn = FormDefinition.load(
        {"id": "t", "title": label, "fields": [{"name": "at", "type": "datetime", "label": label}]}
    )
    spec = defn.fields[0]
    for lang, expected in (
        ("zh", "2026年10月9日 16:30（北京时间）"),
        ("en", "2026-10-09 16:30 (Beijing time)"),
    ):
        with app.test_request_context(f"/?lang={lang}"):
            assert value_text(spec, "2026-10-09T08:30:00+00:00", Names()) == expected


def test_a_need_posted_into_a_call_closing_next_year_bears_the_calls_year(
    client: FlaskClient, db_session: Session, deployed, sim
) -> None:  # type: ignore[no-untyped-def]
    """The 2026 call is open into January 2027: a need posted into it is one of the 2026 call's needs,
    ``DAZU-2026-<n>`` like the call's own key ``DAZU-2026-CALL-001`` (docs/starting.md), not the year its window
    closes in."""
    from web.demo import load_organisations

    load_organisations(db_session)
    db_session.commit()
    sim.set("2026-12-01T09:00:00+08:00")
    login(client, "bureau_dazu")
    call = {
        **CALL,
        "notice_call_opens": "2026-12-01T10:00",
        "notice_call_closes": "2027-01-15T17:30",
    }
    done = post(client, "/start/dazu_call", call)
    assert done.status_code == 302
    call_id = int(done.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    sim.set("2026-12-20T10:00:00+08:00")
    form = client.get("/start/dazu_challenge").get_data(as_text=True)
    assert "（2027-01-15 17:30 截止）" in form
    issuer = form.split('name="issuer_code"', 1)[1].split('<option value="', 2)[2].split('"', 1)[0]
    assert issuer
    need = post(
        client,
        "/start/dazu_challenge",
        {"entry_route": "call", "call": str(call_id), "issuer_code": issuer, "title": "钒钛磁铁矿综合利用"},
    )
    assert need.status_code == 302, need.get_data(as_text=True)
    db_session.expire_all()
    keys = db_session.scalars(
        select(ProcessInstance.business_key).where(ProcessInstance.process_key == "dazu_challenge")
    ).all()
    assert keys == ["DAZU-2026-001"]
    listed = client.get("/monitor/?process=dazu_challenge").get_data(as_text=True)
    assert ">DAZU-2026-001</a>" in listed and "DAZU-2027-" not in listed
