"""The annual summary page /reports/annual (000 §12(8)): who may see it, the figures in CNY, the approved report."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from engine import instances, tasks
from engine.bundle import collect_paths
from engine.clock import SHANGHAI
from engine.deploy import deploy_bundle
from engine.domain import ledger
from engine.models.domain import CreditRecord, Project
from engine.users import add_user
from tests.web.conftest import _FAST_HASH, csrf_token, login, post

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
PAGE = "/reports/annual?jurisdiction=urumqi&year=2026"


@pytest.fixture
def year_2026(app, db_session: Session, web_users, sim, calendar_loaded) -> None:  # type: ignore[no-untyped-def]
    """The diagrams, one Urumqi project funded in March 2026 with part of its money recovered, and the
    approved annual summary of 2026."""
    deploy_bundle(db_session, collect_paths([BPMN]))
    add_user(
        db_session, "approver_urumqi", roles=["approver"], jurisdiction="urumqi", password_hash=_FAST_HASH
    )
    add_user(db_session, "admin", roles=["admin"], password_hash=_FAST_HASH)
    db_session.add(
        Project(
            code="URUMQI-W1",
            jurisdiction="urumqi",
            title="高纯硅提纯关键技术",
            issuer="URUMQI-ISS",
            solver="URUMQI-S1",
            status="terminated",
            created_at=datetime(2026, 3, 1, 10, tzinfo=SHANGHAI),
        )
    )
    for kind, fen, day in (("disbursement", 123_456_789, 2), ("recovery", 23_456_789, 20)):
        ledger.record(
            db_session,
            project="URUMQI-W1",
            kind=kind,
            amount_fen=fen,
            party="URUMQI-S1",
            tranche="first" if kind == "disbursement" else None,
            jurisdiction="urumqi",
            at=datetime(2026, 3, day, 10, tzinfo=SHANGHAI),
        )
    # 000 §15–16: the subjective termination left a credit record with its penalty period
    db_session.add(
        CreditRecord(
            subject="URUMQI-S1",
            kind="misconduct",
            recorded_on=date(2026, 3, 20),
            penalty_until=date(2029, 3, 20),
            source="000 §15–16：专家认定责任，收回财政资金，记入信用记录",
        )
    )
    db_session.commit()
    sim.set("2026-12-28T09:00:00+08:00")
    inst = instances.start_instance(
        db_session,
        "urumqi_annual_summary",
        data={"jurisdiction": "urumqi", "year": 2026},
        actor="bureau_urumqi",
    )
    texts = {
        "summary_implementation": "一个项目因主观原因终止。",
        "summary_policy": "扶持政策全部落实。",
        "summary_funding": "已收回结余资金。",
        "summary_coordination": "各部门协同良好。",
        "summary_problems": "揭榜团队偏少。",
        "summary_improvements": "扩大发布渠道。",
    }
    for actor, data in (
        ("bureau_urumqi", texts),
        ("approver_urumqi", {"review_decision": "approve", "review_opinion": "同意通过。"}),
    ):
        (task,) = tasks.list_tasks(db_session, instance_id=inst.id)
        tasks.complete(db_session, task.id, actor=actor, data=data)


def test_bureau_sees_the_figures_and_the_approved_report(client: FlaskClient, year_2026) -> None:  # type: ignore[no-untyped-def]
    login(client, "bureau_urumqi")
    assert "/reports/annual" in client.get("/tasks").get_data(as_text=True)  # the link in the navigation
    response = client.get(PAGE)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "揭榜挂帅年度总结评价" in page and "000 §12(8)" in page
    assert 'data-figure="funded">1<' in page and 'data-figure="status-terminated">1<' in page
    assert 'data-figure="disbursed">1,234,567.89 元<' in page
    assert 'data-figure="recovered">234,567.89 元<' in page
    assert 'data-figure="net">1,000,000.00 元<' in page
    assert "URUMQI-W1" in page and "高纯硅提纯关键技术" in page
    # the credit record by its kind's name and its article, never the stored code
    assert "科研失信（惩戒期内）" in page and "misconduct" not in page and "2029-03-20" in page
    assert "年度尚未结束，数据截至 2026-12-28 09:00" in page
    # the approved summary written in the process
    assert "已通过" in page and "揭榜团队偏少。" in page and "同意通过。" in page
    english = client.get(PAGE + "&lang=en").get_data(as_text=True)
    assert 'data-figure="disbursed">CNY 1,234,567.89<' in english
    assert "Fiscal money disbursed" in english and "Problems found" in english
    # another year: nothing funded, no summary yet, and a hint how to start one
    page_2025 = client.get("/reports/annual?jurisdiction=urumqi&year=2025").get_data(as_text=True)
    assert 'data-figure="funded">0<' in page_2025 and "全年数据" in page_2025
    assert "本年度的总结评价尚未发起。" in page_2025
    assert 'href="/start/urumqi_annual_summary?jurisdiction=urumqi">发起总结评价</a>' in page_2025
    assert "<code>" not in page_2025  # no process key for people to type


def test_who_may_see_the_annual_summary(client: FlaskClient, year_2026, web_users) -> None:  # type: ignore[no-untyped-def]
    login(client, web_users["solver"])
    assert client.get(PAGE).status_code == 403
    assert "/reports/annual" not in client.get("/tasks").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/tasks")})
    login(client, web_users["dazu"])  # a bureau of another jurisdiction
    assert client.get(PAGE).status_code == 403
    page = client.get("/reports/annual").get_data(as_text=True)  # its own jurisdiction by default
    assert '<option value="dazu" selected>' in page and '<option value="urumqi"' not in page
    client.post("/logout", data={"csrf_token": csrf_token(client, "/tasks")})
    for user in (web_users["supervisor"], "admin"):  # every jurisdiction
        login(client, user)
        page = client.get(PAGE).get_data(as_text=True)
        assert 'data-figure="disbursed">1,234,567.89 元<' in page
        client.post("/logout", data={"csrf_token": csrf_token(client, "/tasks")})


def test_wrong_year_or_jurisdiction_is_explained(client: FlaskClient, year_2026, web_users) -> None:  # type: ignore[no-untyped-def]
    login(client, web_users["supervisor"])
    future = client.get("/reports/annual?jurisdiction=urumqi&year=2027")
    assert future.status_code == 422 and "2027 年尚未开始" in future.get_data(as_text=True)
    unknown = client.get("/reports/annual?jurisdiction=nowhere&year=2026")
    assert unknown.status_code == 404 and "nowhere_challenge" in unknown.get_data(as_text=True)
    bad = client.get("/reports/annual?jurisdiction=urumqi&year=abc")
    assert bad.status_code == 422 and "年份无效" in bad.get_data(as_text=True)


def test_annual_figures_export_to_excel_with_the_rows_of_the_page(client: FlaskClient, year_2026) -> None:  # type: ignore[no-untyped-def]
    from decimal import Decimal
    from io import BytesIO

    from openpyxl import load_workbook

    login(client, "bureau_urumqi")
    page = client.get(PAGE).get_data(as_text=True)
    assert "/reports/annual.xlsx?jurisdiction=urumqi&amp;year=2026" in page
    answer = client.get("/reports/annual.xlsx?jurisdiction=urumqi&year=2026")
    assert answer.status_code == 200 and "attachment" in answer.headers["Content-Disposition"]
    book = load_workbook(BytesIO(answer.data))
    assert book.sheetnames == ["立项项目", "资金按批次", "资金按项目", "信用记录"]
    projects = list(book["立项项目"].iter_rows(values_only=True))[1:]
    assert [(p[0], p[1], p[2]) for p in projects] == [("URUMQI-W1", "高纯硅提纯关键技术", "终止")]
    money = list(book["资金按项目"].iter_rows(values_only=True))[1:]
    assert sum(Decimal(str(r[3])) for r in money) == Decimal("1234567.89")  # the page's 1,234,567.89 元
    credit = list(book["信用记录"].iter_rows(values_only=True))[1:]
    assert [(r[2], r[4]) for r in credit] == [("科研失信（惩戒期内）", "000 §15–16")]
    assert (
        client.get("/reports/annual.xlsx?jurisdiction=dazu&year=2026").status_code == 403
    )  # not its jurisdiction


def test_the_summary_is_started_from_its_start_form_and_dazu_has_none(
    client: FlaskClient, year_2026, web_users, db_session: Session
) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from engine.models.instance import ProcessInstance

    login(client, "bureau_urumqi")
    form = client.get("/start/urumqi_annual_summary?jurisdiction=urumqi").get_data(as_text=True)
    assert "发起揭榜挂帅年度总结评价" in form and "总结年度" in form
    answer = post(
        client,
        "/start/urumqi_annual_summary?jurisdiction=urumqi",
        {"year": "2025"},
        token_from="/start/urumqi_annual_summary?jurisdiction=urumqi",
    )
    assert answer.status_code == 302
    db_session.rollback()
    started = db_session.scalars(
        select(ProcessInstance).where(ProcessInstance.business_key == "URUMQI-2025-ANNUAL-001")
    ).one()
    assert started.process_key == "urumqi_annual_summary" and started.started_by == "bureau_urumqi"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/tasks")})
    login(client, "bureau_dazu")
    page = client.get("/reports/annual?jurisdiction=dazu&year=2026").get_data(as_text=True)
    assert "本辖区的政策文件未规定年度总结评价流程" in page and "发起总结评价" not in page


def test_demo_credit_records_name_their_subjects(
    client: FlaskClient, db_session: Session, web_users, sim
) -> None:  # type: ignore[no-untyped-def]
    """Every credit record of the demo data is of an organisation or a person of the demo directory with a name,
    and the annual page and its workbook name the subject (a researcher's misconduct names the researcher)."""
    from io import BytesIO

    from openpyxl import load_workbook
    from sqlalchemy import select

    from engine.models.domain import Organisation, Person
    from web.demo import load_organisations

    deploy_bundle(db_session, collect_paths([BPMN]))
    load_organisations(db_session)
    names: dict[str, str] = {}
    for model in (Organisation, Person):
        names.update((code, name) for code, name in db_session.execute(select(model.code, model.name)))
    subjects = set(db_session.scalars(select(CreditRecord.subject)))
    assert len(subjects) == 16  # four records in each of the four jurisdictions
    assert {s: names.get(s) for s in subjects if not (names.get(s) or "").strip()} == {}
    sim.set("2026-03-01T09:00:00+08:00")
    login(client, "bureau_urumqi")
    page = client.get("/reports/annual?jurisdiction=urumqi&year=2025").get_data(as_text=True)
    assert 'data-figure="credit">2<' in page
    assert "乌鲁木齐失信研究员" in page and "乌鲁木齐失信企业" in page
    assert "URUMQI-PPUN" not in page and "URUMQI-BAD" not in page
    book = load_workbook(BytesIO(client.get("/reports/annual.xlsx?jurisdiction=urumqi&year=2025").data))
    credit = list(book["信用记录"].iter_rows(values_only=True))[1:]
    assert sorted(r[1] for r in credit) == ["乌鲁木齐失信企业", "乌鲁木齐失信研究员"]
