"""Real Chromium: who the issuer (Zhangye, 004 三(四): the issuer picks the team itself) and the bureau clerk
(Dazu, recording the applications received) may pick. The unit pickers list only units the case's eligibility
table accepts — never the issuer itself (000 §8), its subsidiary (002 二(三)5), a unit with a serious
dishonesty record (000 §10) or on a joint-punishment list (003 §8–9) or, in Dazu, one with a major accident
(001 五(一)5) — the team members follow the row's solver and partners without a reload, and a forged choice
comes back refused beside the field with the reason and its source, nothing saved."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models.instance import ProcessInstance
from engine.models.task import HumanTask
from tests.browser.conftest import DEMO_DAZU
from tests.lifecycle.conftest import Flow, need, start_challenge

pytestmark = pytest.mark.browser

REVIEW = {"importance": 9, "feasibility": 8, "difficulty": 7, "need_listed_decision": "list"}
ROW = "#f-applications-0-"


def _task_id(flow: Flow, spec: str) -> str:
    flow.s.rollback()
    return flow.s.scalars(
        select(HumanTask.id).where(
            HumanTask.instance_id == flow.id, HumanTask.task_spec == spec, HumanTask.status == "ready"
        )
    ).one()


def _offered(page: Any, field: str) -> list[str]:
    return page.locator(f"{ROW}{field} option:not([disabled]):not([value=''])").all_inner_texts()


def _forge(page: Any, field: str, code: str, name: str) -> None:
    """What a hand-made request would send: a record the list does not offer (absent, or disabled), chosen."""
    page.evaluate(
        """([id, code, name]) => {
            const s = document.getElementById(id);
            let o = Array.from(s.options).find((x) => x.value === code);
            if (!o) { o = new Option(name, code); s.add(o); }
            o.disabled = false;
            Array.from(s.options).forEach((x) => { x.selected = x === o; });
        }""",
        [f"{ROW[1:]}{field}", code, name],
    )


def _fill_row(page: Any, members: list[str]) -> None:
    page.select_option(f"{ROW}members", members)
    page.fill(f"{ROW}plan", "凹凸棒石高值化利用联合攻关")
    page.fill(f"{ROW}budget_fen", "1,000,000")
    page.check(f"{ROW}pledge")


def _submit(page: Any) -> None:
    page.click("main form button.primary")
    page.wait_for_load_state("networkidle")


def _listed(flow: Flow, published_on: str, *, recommended: bool = False) -> Flow:
    """The challenge's need posted (and, where the diagram asks for it, recommended), reviewed and listed on
    ``published_on``: its applications are being collected."""
    flow.do("post_need", need())
    if recommended:
        flow.do("recommend", {"recommended": "yes"})
    flow.do("need_review", REVIEW)
    flow.do("publish_list", {"list_published_on": published_on})
    flow.s.commit()
    return flow


def _open_collect(user: Any, flow: Flow, heading: str, offered: str, refused: tuple[str, ...]) -> Any:
    """``user`` opens the case's application form: its solver picker offers ``offered`` and none of ``refused``.
    Returns the page."""
    page = user.page
    user.open(f"/tasks/{_task_id(flow, 'collect_applications')}", heading, wait_for="[data-jb-people-ready]")
    solvers = _offered(page, "solver")
    assert offered in solvers
    for name in refused:
        assert name not in solvers, solvers
    return page


def _forged_solver_refused(user: Any, flow: Flow, code: str, name: str, reason: str, shot: str) -> None:
    """A hand-made request naming the refused unit ``name`` as the solver comes back refused beside the field
    with ``reason`` (and its source); nothing is saved."""
    _forge(user.page, "solver", code, name)
    _submit(user.page)
    assert reason in user.page.inner_text(f"{ROW}solver-error")
    user.check("表单有误，尚未提交", shot=shot)
    assert flow.ready() == ["collect_applications"]


def test_the_zhangye_issuer_picks_only_eligible_units_and_their_people(
    roles: Any, people: Any, db_session: Session, sim: Any
) -> None:
    flow = _listed(start_challenge(db_session, sim, "zhangye", "ZHANGYE-2026-101"), "2026-09-28")
    issuer = roles("issuer_zhangye")
    refused = ("张掖硅业股份有限公司", "张掖关联子公司", "张掖失信企业", "张掖惩戒企业")
    page = _open_collect(issuer, flow, "发榜方选定揭榜团队", "张掖揭榜单位1", refused)
    partners = _offered(page, "partners")
    assert not set(refused) & set(partners), partners  # in Zhangye none of them is a partner either
    assert _offered(page, "members") == []  # no solver chosen yet: nobody's people

    page.select_option(f"{ROW}solver", label="张掖揭榜单位1")
    members = _offered(page, "members")
    assert "张掖研究员1（张掖揭榜单位1）" in members and not any("张掖揭榜单位2" in m for m in members)
    page.select_option(f"{ROW}partners", label="张掖揭榜单位2")
    assert "张掖研究员4（张掖揭榜单位2）" in _offered(page, "members")
    _fill_row(page, ["ZHANGYE-P1", "ZHANGYE-P4"])
    issuer.check(shot="pickers-issuer-zhangye")

    # a forged solver: the unit with a serious dishonesty record of 2025
    page.select_option(f"{ROW}partners", [])
    page.select_option(f"{ROW}members", ["ZHANGYE-P1"])
    reason = "“张掖失信企业”不能作为揭榜单位：揭榜方近三年内有严重失信或违法记录（000 §10"
    _forged_solver_refused(issuer, flow, "ZHANGYE-BAD", "张掖失信企业", reason, "pickers-issuer-forged")

    # the refused unit is named, never by its code; the issuer itself, forged as the solver with its contact
    assert "张掖失信企业" in page.locator(f"{ROW}solver option:checked").inner_text()
    _forge(page, "solver", "ZHANGYE-ISS", "张掖硅业股份有限公司")
    _forge(page, "members", "ZHANGYE-PISS", "张掖发榜联络人")
    _submit(page)
    error = page.inner_text("#f-applications-0-solver-error")
    assert "不能作为揭榜单位：发榜方与揭榜方不得为同一单位（000 §8）" in error


def test_the_dazu_clerk_records_applications_of_eligible_units_only(
    roles: Any, people: Any, db_session: Session, sim: Any
) -> None:
    iid = db_session.scalars(
        select(ProcessInstance.id).where(ProcessInstance.business_key == DEMO_DAZU)
    ).one()
    flow = Flow(db_session, sim, "dazu", iid, DEMO_DAZU)
    close = date.fromisoformat(flow.data["applications_close_on"]) + timedelta(days=1)
    flow.at(f"{close}T00:00:05+08:00")
    flow.s.commit()
    clerk = roles("bureau_dazu")
    refused = ("大足硅业股份有限公司", "大足关联子公司", "大足失信企业", "大足事故企业")
    page = _open_collect(clerk, flow, "受理揭榜申请", "大足揭榜单位1", refused)
    page.select_option(f"{ROW}solver", label="大足揭榜单位1")
    members = _offered(page, "members")
    assert "大足研究员1（大足揭榜单位1）" in members and not any("大足揭榜单位2" in m for m in members)
    _fill_row(page, ["DAZU-P1"])
    clerk.check(shot="pickers-bureau-dazu")

    reason = "“大足事故企业”不能作为揭榜单位：近三年内发生重大安全事故或重大质量事故（001 五(一)5, 五(二)4）"
    _forged_solver_refused(clerk, flow, "DAZU-ACC", "大足事故企业", reason, "pickers-bureau-forged")


def test_the_urumqi_clerk_is_not_offered_a_unit_with_an_overdue_project(
    roles: Any, people: Any, db_session: Session, sim: Any
) -> None:
    """002 四(一): a unit with a city project overdue for acceptance by a year or more is refused by Urumqi's
    eligibility table as the solver; the picker offers exactly what the submit accepts — not it, nor the issuer,
    its subsidiary or the unit with a serious dishonesty record — and a forged choice is refused with the
    table's reason and source."""
    sim.set("2026-05-06T09:00:00+08:00")  # within the city's call for needs (002 五(一))
    flow = start_challenge(db_session, sim, "urumqi", "URUMQI-2026-101")
    flow = _listed(flow, "2026-05-06", recommended=True)  # Urumqi: the need is recommended before its review
    clerk = roles("bureau_urumqi")
    refused = ("乌鲁木齐逾期未验收单位", "乌鲁木齐硅业股份有限公司", "乌鲁木齐关联子公司", "乌鲁木齐失信企业")
    page = _open_collect(clerk, flow, "受理揭榜申请", "乌鲁木齐揭榜单位1", refused)
    page.select_option(f"{ROW}solver", label="乌鲁木齐揭榜单位1")
    _fill_row(page, ["URUMQI-P1"])

    reason = (
        "“乌鲁木齐逾期未验收单位”不能作为揭榜单位：单位有逾期一年以上未验收的市级科技计划项目（002 四(一)）"
    )
    shot = "pickers-bureau-urumqi-overdue-forged"
    _forged_solver_refused(clerk, flow, "URUMQI-LATE", "乌鲁木齐逾期未验收单位", reason, shot)
