"""Real Chromium, as the Dazu bureau clerk ``bureau_dazu``: the task page's context panel is a readable summary
of the case (names and 元, labelled fields, the expert ranking at the selection step; no codes, no variable
names), the picker finds an organisation by part of its name, and the English UI shows English names only."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from engine import application_records
from engine.models.instance import ProcessInstance
from engine.models.task import HumanTask
from engine.models.user import User
from engine.users import add_user
from tests.browser.conftest import PASSWORD, copy_for_readme, screenshot
from tests.lifecycle.conftest import Flow, panel, score_all

pytestmark = pytest.mark.browser

KEY = "DAZU-2026-002"  # the demo's Dazu challenge open for applications
CODES = re.compile(
    r"DAZU-|URUMQI-|_fen\b|\bneed_total|\bbreakthrough\b|\bpublic\b|review_ranking|applications_ok"
)


@pytest.fixture
def clerk_case(db_session: Session, demo_data: Any, sim: Any) -> Flow:
    fast = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    for user in db_session.scalars(select(User)):
        user.password_hash = fast
    for name in ("e1", "e2", "e3", "e4", "e5"):  # the panel: each member scores their own assigned task
        add_user(db_session, name, roles=["expert"], jurisdiction="dazu")
    db_session.commit()
    iid = db_session.scalars(select(ProcessInstance.id).where(ProcessInstance.business_key == KEY)).one()
    flow = Flow(db_session, sim, "dazu", iid, KEY)
    close = date.fromisoformat(flow.data["applications_close_on"]) + timedelta(days=1)
    flow.at(f"{close}T00:00:05+08:00")
    return flow


def _task_id(flow: Flow, spec: str) -> str:
    flow.s.rollback()
    return flow.s.scalars(
        select(HumanTask.id).where(
            HumanTask.instance_id == flow.id, HumanTask.task_spec == spec, HumanTask.status == "ready"
        )
    ).one()


def test_the_clerk_reads_names_and_yuan_and_picks_by_name(roles: Any, clerk_case: Flow) -> None:
    flow = clerk_case
    clerk = roles("bureau_dazu")
    page = clerk.page
    clerk.open(f"/tasks/{_task_id(flow, 'collect_applications')}", "受理揭榜申请", "大足硅业股份有限公司")
    # the picker finds an organisation by part of its name and submits its code
    search = page.locator('input[data-jb-picker-search="f-applications-0-solver"]')
    assert search.is_visible()
    search.fill("揭榜单位2")
    assert page.locator("#f-applications-0-solver").input_value() == "DAZU-S2"
    assert (
        "大足揭榜单位1" not in page.locator("#f-applications-0-solver option:not([hidden])").all_inner_texts()
    )
    page.locator('input[data-jb-picker-search="f-applications-0-members"]').fill("研究员4")
    page.select_option("#f-applications-0-members", ["DAZU-P4"])
    page.fill("#f-applications-0-plan", "数字孪生平台与故障预测模型联合攻关")
    page.fill("#f-applications-0-budget_fen", "1200000")
    page.check("#f-applications-0-pledge")
    clerk.check(shot="names-1-picker")
    page.click("main form button.primary")
    page.wait_for_load_state("networkidle")
    assert "/tasks/" not in page.url, page.inner_text("main")

    flow.s.rollback()
    assert [a["solver"] for a in flow.data["applications"]] == ["DAZU-S2"]
    assert flow.data["applications"][0]["members_list"] == ["DAZU-P4"]
    record = application_records.records(flow.s, flow.key)["DAZU-S2"]  # what the clerk entered, in 元 → fen
    assert (record.members, record.budget_fen, record.source) == ("DAZU-P4", 120_000_000, "bureau")
    flow.do("form_panel", panel(["e1", "e2", "e3", "e4", "e5"]))
    score_all(flow, {"DAZU-S2": 88.5})
    flow.s.commit()

    text = clerk.open(
        f"/tasks/{_task_id(flow, 'select')}",
        "确定揭榜方与支持金额",
        "技术需求",
        "大足硅业股份有限公司",  # the issuer, by name
        "3,000,000.00 元",  # the need's total in 元
        "技术攻关",  # the category by its label
        "揭榜申请（1 份）",
        "大足揭榜单位2",
        "大足研究员4",
        "1,200,000.00 元",
        "专家评审排名",
        "88.5",
    )
    panel_text = page.inner_text("aside.task-context").replace(KEY, "")  # the case's number is shown as such
    assert not CODES.search(panel_text), CODES.search(panel_text)
    form_text = page.inner_text(".task-form")
    assert "大足揭榜单位2" in form_text and not CODES.search(form_text), form_text  # 合格揭榜方 by name
    assert "专家评分" in panel_text and "Score the candidates" not in text
    # the selection step's picker offers the solvers of this case by name
    options = page.locator("#f-selected option").all_inner_texts()
    assert options == ["大足揭榜单位2"]
    path = screenshot(page, "names-2-select-context")
    copy_for_readme(path, "names-select-context")

    # the instance page reads the same way
    clerk.open(
        f"/instances/{flow.id}", "专家评审排名", "大足揭榜单位2", "3,000,000.00 元", shot="names-5-instance"
    )
    main_text = page.inner_text("main").replace(KEY, "")
    assert not CODES.search(main_text), CODES.search(main_text)
    clerk.open(f"/tasks/{_task_id(flow, 'select')}")

    # a code that is not offered is refused beside the field, nothing saved
    page.evaluate(
        "() => { const o = document.createElement('option'); o.value = 'URUMQI-S1'; o.textContent = 'x';"
        " o.selected = true; document.querySelector('#f-selected').appendChild(o); }"
    )
    page.fill("#f-contract_fen", "3,000,000")
    page.fill("#f-fiscal_support_fen", "900,000")
    page.select_option("#f-mode", "single")
    page.fill("#f-selection_reason", "评分最高")
    page.click("main form button.primary")
    page.wait_for_load_state("networkidle")
    error = page.locator("#f-selected-error").inner_text()
    assert "没有代码为“URUMQI-S1”的本项目的揭榜单位" in error
    flow.s.rollback()
    assert flow.ready() == ["select"]

    english = roles("bureau_dazu")  # a new session: English chosen with ?lang=en
    text = english.open(
        f"/tasks/{_task_id(flow, 'select')}?lang=en",
        "Choose solvers",
        "Technology need",
        "Dazu",
        "3,000,000.00 yuan",
        "Expert ranking",
        "Score the candidates",
    )
    headings = english.page.locator("h1, aside .timeline strong").all_inner_texts()
    assert headings and not [h for h in headings if re.search(r"[\u4e00-\u9fff]", h)], headings
    for chinese in ("确定揭榜方与支持金额", "专家评分", "技术需求", "专家评审排名", "大足区揭榜挂帅项目"):
        assert chinese not in text, chinese
    path = screenshot(english.page, "names-3-select-english")
    copy_for_readme(path, "names-select-english")


def test_the_queue_names_tasks_in_one_language(roles: Any, clerk_case: Flow) -> None:
    chinese = roles("bureau_dazu")
    text = chinese.open("/tasks?scope=roles", "受理揭榜申请", "大足区揭榜挂帅项目", "大足")
    assert "Record the applications" not in text and "dazu_challenge" not in text
    english = roles("bureau_dazu")
    text = english.open("/tasks?scope=roles&lang=en", "Record the applications", "Dazu challenge lifecycle")
    rows = english.page.locator("table.queue tbody tr td:nth-child(1), table.queue tbody tr td:nth-child(3)")
    cells = rows.all_inner_texts()
    assert cells and not [c for c in cells if re.search(r"[\u4e00-\u9fff]", c)], cells
    assert "dazu_challenge" not in text
    screenshot(english.page, "names-4-queue-english")
